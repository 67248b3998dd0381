"""Exact figures for constructed data, whether the rows are still in the live tail or counted by the rollup.

Each scenario is checked three ways: before any rollup (everything live), after a rollup (everything in the
rollup), and with the rollup part-way (the rows issued after it are in the tail).
"""

from __future__ import annotations

import datetime

import pytest

from indicators import rollup, selectors
from indicators.models import CredentialUsage
from indicators.services import usage_record
from issuers import services
from issuers.permissions import SYSTEM
from tests.indicators.factories import City, at, competencies_for, issue

D = datetime.date


@pytest.fixture
def city(db):
    return City()


def everything():
    return selectors.Scope(None)


def figures(start, end, now, scope=None):
    return selectors.indicators_get(scope=scope or everything(), start=start, end=end, now=now)


MODES = ["live", "rolled_up", "half"]


def build_weeks(city, mode):
    """Credentials around new year 2026 (Thursday 1 January; ISO week 1 starts Monday 29 December 2025)."""
    first = [at(2025, 12, 22, 9), at(2025, 12, 28, 23, 30)]  # week of 22/12 (the second: Sunday night, Paris)
    later = [at(2025, 12, 29, 0, 10), at(2026, 1, 1, 10), at(2026, 1, 4, 23, 59),  # week of 29/12
             # Sunday 4 January 23:30 UTC is Monday 5 January 00:30 in Paris: week of 5/1
             datetime.datetime(2026, 1, 4, 23, 30, tzinfo=datetime.UTC), at(2026, 1, 11, 18)]
    for when in first:
        issue(city.accueil, when)
    if mode == "half":
        rollup.rollup_refresh()
    for when in later:
        issue(city.cyber, when)
    if mode == "rolled_up":
        rollup.rollup_refresh()


@pytest.mark.parametrize("mode", MODES)
def test_weeks_are_counted_across_the_year_boundary_in_local_time(city, mode):
    """Weeks start on Monday in the city's time zone, and 2025's last week is ISO week 1 of 2026."""
    build_weeks(city, mode)
    result = figures(D(2025, 12, 22), D(2026, 1, 11), now=at(2026, 1, 12))
    assert result.weeks == [(D(2025, 12, 22), 2), (D(2025, 12, 29), 3), (D(2026, 1, 5), 2)]
    assert result.totals["issued"] == 7


@pytest.mark.parametrize("mode", MODES)
def test_the_period_cuts_weeks_at_its_days(city, mode):
    """A period that starts or ends mid-week counts only its own days; empty weeks are listed with 0."""
    build_weeks(city, mode)
    result = figures(D(2025, 12, 28), D(2026, 1, 4), now=at(2026, 1, 12))
    assert result.weeks == [(D(2025, 12, 22), 1), (D(2025, 12, 29), 3)]
    result = figures(D(2025, 12, 1), D(2025, 12, 21), now=at(2026, 1, 12))
    assert [n for _, n in result.weeks] == [0, 0, 0] and result.totals["issued"] == 0


def build_statuses(city, mode):
    """Nine credentials of three achievements; one revoked, one suspended, one expired yesterday, one
    expiring at 10:00 today, one at 20:00 today (now is 15:00 on 10 March 2026), one in a year."""
    now = at(2026, 3, 10, 15)
    made = {}
    made["revoked"] = issue(city.accueil, at(2026, 3, 2))
    made["suspended"] = issue(city.accueil, at(2026, 3, 2))
    made["valid"] = issue(city.accueil, at(2026, 3, 3))
    if mode == "half":
        rollup.rollup_refresh()
    made["expired"] = issue(city.cyber, at(2026, 3, 1), valid_until=at(2026, 3, 9, 8))
    made["expired_this_morning"] = issue(city.cyber, at(2026, 3, 4), valid_until=at(2026, 3, 10, 10))
    made["expires_tonight"] = issue(city.cyber, at(2026, 3, 4), valid_until=at(2026, 3, 10, 20))
    made["next_year"] = issue(city.cyber, at(2026, 3, 5), valid_until=at(2027, 3, 5))
    made["tutorat"] = issue(city.tutorat, at(2026, 3, 6))
    made["revoked_expired"] = issue(city.tutorat, at(2026, 3, 1), valid_until=at(2026, 3, 8))
    if mode == "rolled_up":
        rollup.rollup_refresh()
    services.credential_revoke(credential=made["revoked"], reason="Erreur de saisie", actor=SYSTEM)
    services.credential_suspend(credential=made["suspended"], reason="Vérification en cours", actor=SYSTEM)
    services.credential_revoke(credential=made["revoked_expired"], reason="Doublon", actor=SYSTEM)
    return now


