"""Job fit counts what badges earned elsewhere attest, kept apart from the city's proof: each requirement says
whether a city-issued credential or a badge from elsewhere meets it, and the fit says how much rests on each.
The learner (passport, API) and their managers see it."""

from __future__ import annotations

import pytest

from competencies.interchange.case import case_id
from competencies.models import Job
from skills import external, profiles
from tests.issuers.factories import UserFactory
from tests.managers.factories import two_directions

from .test_external_attestations import add


@pytest.fixture
def team(db):
    team = two_directions()
    for learner, username in ((team.mine, "camille"), (team.other, "karim")):
        learner.user = UserFactory(username=username, email=learner.email)
        learner.save(update_fields=["user"])
    return team


def attest(team, learner, code: str, issuer: str = "Ministère de l'Exemple"):
    add(learner.user, {"targetName": code, "targetCode": case_id(team.framework.code, "competency", code)},
        issuer=issuer)


def fit_of(team, learner) -> profiles.JobFit:
    return profiles.job_fit(profile=profiles.learner_profile(email=learner.email), job=learner.job,
                            attested=external.external_profile(email=learner.email))


def by_code(team, fit: profiles.JobFit) -> dict[str, profiles.RequirementFit]:
    return {team.framework.competencies.get(pk=r.competency_id).code: r for r in fit.requirements}


def test_a_requirement_met_only_by_a_badge_from_elsewhere_counts_and_says_so(team):
    # Camille's métier (accueil) wants CMP-NUM-01 at N1 (optional): no city badge, one from a ministry.
    before = fit_of(team, team.mine)
    attest(team, team.mine, "CMP-NUM-01")
    fit = fit_of(team, team.mine)
    rows = by_code(team, fit)
    assert (rows["CMP-NUM-01"].status, rows["CMP-NUM-01"].proof, rows["CMP-NUM-01"].city_status) == \
        ("met", "external", "missing")
    assert rows["CMP-NUM-01"].proven_rank is None and rows["CMP-NUM-01"].attested_rank == 1
    assert (rows["CMP-REL-01"].status, rows["CMP-REL-01"].proof) == ("met", "city")
    assert fit.score == pytest.approx((2 + 1 + 1) / 5) and fit.city_score == pytest.approx((2 + 1) / 5)
    assert fit.city_score == before.score == before.city_score
    assert fit.count(profiles.MET) == 2 and fit.count(profiles.MET, proof=profiles.EXTERNAL) == 1


def test_the_citys_proof_wins_a_tie_and_a_badge_from_elsewhere_below_the_level_meets_in_part(team):
    attest(team, team.mine, "CMP-ETR-01")  # the city already proves N1 of the N3 required
    assert (by_code(team, fit_of(team, team.mine))["CMP-ETR-01"].proof) == "city"
    attest(team, team.other, "CMP-NUM-01")  # Karim's métier (numérique) wants N3; elsewhere attests N1
    row = by_code(team, fit_of(team, team.other))["CMP-NUM-01"]
    assert (row.status, row.proof, row.city_status, row.attested_rank) == ("partial", "external", "missing", 1)


def test_a_team_fits_with_the_attestations_of_each_agent(team):
    attest(team, team.mine, "CMP-NUM-01")
    emails = [team.mine.email, team.other.email]
    fits = profiles.job_fits(profiles=profiles.profiles_for(emails=emails),
                             jobs={team.mine.email: team.mine.job, team.other.email: team.other.job},
                             attested=external.external_profiles_for(emails=emails))
    assert fits[team.mine.email] == fit_of(team, team.mine)
    assert fits[team.other.email].count(profiles.MET, proof=profiles.EXTERNAL) == 0


def test_a_badge_from_elsewhere_for_an_obsolete_competency_attests_its_replacement(team):
    attest(team, team.other, "CMP-REL-03")  # obsolete, replaced by CMP-REL-01
    assert team.competency("CMP-REL-01").id in external.external_profile(email=team.other.email)


def test_the_job_fit_api_says_which_proof_meets_each_requirement(client, team):
    attest(team, team.mine, "CMP-NUM-01", issuer="Ministère de l'Exemple")
    client.force_login(team.mine.user)
    fit = client.get(f"/api/v1/me/jobs/{team.framework.code}/{team.framework.version}/MET-ACC-01").json()
    rows = {r["competency"]["code"]: r for r in fit["requirements"]}
    assert (rows["CMP-NUM-01"]["status"], rows["CMP-NUM-01"]["proof"]) == ("met", "external")
    assert rows["CMP-NUM-01"]["attested_by"] == ["Ministère de l'Exemple"] and rows["CMP-NUM-01"]["attested_rank"] == 1
    assert (rows["CMP-REL-01"]["proof"], rows["CMP-REL-01"]["attested_by"]) == ("city", [])
    assert (fit["score"], fit["city_score"], fit["met_elsewhere"], fit["met"]) == (0.8, 0.6, 1, 2)
    ranked = client.get(f"/api/v1/me/jobs?framework={team.framework.code}").json()["jobs"]
    accueil = next(j for j in ranked if j["code"] == "MET-ACC-01")
    assert (accueil["score"], accueil["city_score"], accueil["met_elsewhere"]) == (0.8, 0.6, 1)


def test_the_passport_shows_a_requirement_met_by_a_badge_from_elsewhere(client, team):
    attest(team, team.mine, "CMP-NUM-01")
    client.force_login(team.mine.user)
    page = client.get("/passeport/competences/").content.decode()
    current = page.split('id="job-title"')[1]
    row = current.split(Job.objects.get(code="MET-ACC-01").requirements.get(
        competency__code="CMP-NUM-01").competency.label)[1].split("</tr>")[0]
    assert 'data-status="met"' in row and 'data-proof="external"' in row
    assert "Badge obtenu ailleurs (Ministère de l&#x27;Exemple)" in row
    assert 'id="current-job-elsewhere"' in current and "seuls badges de la Ville, l’adéquation serait de 60 %" \
        in current
    assert "dont 1 par des badges obtenus ailleurs" in page.split('id="ranked-jobs"')[1]


def test_managers_see_requirements_met_elsewhere_apart_from_the_gaps(client, team):
    attest(team, team.mine, "CMP-NUM-01")
    attest(team, team.other, "CMP-NUM-01", issuer="Région Exemple")
    client.force_login(team.manager_drh)
    page = client.get("/equipe/").content.decode()
    camille = page.split('id="agent-')[1]
    assert 'data-met-elsewhere-competency="CMP-NUM-01"' in camille and 'data-met-elsewhere="1"' in camille
    assert "pas par un badge de la Ville" in camille
    client.force_login(team.manager_dsin)
    karim = client.get("/equipe/").content.decode().split("Karim Benali")[1]
    gap = karim.split('class="gap gap--partial"')[1].split("</li>")[0]
    assert "CMP-NUM-01" in gap or "Sécuriser son poste" in gap
    assert "par un badge obtenu ailleurs (Région Exemple)" in gap and "data-met-elsewhere" not in karim
