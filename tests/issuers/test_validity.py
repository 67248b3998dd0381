"""One definition of a valid credential (``Credential.objects.valid(now)``: not revoked, not suspended,
within its dates), and every reader uses it: a suspended badge counts nowhere, and counts again once
reinstated."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from competencies.models import Competency, Job, ProficiencyLevel
from indicators import selectors as indicators
from issuers import services
from issuers.alignments import alignment_set
from issuers.models import Credential, Issuer
from issuers.permissions import SYSTEM
from learners.models import Learner, ManagerScope
from passport import exports
from passport.selectors import credential_state
from skills import profiles
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory

EMAIL = "camille@ville-exemple.fr"


@pytest.fixture
def held(db):
    """Camille, an agent of the DRH on the métier MET-ACC-01, holds a badge proving CMP-REL-01 at N3; a
    manager of the DRH."""
    fw = small_framework()
    IssuerFactory(slug="ville", kind=Issuer.Kind.CITY)  # the platform signs the exports
    drh = Issuer.objects.get(slug="drh")
    user = UserFactory(username="camille", email=EMAIL)
    Learner.objects.create(email=EMAIL, direction=drh, user=user, job=Job.objects.get(code="MET-ACC-01"))
    achievement = AchievementFactory(issuer=drh)
    competency = Competency.objects.get(code="CMP-REL-01")
    alignment_set(achievement=achievement, competency=competency,
                  level=ProficiencyLevel.objects.get(framework=fw, code="N3"), actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email=EMAIL, actor=SYSTEM)
    manager = UserFactory(username="manager")
    ManagerScope.objects.create(user=manager, direction=drh)
    return credential, user, manager, competency, ProficiencyLevel.objects.get(framework=fw, code="N1")


def counted(held) -> dict[str, bool]:
    """Where the credential counts, reader by reader."""
    credential, user, manager, competency, n1 = held
    now = timezone.now()
    profile = profiles.learner_profile(email=EMAIL)
    fit = profiles.job_fit(profile=profile, job=Job.objects.get(code="MET-ACC-01"))
    found = profiles.agents_with_competency(user=manager, competency=competency, min_level=n1)
    presentation = exports.presentation_export(user=user, challenge="c", domain="d")
    today = timezone.localdate(now)
    figures = indicators.indicators_get(scope=indicators.Scope(None), start=today - datetime.timedelta(days=1),
                                        end=today, now=now)
    return {
        "queryset": Credential.objects.valid(now).filter(pk=credential.pk).exists(),
        "passport": credential_state(Credential.objects.get(pk=credential.pk), now=now) == "valid",
        "profile": competency.pk in profile,
        "job fit": any(r.competency_id == competency.pk and r.status == profiles.MET for r in fit.requirements),
        "manager search": [learner.email for learner, _ in found] == [EMAIL],
        "export": len(presentation["verifiableCredential"]) == 1,
        "indicators": figures.totals["held"] == 1,
    }


def test_a_suspended_badge_counts_nowhere_and_counts_again_once_reinstated(held):
    credential = held[0]
    assert set(counted(held).values()) == {True}
    services.credential_suspend(credential=credential, reason="Vérification en cours", actor=SYSTEM)
    assert counted(held) == dict.fromkeys(counted(held), False)
    services.credential_reinstate(credential=Credential.objects.get(pk=credential.pk), actor=SYSTEM)
    assert set(counted(held).values()) == {True}


def test_the_queryset_and_the_rows_state_agree_on_dates(held):
    credential = Credential.objects.get(pk=held[0].pk)
    for now in (credential.valid_from - datetime.timedelta(seconds=1), credential.valid_from,
                credential.valid_from + datetime.timedelta(days=3650)):
        in_queryset = Credential.objects.valid(now).filter(pk=credential.pk).exists()
        assert in_queryset == (credential.state(now) == "valid")
    Credential.objects.filter(pk=credential.pk).update(valid_until=credential.valid_from + datetime.timedelta(days=1))
    credential.refresh_from_db()
    later = credential.valid_from + datetime.timedelta(days=2)
    assert credential.state(later) == "expired" and not Credential.objects.valid(later).filter(pk=credential.pk)