@pytest.mark.parametrize("mode", MODES)
def test_revoked_suspended_and_expired_credentials_are_not_held(city, mode):
    now = build_statuses(city, mode)
    result = figures(D(2026, 3, 1), D(2026, 3, 10), now=now)
    rows = {r.slug: (r.issued, r.revoked, r.held) for r in result.achievements}
    assert rows == {"accueil": (3, 1, 1), "cyber": (4, 0, 2), "tutorat": (2, 1, 1)}
    assert (result.totals["issued"], result.totals["revoked"], result.totals["held"]) == (9, 2, 4)


@pytest.mark.parametrize("mode", MODES)
def test_a_credential_expiring_today_is_held_until_its_hour(city, mode):
    build_statuses(city, mode)
    before = figures(D(2026, 3, 1), D(2026, 3, 10), now=at(2026, 3, 10, 9, 59))
    after = figures(D(2026, 3, 1), D(2026, 3, 10), now=at(2026, 3, 10, 20, 0))
    assert {r.slug: r.held for r in before.achievements}["cyber"] == 3
    assert {r.slug: r.held for r in after.achievements}["cyber"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_directions_are_counted_separately_and_the_most_held_competencies_come_first(city, mode):
    competencies_for(city)
    now = build_statuses(city, mode)
    result = figures(D(2026, 3, 1), D(2026, 3, 10), now=now)
    assert [(r.slug, r.issued, r.revoked, r.held) for r in result.issuers] == [
        ("dsin", 4, 0, 2), ("drh", 3, 1, 1), ("drh-formation", 2, 1, 1)]
    # SEC-01: 2 valid cyber; TRA-01: 1 accueil + 1 tutorat; ACC-01: 1 accueil.
    assert [(r.code, r.held) for r in result.competencies] == [("SEC-01", 2), ("TRA-01", 2), ("ACC-01", 1)]


@pytest.mark.parametrize("mode", MODES)
def test_shares_verifications_and_downloads_are_counted_by_kind_and_channel(city, mode):
    mine = issue(city.accueil, at(2026, 3, 2))
    other = issue(city.cyber, at(2026, 3, 2))
    usage_record(credential=mine, kind="verification", channel="page")
    usage_record(credential=mine, kind="verification", channel="api")
    usage_record(credential=other, kind="verification", channel="page")
    if mode == "half":
        rollup.rollup_refresh()
    usage_record(credential=mine, kind="share", channel="linkedin")
    usage_record(credential=mine, kind="download", channel="png")
    usage_record(credential=other, kind="share", channel="link")
    if mode == "rolled_up":
        rollup.rollup_refresh()
    today = datetime.date.today()
    result = figures(today - datetime.timedelta(days=1), today + datetime.timedelta(days=1), now=at(2026, 3, 10))
    assert {(u.kind, u.channel): u.count for u in result.usages} == {
        ("verification", "page"): 2, ("verification", "api"): 1, ("share", "linkedin"): 1, ("share", "link"): 1,
        ("download", "png"): 1}
    assert (result.totals["verification"], result.totals["share"], result.totals["download"]) == (3, 2, 1)
    rows = {r.slug: (r.verifications, r.shares) for r in result.issuers}
    assert rows == {"drh": (2, 1), "dsin": (1, 1)}
    drh = selectors.Scope(frozenset({city.drh.id}))
    only_drh = selectors.indicators_get(scope=drh, start=today - datetime.timedelta(days=1),
                                        end=today + datetime.timedelta(days=1), now=at(2026, 3, 10))
    assert only_drh.totals["verification"] == 2 and only_drh.totals["share"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_row_that_stands_for_several_uses_counts_each_of_them(city, mode):
    """A flush of the usage buffer writes one row per (credential, kind, channel) with the number of uses."""
    mine = issue(city.accueil, at(2026, 3, 2))
    other = issue(city.cyber, at(2026, 3, 2))
    CredentialUsage.objects.create(credential=mine, kind="verification", channel="page", count=40)
    usage_record(credential=mine, kind="verification", channel="page")
    if mode == "half":
        rollup.rollup_refresh()
    CredentialUsage.objects.create(credential=other, kind="verification", channel="api", count=7)
    CredentialUsage.objects.create(credential=mine, kind="verification", channel="page", count=2)
    if mode == "rolled_up":
        rollup.rollup_refresh()
    today = datetime.date.today()
    result = figures(today - datetime.timedelta(days=1), today + datetime.timedelta(days=1), now=at(2026, 3, 10))
    assert {(u.kind, u.channel): u.count for u in result.usages} == {
        ("verification", "page"): 43, ("verification", "api"): 7}
    assert result.totals["verification"] == 50
    assert {r.slug: r.verifications for r in result.issuers} == {"drh": 43, "dsin": 7}


def test_an_issuer_scope_counts_only_its_issuers(city):
    build_statuses(city, "live")
    drh_and_below = selectors.Scope(frozenset({city.drh.id, city.formation.id}))
    result = figures(D(2026, 3, 1), D(2026, 3, 10), now=at(2026, 3, 10, 15), scope=drh_and_below)
    assert [r.slug for r in result.issuers] == ["drh", "drh-formation"]
    assert result.totals["issued"] == 5
