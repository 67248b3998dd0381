"""The rollups: idempotent, incremental, and equal to a plain GROUP BY over the credentials."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.db.models.functions import TruncDate

from indicators import rollup, selectors
from indicators.models import NEVER, CredentialUsage, IssuanceBucket, RollupState, UsageBucket
from indicators.rollup import monday_of
from indicators.services import usage_record
from issuers.models import Credential
from tests.indicators.factories import City, at, issue

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def city(db):
    return City()


def bulk_credentials(city, n: int, seed: int = 5) -> list[Credential]:
    """Many credentials at random instants of 2025-2026, some expiring, copied from one signed credential
    (the indicators read only the columns; signing each would only slow the test down)."""
    model = issue(city.accueil, at(2025, 1, 1))
    rng = random.Random(seed)
    achievements = [city.accueil, city.tutorat, city.cyber]
    rows = []
    for _ in range(n):
        achievement = rng.choice(achievements)
        issued = at(2025, 1, 1, 0) + datetime.timedelta(minutes=rng.randrange(60 * 24 * 500))
        valid_until = issued + datetime.timedelta(days=rng.choice([30, 365])) if rng.random() < 0.4 else None
        rows.append(Credential(achievement=achievement, issuer=achievement.issuer, signing_key=model.signing_key,
                               recipient_email=f"a{rng.randrange(10**6)}@ville-exemple.fr", document="{}",
                               issued_at=issued, valid_from=issued, valid_until=valid_until))
    return Credential.objects.bulk_create(rows)


def snapshot():
    return (sorted(IssuanceBucket.objects.values_list("grain", "period", "issuer_id", "achievement_id", "level_id",
                                                      "expires_week", "issued", "first_id", "last_id")),
            sorted(UsageBucket.objects.values_list("grain", "period", "issuer_id", "kind", "channel", "count")))


def test_running_the_rollup_again_changes_nothing(city):
    made = bulk_credentials(city, 200)
    usage_record(credential=made[0], kind="share", channel="link")
    first = rollup.rollup_refresh()
    once = snapshot()
    assert first == {"credentials": 201, "usages": 1}
    assert rollup.rollup_refresh() == {"credentials": 0, "usages": 0}
    assert snapshot() == once
    assert rollup.rollup_rebuild() == first
    assert snapshot() == once


def test_the_rollup_equals_a_group_by_over_the_credentials(city):
    bulk_credentials(city, 400)
    rollup.rollup_refresh(batch=37)  # many small batches, each merged into the buckets of the previous ones
    live = Counter()
    for row in (Credential.objects.order_by().annotate(d=TruncDate("issued_at", tzinfo=PARIS),
                                                       e=TruncDate("valid_until", tzinfo=PARIS))
                .values("d", "issuer_id", "achievement_id", "e").annotate(n=Count("id"))):
        expires = monday_of(row["e"]) if row["e"] else NEVER
        live[("d", row["d"], row["issuer_id"], row["achievement_id"], expires)] += row["n"]
        live[("w", monday_of(row["d"]), row["issuer_id"], row["achievement_id"], expires)] += row["n"]
        live[("m", row["d"].replace(day=1), row["issuer_id"], row["achievement_id"], expires)] += row["n"]
    rolled = Counter()
    for key in IssuanceBucket.objects.values_list("grain", "period", "issuer_id", "achievement_id", "expires_week",
                                                  "issued"):
        rolled[key[:-1]] += key[-1]
    assert rolled == live
    assert sum(n for k, n in rolled.items() if k[0] == "w") == Credential.objects.count()
    assert RollupState.objects.get(name="credentials").watermark == Credential.objects.latest("id").id


def test_the_usage_rollup_adds_the_count_of_each_row(city):
    """A row written by a flush of the usage buffer stands for ``count`` uses: the buckets add them up."""
    made = bulk_credentials(city, 3)
    CredentialUsage.objects.create(credential=made[0], kind="verification", channel="page", count=12)
    CredentialUsage.objects.create(credential=made[1], kind="verification", channel="page", count=3)
    usage_record(credential=made[2], kind="verification", channel="page")
    assert rollup.rollup_refresh()["usages"] == 16
    day = UsageBucket.objects.filter(grain="d", kind="verification", channel="page")
    assert sum(day.values_list("count", flat=True)) == 16
    assert sum(UsageBucket.objects.filter(grain="m").values_list("count", flat=True)) == 16


def test_the_dashboard_figures_do_not_depend_on_how_far_the_rollup_went(city):
    made = bulk_credentials(city, 300)
    for c in made[::17]:
        usage_record(credential=c, kind="verification", channel="page")
    Credential.objects.filter(id__in=[c.id for c in made[::11]]).update(revoked_at=at(2026, 5, 1))
    Credential.objects.filter(id__in=[c.id for c in made[5::13]]).update(suspended_at=at(2026, 5, 2))
    now = at(2025, 9, 15, 14)
    periods = [(datetime.date(2025, 3, 1), datetime.date(2026, 2, 1)),  # Saturday to Sunday: edges and weeks
               (datetime.date(2025, 3, 3), datetime.date(2025, 3, 30)),  # Monday to Sunday: whole weeks only
               (datetime.date(2025, 9, 10), datetime.date(2025, 9, 12)),  # three days within a week
               (datetime.date(2025, 9, 8), datetime.date(2025, 9, 21))]  # this week (expiring today) and the next
    live = [selectors.indicators_get(scope=selectors.Scope(None), start=a, end=b, now=now) for a, b in periods]
    rollup.rollup_refresh(batch=50)
    assert RollupState.objects.get(name="credentials").watermark == made[-1].id
    rolled = [selectors.indicators_get(scope=selectors.Scope(None), start=a, end=b, now=now) for a, b in periods]
    assert rolled == live
    live = live[0]
    assert live.totals["issued"] > 0 and live.totals["revoked"] > 0 and live.totals["held"] > 0


def test_the_watermark_waits_while_an_older_transaction_may_still_commit(city, monkeypatch):
    """On PostgreSQL a transaction that took a smaller id may commit later: the rollup does not pass the
    highest id it saw until no transaction older than that moment is open. Meanwhile the figures stay exact."""
    made = bulk_credentials(city, 20)
    monkeypatch.setattr(rollup, "_settled_since", lambda moment: False)
    rollup.rollup_refresh()
    state = RollupState.objects.get(name="credentials")
    assert state.watermark == 0 and state.pending_id == made[-1].id
    result = selectors.indicators_get(scope=selectors.Scope(None), start=datetime.date(2025, 1, 1),
                                      end=datetime.date(2026, 12, 31), now=at(2025, 1, 1))
    assert result.totals["issued"] == 21
    monkeypatch.setattr(rollup, "_settled_since", lambda moment: moment is not None)
    rollup.rollup_refresh()
    assert RollupState.objects.get(name="credentials").watermark == made[-1].id
    assert IssuanceBucket.objects.count() > 0
    again = selectors.indicators_get(scope=selectors.Scope(None), start=datetime.date(2025, 1, 1),
                                     end=datetime.date(2026, 12, 31), now=at(2025, 1, 1))
    assert again == result


def test_the_beat_schedule_runs_the_rollup_task(settings):
    from indicators.tasks import indicators_rollup_task

    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert indicators_rollup_task.name in entries
