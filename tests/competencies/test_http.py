"""The référentiel over HTTP: resolvable pages with content negotiation, and the profile/search API."""

import json

import pytest

from competencies import identifiers
from competencies.models import Competency, Job, ProficiencyLevel
from issuers import services
from issuers.alignments import alignment_set
from issuers.models import Issuer
from issuers.permissions import SYSTEM
from learners.models import Learner, ManagerScope
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, UserFactory

HTML = {"HTTP_ACCEPT": "text/html"}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def fw(db):
    return small_framework()


def _path(url: str) -> str:
    return url.split("badges.example.test", 1)[1]


def test_framework_page_is_html_for_people_and_case_for_machines(client, fw):
    url = _path(identifiers.framework_url(fw))
    page = client.get(url, **HTML)
    assert page.status_code == 200 and "Accueillir le public" in page.content.decode()
    package = client.get(url, **JSON).json()
    assert package["CFDocument"]["title"] == fw.title and len(package["CFItems"]) == 2 + 2 + 6
    assert client.get(url + "?format=case").json()["CFDocument"]["identifier"] == package["CFDocument"]["identifier"]


def test_latest_version_is_served_without_a_version(client, fw):
    assert client.get(f"/frameworks/{fw.code}", **JSON).json()["CFDocument"]["version"] == "1.0"


def test_job_and_competency_urls_resolve_to_pages_and_cfitems(client, fw):
    job = Job.objects.get(code="MET-ACC-01")
    page = client.get(_path(identifiers.job_url(job)), **HTML).content.decode()
    assert "Agent·e d&#x27;accueil" in page and "K1602" in page and "M1601" in page
    item = client.get(_path(identifiers.job_url(job)), **JSON).json()
    assert item["humanCodingScheme"] == "MET-ACC-01" and item["uri"] == identifiers.job_url(job)
    competency = Competency.objects.get(code="CMP-REL-03")
    page = client.get(_path(identifiers.competency_url(competency)), **HTML).content.decode()
    assert "Accueillir le public" in page  # names its replacement
    assert client.get(_path(identifiers.competency_url(competency)), **JSON).json()["CFItemType"] == "Savoir"


def test_unknown_items_are_404(client, fw):
    assert client.get(f"/frameworks/{fw.code}/1.0/jobs/NOPE", **JSON).status_code == 404
    assert client.get("/frameworks/nope/1.0", **HTML).status_code == 404


def test_credential_alignment_urls_resolve_here(client, fw):
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code="CMP-REL-01"), actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    alignments = json.loads(credential.document)["credentialSubject"]["achievement"]["alignment"]
    for alignment in (a for a in alignments if a["targetType"] == "CFItem"):
        assert client.get(_path(alignment["targetUrl"]), **JSON).json()["humanCodingScheme"] == alignment["targetCode"]


@pytest.fixture
def agent_client(client, fw):
    user = UserFactory(email="camille@ville-exemple.fr")
    Learner.objects.create(email=user.email, user=user, direction=Issuer.objects.get(slug="drh"))
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code="CMP-REL-01"),
                  level=ProficiencyLevel.objects.get(framework=fw, code="N3"), actor=SYSTEM)
    services.credential_issue(achievement=achievement, recipient_email=user.email, actor=SYSTEM)
    client.force_login(user)
    return client


def test_my_profile_lists_proven_levels_with_evidence(agent_client):
    body = agent_client.get("/api/v1/me/profile").json()
    (row,) = body["competencies"]
    assert row["competency"]["code"] == "CMP-REL-01" and row["level"]["code"] == "N3"
    assert row["evidence"][0].startswith("https://badges.example.test/credentials/")


def test_my_jobs_are_ranked_and_a_job_fit_is_detailed(agent_client, fw):
    jobs = agent_client.get(f"/api/v1/me/jobs?framework={fw.code}").json()["jobs"]
    assert jobs[0]["code"] == "MET-ACC-01" and jobs[0]["met"] == 1
    fit = agent_client.get(f"/api/v1/me/jobs/{fw.code}/1.0/MET-ACC-01").json()
    assert {r["competency"]["code"]: r["status"] for r in fit["requirements"]} == {
        "CMP-REL-01": "met", "CMP-ETR-01": "missing", "CMP-NUM-01": "missing"}


def test_agent_search_respects_the_managers_direction(client, fw, agent_client):
    manager, outsider = UserFactory(), UserFactory()
    ManagerScope.objects.create(user=manager, direction=Issuer.objects.get(slug="drh"))
    query = f"/api/v1/agents?framework={fw.code}&competency=CMP-REL-01&min_level=N2"
    client.force_login(manager)
    assert [a["email"] for a in client.get(query).json()["agents"]] == ["camille@ville-exemple.fr"]
    client.force_login(outsider)
    assert client.get(query).json()["agents"] == []


def test_agent_search_needs_its_parameters_and_sign_in(client, fw):
    assert client.get("/api/v1/agents?framework=x").status_code in (401, 403)
    client.force_login(UserFactory())
    response = client.get("/api/v1/agents?framework=x")
    assert response.status_code == 400 and "competency" in response.json()["error"]["details"]["fields"]


def test_credential_and_achievement_pages_name_the_attested_skills_and_level(client, fw):
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code="CMP-REL-01"),
                  level=ProficiencyLevel.objects.get(framework=fw, code="N2"), actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr",
                                           level=ProficiencyLevel.objects.get(framework=fw, code="N4"), actor=SYSTEM)
    services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
    page = client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT="text/html",
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Compétences attestées par ce badge" in page
    assert "Accueillir le public" in page and "Expertise" in page  # the achieved level, not the required one
    page = client.get(f"/achievements/{achievement.slug}", HTTP_ACCEPT="text/html").content.decode()
    assert "Accueillir le public" in page and "Pratique" in page  # the required level


def test_partners_read_frameworks_without_signing_in(client, fw):
    listing = client.get("/api/v1/frameworks").json()
    assert listing == [{"code": "test-metiers", "version": "1.0", "title": fw.title, "language": "fr",
                        "url": identifiers.framework_url(fw)}]
    bundle = client.get("/api/v1/frameworks/test-metiers/1.0").json()
    assert bundle["format"] == "villeapp-framework-bundle/1" and len(bundle["requirements"]) == 5
    case = client.get("/api/v1/frameworks/test-metiers/1.0?format=case").json()
    assert "CFDocument" in case


def test_partners_search_competencies_by_text_kind_and_domain(client, fw):
    url = "/api/v1/frameworks/test-metiers/1.0/competencies"
    assert [c["code"] for c in client.get(url + "?q=écoute").json()] == ["CMP-ETR-01", "CMP-ETR-02"]
    assert [c["code"] for c in client.get(url + "?q=écoute&domain=management").json()] == ["CMP-ETR-02"]
    assert {c["kind"] for c in client.get(url + "?kind=savoir").json()} == {"savoir"}
    assert client.get("/api/v1/frameworks/nope/1.0/competencies").status_code == 404
