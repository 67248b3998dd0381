from __future__ import annotations

import pytest

from pipeline import services
from tests.issuers.factories import AchievementFactory, IssuerFactory
from tests.pipeline.factories import make_source


@pytest.fixture
def drh(db):
    return IssuerFactory(slug="drh")


@pytest.fixture
def moodle(drh):
    """A registered source, its clear secret, and a rule: Moodle course 101 earns 'accueil-usagers'."""
    new = make_source(issuer=drh)
    achievement = AchievementFactory(issuer=drh, slug="accueil-usagers", name="Accueil des usagers")
    services.award_rule_create(source=new.source, course="101", achievement=achievement)
    return new


@pytest.fixture
def no_queue(monkeypatch):
    """Record what would be queued instead of reaching a broker."""
    queued: list[int] = []
    # The test's transaction never commits: run on-commit work at once, as a commit would.
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
    monkeypatch.setattr("pipeline.services.queueing.enqueue", lambda ids: queued.extend(ids))
    monkeypatch.setattr("pipeline.services.receipt.enqueue", lambda ids: queued.extend(ids))
    monkeypatch.setattr("pipeline.services.lrs.enqueue", lambda ids: queued.extend(ids))
    return queued
