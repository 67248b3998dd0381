"""Reads for the indicators: who may see which issuers, and the aggregates of the dashboard and its API.

Who sees what (the predicates of ``learners.policy``):
* a platform admin (superuser, or member of the platform-admin group) sees every issuer;
* issuer staff and admins (``issuers.IssuerMembership``) see their issuers and the issuers below them in the
  tree (a direction's figures include its services and operators: watching is not acting, so this is wider
  than ``issuers.permissions``, which never carries a role to another issuer);
* anyone else sees nothing (learners and managers have no indicators).

How the figures stay exact and fast (see ``indicators.rollup``): every count is the rollup's count for the
rows up to its watermark plus a live count of the rows above it, which the primary key finds at once. What
changes after issuance is read live too: revocations and suspensions through a partial index of the
withdrawn credentials, expiry from the rollup's expiry day (and, for credentials expiring today, the rows of
those buckets). "Held" means valid now: not revoked, not suspended, not expired.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from badges_service.errors import PermissionDenied
from competencies.models import AchievementAlignment
from issuers.models import Achievement, Credential, Issuer, in_force_condition, unexpired_condition
from learners import policy

from .models import CredentialUsage, Grain, IssuanceBucket, UsageBucket
from .rollup import CREDENTIALS, USAGES, local_zone, monday_of, watermarks

KINDS = tuple(CredentialUsage.Kind.values)  # verification, share, download


# --- who sees what -----------------------------------------------------------------------------------------


def _tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Issuer.objects.values_list("id", "parent_id"):
        children[parent].append(pk)
    return children


def _with_descendants(roots: set[int], children: dict[int, list[int]]) -> set[int]:
    seen, todo = set(), list(roots)
    while todo:
        pk = todo.pop()
        if pk not in seen:
            seen.add(pk)
            todo.extend(children.get(pk, ()))
    return seen


def visible_issuers(*, roles: policy.Roles) -> list[Issuer]:
    """The issuers whose indicators may be read with ``roles``, by name (``learners.policy``)."""
    if not policy.can_view_indicators(roles):
        return []
    if policy.sees_every_issuer(roles):
        return list(Issuer.objects.order_by("name"))
    return list(Issuer.objects.filter(id__in=_with_descendants(set(roles.issuer_roles), _tree())).order_by("name"))


@dataclass(frozen=True)
class Scope:
    """The issuers counted. ``issuer_ids`` is None for every issuer (a platform admin without a filter)."""

    issuer_ids: frozenset[int] | None
    issuer: Issuer | None = None  # the issuer chosen in the filter, if any


def scope_for(*, roles: policy.Roles, issuer_slug: str | None = None) -> Scope:
    """What was asked: everything visible with ``roles``, or one visible issuer and the issuers below it.
    Raises ``PermissionDenied`` without indicators or for an issuer outside what the roles may see."""
    if not policy.can_view_indicators(roles):
        raise PermissionDenied("Indicators are for platform admins and issuer staff.")
    if not issuer_slug:
        if policy.sees_every_issuer(roles):
            return Scope(None)
        return Scope(frozenset(i.id for i in visible_issuers(roles=roles)))
    issuer = next((i for i in visible_issuers(roles=roles) if i.slug == issuer_slug), None)
    if issuer is None:
        raise PermissionDenied(f"You may not read the indicators of issuer '{issuer_slug}'.",
                               code="issuer_not_visible")
    return Scope(frozenset(_with_descendants({issuer.id}, _tree())), issuer)


# --- the figures -------------------------------------------------------------------------------------------


@dataclass
class Counts:
    issued: int = 0
    revoked: int = 0
    held: int = 0


@dataclass
class IssuerRow:
    slug: str
    name: str
    issued: int
    revoked: int
    held: int
    verifications: int
    shares: int


@dataclass
class AchievementRow:
    slug: str
    name: str
    issuer: str
    issued: int
    revoked: int
    held: int


@dataclass
class CompetencyRow:
    framework: str
    code: str
    label: str
    held: int


@dataclass
class UsageRow:
    kind: str
    channel: str
    count: int


@dataclass
class Indicators:
    start: datetime.date
    end: datetime.date
    weeks: list[tuple[datetime.date, int]]  # (Monday of the ISO week, credentials issued that week in range)
    issuers: list[IssuerRow]
    achievements: list[AchievementRow]
    competencies: list[CompetencyRow]
    usages: list[UsageRow]
    totals: dict[str, int] = field(default_factory=dict)


def _weeks_and_days(start: datetime.date, end: datetime.date) -> Q:
    week = datetime.timedelta(days=7)
    first_full = start if start.weekday() == 0 else monday_of(start) + week
    last_full = monday_of(end) if end.weekday() == 6 else monday_of(end) - week
    if first_full > last_full:
        return Q(grain=Grain.DAY, period__gte=start, period__lte=end)
    q = Q(grain=Grain.WEEK, period__gte=first_full, period__lte=last_full)
    if start < first_full:
        q |= Q(grain=Grain.DAY, period__gte=start, period__lt=first_full)
    if end >= last_full + week:
        q |= Q(grain=Grain.DAY, period__gte=last_full + week, period__lte=end)
    return q


def covering(start: datetime.date, end: datetime.date, *, months: bool = True) -> Q:
    """The buckets that count exactly the days from ``start`` to ``end``: whole months (unless ``months`` is
    False: the weekly chart needs weeks), then whole weeks, then the days at the edges."""
    if months:
        first = start if start.day == 1 else (start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        after = (end + datetime.timedelta(days=1)).replace(day=1)  # months before this one end within the range
        if first < after:
            q = Q(grain=Grain.MONTH, period__gte=first, period__lt=after)
            if start < first:
                q |= _weeks_and_days(start, first - datetime.timedelta(days=1))
            if after <= end:
                q |= _weeks_and_days(after, end)
            return q
    return _weeks_and_days(start, end)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """Read the rollups, their watermarks and the live rows in one snapshot, so that a rollup run in between
    can neither count a row twice nor miss it (PostgreSQL: REPEATABLE READ; SQLite: a read transaction)."""
    if connection.in_atomic_block:  # already in a transaction (tests): its isolation level stays
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def indicators_get(*, scope: Scope, start: datetime.date, end: datetime.date,
                   now: datetime.datetime | None = None) -> Indicators:
    """The dashboard's figures for credentials issued from ``start`` to ``end`` (local days, inclusive) and
    usages in the same days, within ``scope``. ``held`` counts those of them valid at ``now``."""
    now = now or timezone.now()
    with _one_snapshot():
        marks = watermarks()
        per_day, per_achievement = _credential_counts(scope, start, end, now, marks[CREDENTIALS])
        usages = _usage_counts(scope, start, end, marks[USAGES])
        return _assemble(start, end, per_day, per_achievement, usages)


def _in_scope(scope: Scope, field_name: str = "issuer_id") -> Q:
    return Q() if scope.issuer_ids is None else Q(**{f"{field_name}__in": scope.issuer_ids})


def _credential_counts(scope: Scope, start, end, now, mark: int):
    """Per local day: issued; per (issuer, achievement): issued, revoked, held."""
    today = timezone.localdate(now)
    issued_between = Q(issued_at__gte=_local_midnight(start),
                       issued_at__lt=_local_midnight(end + datetime.timedelta(days=1)))
    not_expired = unexpired_condition(now)
    per_day: dict[datetime.date, int] = defaultdict(int)
    per_achievement: dict[tuple[int, int], Counts] = defaultdict(Counts)

    # 1. The rollup: credentials up to the watermark.
    this_week = monday_of(today)
    for row in (IssuanceBucket.objects.filter(covering(start, end, months=False), _in_scope(scope)).order_by()
                .values("period").annotate(n=Sum("issued"))):
        per_day[row["period"]] += row["n"]  # a day, or the Monday of a whole week: both fall in their week
    for row in (IssuanceBucket.objects.filter(covering(start, end), _in_scope(scope)).order_by()
                .values("issuer_id", "achievement_id")
                .annotate(n=Sum("issued"), unexpired=Sum("issued", filter=Q(expires_week__gt=this_week)))):
        counts = per_achievement[(row["issuer_id"], row["achievement_id"])]
        counts.issued += row["n"]
        counts.held += row["unexpired"] or 0
    # Those expiring this week are unexpired until their very hour: read them, between their buckets' ids.
    # (Weekly buckets: their id ranges are narrower than monthly ones.)
    ranges = list(IssuanceBucket.objects.filter(covering(start, end, months=False), _in_scope(scope),
                                                expires_week=this_week).values_list("first_id", "last_id"))
    if ranges:
        among = Q()
        for first, last in _merged(ranges):
            among |= Q(id__gte=first, id__lte=last)
        next_week = _local_midnight(this_week + datetime.timedelta(days=7))
        for row in (Credential.objects.filter(among, _in_scope(scope), issued_between, id__lte=mark,
                                              valid_until__gte=_local_midnight(this_week), valid_until__gt=now,
                                              valid_until__lt=next_week)
                    .order_by().values("issuer_id", "achievement_id").annotate(n=Count("id"))):
            per_achievement[(row["issuer_id"], row["achievement_id"])].held += row["n"]
    # Revoked or suspended since issuance (the partial index ``indicators_credential_withdrawn``).
    withdrawn = Q(revoked_at__isnull=False) | Q(suspended_at__isnull=False)
    for row in (Credential.objects.filter(withdrawn, _in_scope(scope), issued_between, id__lte=mark).order_by()
                .values("issuer_id", "achievement_id")
                .annotate(revoked=Count("id", filter=Q(revoked_at__isnull=False)),
                          unexpired=Count("id", filter=not_expired))):
        counts = per_achievement[(row["issuer_id"], row["achievement_id"])]
        counts.revoked += row["revoked"]
        counts.held -= row["unexpired"]

    # 2. The tail: credentials above the watermark, counted live.
    held = in_force_condition() & not_expired
    for row in (Credential.objects.filter(_in_scope(scope), issued_between, id__gt=mark).order_by()
                .annotate(d=TruncDate("issued_at", tzinfo=local_zone()))
                .values("d", "issuer_id", "achievement_id")
                .annotate(n=Count("id"), revoked=Count("id", filter=Q(revoked_at__isnull=False)),
                          held=Count("id", filter=held))):
        per_day[row["d"]] += row["n"]
        counts = per_achievement[(row["issuer_id"], row["achievement_id"])]
        counts.issued += row["n"]
        counts.revoked += row["revoked"]
        counts.held += row["held"]
    return per_day, per_achievement


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return [(a, b) for a, b in out]


def _usage_counts(scope: Scope, start, end, mark: int) -> dict[tuple[int, str, str], int]:
    """Usages in the days, per (issuer, kind, channel)."""
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for row in (UsageBucket.objects.filter(covering(start, end), _in_scope(scope)).order_by()
                .values("issuer_id", "kind", "channel").annotate(n=Sum("count"))):
        counts[(row["issuer_id"], row["kind"], row["channel"])] += row["n"]
    for row in (CredentialUsage.objects.filter(_in_scope(scope, "credential__issuer_id"), id__gt=mark,
                                               at__gte=_local_midnight(start),
                                               at__lt=_local_midnight(end + datetime.timedelta(days=1)))
                .order_by().values("credential__issuer_id", "kind", "channel").annotate(n=Sum("count"))):
        counts[(row["credential__issuer_id"], row["kind"], row["channel"])] += row["n"]
    return counts


def _assemble(start, end, per_day, per_achievement, usages) -> Indicators:
    weeks = {}
    monday = monday_of(start)
    while monday <= end:
        weeks[monday] = 0
        monday += datetime.timedelta(days=7)
    for day, n in per_day.items():
        weeks[monday_of(day)] += n

    usage_by_issuer: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    usage_by_channel: dict[tuple[str, str], int] = defaultdict(int)
    for (issuer_id, kind, channel), n in usages.items():
        usage_by_issuer[issuer_id][kind] = usage_by_issuer[issuer_id].get(kind, 0) + n
        usage_by_channel[(kind, channel)] += n

    by_achievement: dict[int, Counts] = defaultdict(Counts)
    for (_issuer_id, achievement_id), c in per_achievement.items():
        total = by_achievement[achievement_id]
        total.issued, total.revoked, total.held = (total.issued + c.issued, total.revoked + c.revoked,
                                                   total.held + c.held)
    achievements = {a.id: a for a in Achievement.objects.filter(id__in=by_achievement).only("id", "slug", "name",
                                                                                           "issuer_id")}
    issuer_ids = {a.issuer_id for a in achievements.values()} | set(usage_by_issuer)
    issuers = {i.id: i for i in Issuer.objects.filter(id__in=issuer_ids).only("id", "slug", "name")}

    achievement_rows: dict[int, AchievementRow] = {}
    issuer_rows = {i.id: IssuerRow(i.slug, i.name, 0, 0, 0, usage_by_issuer.get(i.id, {}).get("verification", 0),
                                   usage_by_issuer.get(i.id, {}).get("share", 0)) for i in issuers.values()}
    for achievement_id, counts in by_achievement.items():
        achievement = achievements[achievement_id]
        issuer = issuers[achievement.issuer_id]
        achievement_rows[achievement_id] = AchievementRow(
            achievement.slug, achievement.name, issuer.name, counts.issued, counts.revoked, counts.held)
        row = issuer_rows[issuer.id]
        row.issued += counts.issued
        row.revoked += counts.revoked
        row.held += counts.held

    held_by_achievement = {a: r.held for a, r in achievement_rows.items() if r.held}
    competencies = _held_competencies(held_by_achievement)
    totals = {"issued": sum(r.issued for r in issuer_rows.values()),
              "revoked": sum(r.revoked for r in issuer_rows.values()),
              "held": sum(r.held for r in issuer_rows.values()),
              **{kind: sum(n for (k, _), n in usage_by_channel.items() if k == kind) for kind in KINDS}}
    return Indicators(
        start=start, end=end, weeks=sorted(weeks.items()),
        issuers=sorted(issuer_rows.values(), key=_by_issued),
        achievements=sorted(achievement_rows.values(), key=_by_issued),
        competencies=competencies,
        usages=[UsageRow(k, c, n) for (k, c), n in sorted(usage_by_channel.items(),
                                                          key=lambda kv: (KINDS.index(kv[0][0]), -kv[1], kv[0][1]))],
        totals=totals,
    )


def _by_issued(row) -> tuple:
    return (-row.issued, row.name)


def _held_competencies(held_by_achievement: dict[int, int]) -> list[CompetencyRow]:
    """Competencies by the number of valid credentials that prove them, most held first."""
    held: dict[tuple[str, str, str], int] = defaultdict(int)
    for achievement_id, framework, code, label in AchievementAlignment.objects.filter(
            achievement_id__in=held_by_achievement).values_list(
            "achievement_id", "competency__framework__code", "competency__code", "competency__label"):
        held[(framework, code, label)] += held_by_achievement[achievement_id]
    rows = [CompetencyRow(framework, code, label, n) for (framework, code, label), n in held.items()]
    return sorted(rows, key=lambda r: (-r.held, r.framework, r.code))
