"""Competency profile, job fit and the managers' skills search."""

from datetime import timedelta

import pytest
from django.utils import timezone

from competencies.models import Competency, Job, ProficiencyLevel
from issuers import services
from issuers.alignments import alignment_set
from issuers.permissions import SYSTEM
from learners.models import Learner, ManagerScope
from skills import profiles
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, UserFactory

EMAIL = "camille@ville-exemple.fr"


@pytest.fixture
def fw(db):
    return small_framework()


def level(fw, code):
    return ProficiencyLevel.objects.get(framework=fw, code=code)


def badge(fw, competency_code, level_code=None):
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code=competency_code),
                  level=level(fw, level_code) if level_code else None, actor=SYSTEM)
    return achievement


def test_the_profile_keeps_the_highest_level_with_its_credentials_as_evidence(fw):
    low = services.credential_issue(achievement=badge(fw, "CMP-REL-01", "N1"), recipient_email=EMAIL, actor=SYSTEM)
    high = services.credential_issue(achievement=badge(fw, "CMP-REL-01", "N3"), recipient_email=EMAIL, actor=SYSTEM)
    proven = profiles.learner_profile(email=EMAIL)[Competency.objects.get(code="CMP-REL-01").id]
    assert proven.rank == 3 and proven.credential_ids == [high.id]
    assert low.id not in proven.credential_ids


def test_the_achieved_level_of_a_credential_wins_over_the_alignment_level(fw):
    services.credential_issue(achievement=badge(fw, "CMP-NUM-01", "N1"), recipient_email=EMAIL,
                              level=level(fw, "N4"), actor=SYSTEM)
    assert profiles.learner_profile(email=EMAIL)[Competency.objects.get(code="CMP-NUM-01").id].rank == 4


def test_revoked_and_expired_credentials_do_not_count(fw):
    revoked = services.credential_issue(achievement=badge(fw, "CMP-REL-01", "N4"), recipient_email=EMAIL, actor=SYSTEM)
    services.credential_revoke(credential=revoked, reason="erreur", actor=SYSTEM)
    services.credential_issue(achievement=badge(fw, "CMP-ETR-01", "N4"), recipient_email=EMAIL,
                              now=timezone.now() - timedelta(days=400),
                              valid_until=timezone.now() - timedelta(days=1) + timedelta(days=0), actor=SYSTEM)
    assert profiles.learner_profile(email=EMAIL) == {}


def test_a_credential_for_an_obsolete_competency_proves_its_replacement(fw):
    services.credential_issue(achievement=badge(fw, "CMP-REL-03", "N2"), recipient_email=EMAIL, actor=SYSTEM)
    profile = profiles.learner_profile(email=EMAIL)
    assert profile[Competency.objects.get(code="CMP-REL-01").id].rank == 2


def test_job_fit_says_met_partial_and_missing(fw):
    services.credential_issue(achievement=badge(fw, "CMP-REL-01", "N3"), recipient_email=EMAIL,
                              actor=SYSTEM)  # needs N2: met
    services.credential_issue(achievement=badge(fw, "CMP-ETR-01", "N1"), recipient_email=EMAIL,
                              actor=SYSTEM)  # needs N3: partial
    fit = profiles.job_fit(profile=profiles.learner_profile(email=EMAIL), job=Job.objects.get(code="MET-ACC-01"))
    status = {Competency.objects.get(id=r.competency_id).code: r.status for r in fit.requirements}
    assert status == {"CMP-REL-01": "met", "CMP-ETR-01": "partial", "CMP-NUM-01": "missing"}
    assert fit.score == pytest.approx((2 + 1) / 5)  # essential weigh 2, partial counts half


def test_jobs_are_ranked_by_fit(fw):
    services.credential_issue(achievement=badge(fw, "CMP-NUM-01", "N3"), recipient_email=EMAIL, actor=SYSTEM)
    ranked = profiles.jobs_ranked(profile=profiles.learner_profile(email=EMAIL), framework=fw)
    assert [Job.objects.get(id=f.job_id).code for f in ranked] == ["MET-NUM-01", "MET-ACC-01"]
    assert ranked[0].score > ranked[1].score


@pytest.fixture
def agents(fw):
    from issuers.models import Issuer

    drh, dsin = Issuer.objects.get(slug="drh"), Issuer.objects.get(slug="dsin")
    mine = Learner.objects.create(email="mine@ville-exemple.fr", direction=drh)
    other = Learner.objects.create(email="other@ville-exemple.fr", direction=dsin)
    public = Learner.objects.create(email="public@ville-exemple.fr", direction=dsin, profile_visible=True)
    achievement = badge(fw, "CMP-REL-01", "N3")
    for learner in (mine, other, public):
        services.credential_issue(achievement=achievement, recipient_email=learner.email, actor=SYSTEM)
    manager = UserFactory()
    ManagerScope.objects.create(user=manager, direction=drh)
    return manager, mine, other, public


def test_a_manager_finds_agents_of_the_direction_and_those_who_opened_their_profile(fw, agents):
    manager, mine, other, public = agents
    found = profiles.agents_with_competency(user=manager, competency=Competency.objects.get(code="CMP-REL-01"),
                                            min_level=level(fw, "N2"))
    assert [learner.email for learner, _ in found] == [mine.email, public.email]


def test_the_minimum_level_filters_the_search(fw, agents):
    manager, *_ = agents
    assert profiles.agents_with_competency(user=manager, competency=Competency.objects.get(code="CMP-REL-01"),
                                           min_level=level(fw, "N4")) == []


def test_someone_without_a_manager_scope_sees_only_open_profiles(fw, agents):
    *_, public = agents
    stranger = UserFactory()
    found = profiles.agents_with_competency(user=stranger, competency=Competency.objects.get(code="CMP-REL-01"),
                                            min_level=level(fw, "N1"))
    assert [learner.email for learner, _ in found] == [public.email]


def test_job_fits_of_a_team_equal_each_agents_own_job_fit(fw):
    services.credential_issue(achievement=badge(fw, "CMP-REL-01", "N3"), recipient_email=EMAIL, actor=SYSTEM)
    services.credential_issue(achievement=badge(fw, "CMP-NUM-01", "N1"), recipient_email="other@ville-exemple.fr",
                              actor=SYSTEM)
    accueil, numerique = Job.objects.get(code="MET-ACC-01"), Job.objects.get(code="MET-NUM-01")
    by_email = profiles.profiles_for(emails=[EMAIL, "other@ville-exemple.fr"])
    fits = profiles.job_fits(profiles=by_email, jobs={EMAIL: accueil, "other@ville-exemple.fr": numerique,
                                                      "nobody@ville-exemple.fr": accueil})
    assert fits[EMAIL] == profiles.job_fit(profile=by_email[EMAIL], job=accueil)
    assert fits["other@ville-exemple.fr"].count(profiles.PARTIAL) == 1
    assert fits["nobody@ville-exemple.fr"].score == 0 and fits["nobody@ville-exemple.fr"].count(profiles.MISSING) == 3
