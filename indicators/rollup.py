"""Keeping the rollups (``IssuanceBucket``, ``UsageBucket``) up to date: incremental, idempotent, exact.

Each rollup counts the rows of its source table with ``id <= watermark``. Advancing the watermark past an id
is safe only when no row with a smaller or equal id can still appear, and ids are taken from a sequence when a
row is inserted, not when its transaction commits: a transaction that took id 100 may commit after the one
that took id 101. So a refresh works in two steps, one run apart if need be:

1. it notes the highest visible id ``N`` and then the database clock ``t`` (``pending_id``, ``pending_at``).
   Every id up to ``N`` was taken before ``t``, by a transaction that had started before ``t``;
2. once no transaction that started before ``t`` is still open (PostgreSQL: ``pg_stat_activity``), every row
   with an id up to ``N`` is committed or will never be, and the rows in ``(watermark, N]`` are counted, in
   the same transaction that moves the watermark (so a repeated or concurrent run never counts a row twice:
   the state row is locked while counting).

A long open transaction only delays step 2; the selectors count everything above the watermark live, so
their answers never depend on how recent the rollup is. Nothing here runs inside ``credential_issue``.

SQLite has one writer at a time, so a row with a smaller id than a visible one is always visible: step 2
follows step 1 at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from issuers.models import Credential

from .models import NEVER, NO_LEVEL, CredentialUsage, Grain, IssuanceBucket, RollupState, UsageBucket

CREDENTIALS = "credentials"
USAGES = "usages"
BATCH = 100_000  # ids counted per transaction
UPSERT_ROWS = 500  # buckets per INSERT statement (SQLite allows 32,766 parameters)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- what one batch adds ---------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _grains(day: datetime.date) -> tuple[tuple[str, datetime.date], ...]:
    return (Grain.DAY, day), (Grain.WEEK, monday_of(day)), (Grain.MONTH, day.replace(day=1))


def _merge(model, adds: dict[tuple, list[int]], key_fields: list[str], count_field: str, has_ids: bool) -> None:
    """Add ``adds`` (key -> [count, first id, last id]) to the buckets, one upsert per bucket
    (``INSERT ... ON CONFLICT DO UPDATE``, PostgreSQL and SQLite alike: the keys hold no NULL)."""
    table = model._meta.db_table
    columns = [*key_fields, count_field, *(["first_id", "last_id"] if has_ids else [])]
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    updates = [f"{count_field} = {table}.{count_field} + EXCLUDED.{count_field}"]
    if has_ids:
        updates += [f"first_id = {least}({table}.first_id, EXCLUDED.first_id)",
                    f"last_id = {greatest}({table}.last_id, EXCLUDED.last_id)"]
    # Table and column names come from the model; every value is a parameter.
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(key_fields)}) DO UPDATE SET {', '.join(updates)}"
    rows = [[*key, *(values if has_ids else values[:1])] for key, values in adds.items()]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), UPSERT_ROWS):
            batch = rows[i:i + UPSERT_ROWS]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, [v for row in batch for v in row])


ISSUANCE_KEY = ["grain", "period", "issuer_id", "achievement_id", "level_id", "expires_week"]
USAGE_KEY = ["grain", "period", "issuer_id", "kind", "channel"]


def _issuance_merge(lo: int, hi: int) -> int:
    """Count credentials with ``lo < id <= hi`` into ``IssuanceBucket``. Returns the number of rows counted."""
    zone = local_zone()
    groups = (Credential.objects.filter(id__gt=lo, id__lte=hi).order_by()
              .annotate(d=TruncDate("issued_at", tzinfo=zone), e=TruncDate("valid_until", tzinfo=zone))
              .values("d", "issuer_id", "achievement_id", "achieved_level_id", "e")
              .annotate(n=Count("id"), lo=Min("id"), hi=Max("id")))
    adds: dict[tuple, list[int]] = {}
    counted = 0
    for g in groups:
        counted += g["n"]
        expires = monday_of(g["e"]) if g["e"] else NEVER
        for grain, period in _grains(g["d"]):
            key = (grain, period, g["issuer_id"], g["achievement_id"], g["achieved_level_id"] or NO_LEVEL, expires)
            total = adds.setdefault(key, [0, g["lo"], g["hi"]])
            total[0] += g["n"]
            total[1], total[2] = min(total[1], g["lo"]), max(total[2], g["hi"])
    if adds:
        _merge(IssuanceBucket, adds, ISSUANCE_KEY, "issued", has_ids=True)
    return counted


def _usage_merge(lo: int, hi: int) -> int:
    """Add the usages of the rows with ``lo < id <= hi`` to ``UsageBucket`` (a row stands for ``count`` uses).
    Returns the number of uses counted."""
    groups = (CredentialUsage.objects.filter(id__gt=lo, id__lte=hi).order_by()
              .annotate(d=TruncDate("at", tzinfo=local_zone()), issuer=F("credential__issuer_id"))
              .values("d", "issuer", "kind", "channel").annotate(n=Sum("count")))
    adds: dict[tuple, list[int]] = {}
    counted = 0
    for g in groups:
        counted += g["n"]
        for grain, period in _grains(g["d"]):
            adds.setdefault((grain, period, g["issuer"], g["kind"], g["channel"]), [0])[0] += g["n"]
    if adds:
        _merge(UsageBucket, adds, USAGE_KEY, "count", has_ids=False)
    return counted


@dataclass(frozen=True)
class _Rollup:
    name: str
    source: type
    merge: Callable[[int, int], int]


ROLLUPS = (_Rollup(CREDENTIALS, Credential, _issuance_merge), _Rollup(USAGES, CredentialUsage, _usage_merge))


# --- the watermark -----------------------------------------------------------------------------------------


def _clock() -> datetime.datetime:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


def _settled_since(moment: datetime.datetime | None) -> bool:
    """True when no transaction that started at or before ``moment`` is still open (other than this one)."""
    if moment is None:
        return False
    if connection.vendor != "postgresql":
        return True  # one writer at a time: nothing older can commit later
    with connection.cursor() as cursor:
        # Sessions of this database only; xact_start is NULL for idle sessions. The application's role sees
        # its own sessions' xact_start, which are the ones that insert credentials and usages.
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND xact_start <= %s)", [moment])
        return cursor.fetchone()[0]


def _observe(rollup: _Rollup) -> None:
    """Step 1: note the highest visible id, then the clock."""
    highest = rollup.source.objects.aggregate(m=Max("id"))["m"] or 0
    moment = _clock()
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(name=rollup.name)
        if highest > state.pending_id:
            state.pending_id, state.pending_at = highest, moment
            state.save(update_fields=["pending_id", "pending_at"])


def _settle(rollup: _Rollup, batch: int) -> int:
    """Step 2: count ``(watermark, pending_id]`` if nothing older than ``pending_at`` is still open."""
    state = RollupState.objects.get(name=rollup.name)
    target = state.pending_id  # a concurrent step 1 may note a later id: that one is not settled yet
    if target <= state.watermark or not _settled_since(state.pending_at):
        return 0
    counted = 0
    while True:
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(name=rollup.name)
            if state.watermark >= target:
                return counted
            hi = min(target, state.watermark + batch)
            counted += rollup.merge(state.watermark, hi)
            state.watermark, state.updated_at = hi, timezone.now()
            state.save(update_fields=["watermark", "updated_at"])


def rollup_refresh(*, batch: int = BATCH) -> dict[str, int]:
    """Bring every rollup up to date as far as is safe. Idempotent; returns the rows counted per rollup."""
    counted = {}
    for rollup in ROLLUPS:
        RollupState.objects.get_or_create(name=rollup.name)
        n = _settle(rollup, batch)  # what the previous run noted, if it is settled now
        _observe(rollup)
        counted[rollup.name] = n + _settle(rollup, batch)  # at once when nothing older is open
    return counted


def rollup_rebuild(*, batch: int = BATCH) -> dict[str, int]:
    """Forget the rollups and count everything again (after a restore, or to check them)."""
    with transaction.atomic():
        IssuanceBucket.objects.all().delete()
        UsageBucket.objects.all().delete()
        RollupState.objects.all().delete()
    return rollup_refresh(batch=batch)


def watermarks() -> dict[str, int]:
    found = dict(RollupState.objects.values_list("name", "watermark"))
    return {r.name: found.get(r.name, 0) for r in ROLLUPS}
