"""CASE packages of other tools imported into the référentiel and exported back; refused atomically when they are
not CASE; read from a CASE server by URL through the SSRF-safe fetcher."""

import contextlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from competencies.documents import case_package, ob3_alignments
from competencies.interchange.bundle import BundleInvalid
from competencies.interchange.case import CaseOptions, read_case
from competencies.interchange.case_schema import package_problems
from competencies.models import Competency, Framework, Job, JobRequirement
from competencies.services import framework_import
from issuers import services
from issuers.alignments import alignment_set
from issuers.permissions import SYSTEM
from learners.models import Learner
from skills import profiles
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, UserFactory
from tests.verification.document_server import DocumentServer

from .case_packages import CASE, VALID, associations, package, tree


def _import(name: str, **options) -> Framework:
    return framework_import(bundle=read_case(json.dumps(package(name)), options=CaseOptions(**options)))


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(CommandError):  # the tests read what it wrote to stderr
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", VALID)
def test_each_fixture_imports_and_exports_back_with_every_statement_code_and_hierarchy(db, name):
    framework = _import(name)
    exported = case_package(framework)
    original = package(name)
    assert tree(exported) == tree(original)
    assert associations(original) <= associations(exported)
    assert exported["CFDocument"]["identifier"] == original["CFDocument"]["identifier"]
    assert package_problems(exported) == []


def test_imported_items_keep_their_case_identifier_and_uri_for_matching_alignments(db):
    framework = _import("opensalt_item_types.json")
    source = {i["humanCodingScheme"]: i for i in package("opensalt_item_types.json")["CFItems"]}
    competency = Competency.objects.get(framework=framework, code="1.1.1")
    assert (competency.case_identifier, competency.case_uri) == (source["1.1.1"]["identifier"], source["1.1.1"]["uri"])
    assert competency.label == source["1.1.1"]["fullStatement"]  # Markdown and CRLF, verbatim
    assert framework.case_identifier == package("opensalt_item_types.json")["CFDocument"]["identifier"]


def test_a_package_that_is_not_case_is_refused_and_nothing_is_written(db):
    with pytest.raises(BundleInvalid) as caught:
        _import("not_case.json")
    assert str(caught.value.problems[0]).startswith("CFDocument: required")
    assert not Framework.objects.exists() and not Competency.objects.exists()


def test_a_package_with_one_bad_row_writes_nothing(db):
    source = package("jobs_by_definitions.json")
    source["CFAssociations"][5]["extensions"] = {"villeapp": {"level": "N9"}}
    with pytest.raises(BundleInvalid) as caught:
        framework_import(bundle=read_case(source))
    assert [str(p) for p in caught.value.problems] == [
        "CFAssociations[5].extensions.villeapp.level: unknown level 'N9'"]
    assert not Framework.objects.exists() and not Job.objects.exists()


def test_requirements_without_a_scale_carry_no_level_and_any_proof_meets_them(db):
    framework = _import("jobs_by_definitions.json")
    assert not framework.levels.exists()
    assert set(JobRequirement.objects.values_list("level", flat=True)) == {None}
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code="CP-TAIL"), actor=SYSTEM)
    services.credential_issue(achievement=achievement, recipient_email="dominique@ville-exemple.fr", actor=SYSTEM)
    profile = profiles.learner_profile(email="dominique@ville-exemple.fr")
    tail = Competency.objects.get(code="CP-TAIL")
    assert (profile[tail.id].level_id, profile[tail.id].rank) == (None, 0)
    fit = profiles.job_fit(profile=profile, job=Job.objects.get(code="EV-JAR"))
    assert {(r.competency_id, r.status) for r in fit.requirements} == {
        (tail.id, profiles.MET), (Competency.objects.get(code="CP-ESP").id, profiles.MISSING)}


def test_a_badge_aligned_to_an_imported_item_also_points_at_its_publishers_uri(db):
    _import("opensalt_item_types.json")
    competency = Competency.objects.get(code="1.1.1")
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=competency, actor=SYSTEM)
    targets = [(a.target_url, a.target_type) for a in ob3_alignments(list(achievement.alignments.all()))]
    assert (competency.case_uri, "CFItem") in targets and len(targets) == 2


def test_pages_and_api_show_a_level_less_proof_and_requirement(client, db):
    """A framework without a scale: the learner's profile and job fit say "no level", they do not fail."""
    framework = _import("jobs_by_definitions.json")
    user = UserFactory(email="sacha@ville-exemple.fr")
    Learner.objects.create(email=user.email, user=user, job=Job.objects.get(code="EV-JAR"))
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code="CP-TAIL"), actor=SYSTEM)
    services.credential_issue(achievement=achievement, recipient_email=user.email, actor=SYSTEM)
    client.force_login(user)
    (row,) = client.get("/api/v1/me/profile").json()["competencies"]
    assert row["competency"]["code"] == "CP-TAIL" and row["level"] is None
    fit = client.get(f"/api/v1/me/jobs/{framework.code}/{framework.version}/EV-JAR").json()
    assert {(r["competency"]["code"], r["required_level"], r["status"]) for r in fit["requirements"]} == {
        ("CP-TAIL", None, "met"), ("CP-ESP", None, "missing")}
    page = client.get("/passeport/competences/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "Tailler les arbustes" in page.content.decode()


def test_the_scale_option_gives_a_rubric_less_package_another_frameworks_scale(db):
    city = small_framework()
    source = package("jobs_by_definitions.json")
    source["CFAssociations"][4]["extensions"] = {"villeapp": {"level": "N3"}}
    framework = framework_import(bundle=read_case(source), scale=city)
    assert list(framework.levels.values_list("code", flat=True)) == ["N1", "N2", "N3", "N4"]
    assert JobRequirement.objects.get(competency__code="CP-TAIL").level.code == "N3"
    assert "CFRubrics" in case_package(framework)


def test_the_command_takes_the_case_options(db):
    out, err = run("import_framework", str(CASE / "opensalt_item_types.json"), "--job-family-type", "Domain",
                   "--job-type", "Cluster", "--code", "numerique", "--framework-version", "2024-a")
    assert "imported numerique 2024-a (2 jobs, 4 competencies, 0 levels)" in out, err
    assert list(Job.objects.values_list("code", "family__code")) == [("1.1", "1"), ("1.2", "1")]


def test_the_command_lists_every_problem_by_json_path_and_never_a_csv_file(db):
    out, err = run("import_framework", str(CASE / "not_case.json"))
    assert "7 problem(s), nothing imported" in err
    assert "  CFAssociations[0]: isChildOf cycle: 'B0' would be its own ancestor" in err
    assert ".csv" not in err and not Framework.objects.exists()


@pytest.fixture
def case_server(settings):
    server = DocumentServer()
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    yield server
    server.close()


def test_import_from_a_case_server_by_cfpackages_url(db, case_server):
    identifier = package("replaced_by.json")["CFDocument"]["identifier"]
    url = case_server.serve(f"/ims/case/v1p0/CFPackages/{identifier}", (CASE / "replaced_by.json").read_bytes())
    out, err = run("import_framework", url)
    assert "imported referentiel-accueil-2025 2025.1 (0 jobs, 4 competencies, 0 levels)" in out, err
    path, headers = case_server.requests[-1]
    assert path == f"/ims/case/v1p0/CFPackages/{identifier}" and "application/json" in headers["Accept"]
    assert Competency.objects.get(code="ACC-01").replaced_by.code == "ACC-02"


def test_a_cfdocument_url_is_followed_to_its_package(db, case_server):
    source = package("opensalt_item_types.json")
    identifier = source["CFDocument"]["identifier"]
    package_url = case_server.serve(f"/ims/case/v1p0/CFPackages/{identifier}", json.dumps(source))
    document_url = case_server.serve(f"/ims/case/v1p0/CFDocuments/{identifier}", json.dumps(
        {**source["CFDocument"], "CFPackageURI": {"title": "p", "identifier": identifier, "uri": package_url}}))
    out, err = run("import_framework", document_url)
    assert "imported competences-numeriques-des-agents 2024" in out, err


def test_a_case_server_on_a_private_address_is_refused_and_nothing_is_imported(db, case_server, settings):
    settings.BADGES_FETCH_ALLOWED_PRIVATE = []
    url = case_server.serve("/ims/case/v1p0/CFPackages/x", (CASE / "replaced_by.json").read_bytes())
    out, err = run("import_framework", url)
    assert "loopback" in err and case_server.requests == [] and not Framework.objects.exists()


def test_a_case_server_answer_that_is_not_a_package_is_refused_by_path(db, case_server):
    url = case_server.serve("/ims/case/v1p0/CFPackages/x", json.dumps({"CFItems": []}))
    out, err = run("import_framework", url)
    assert "CFDocument: required" in err and not Framework.objects.exists()


def test_a_case_server_answer_larger_than_the_limit_is_refused(db, case_server, settings):
    settings.BADGES_CASE_FETCH_MAX_BYTES = 1000
    url = case_server.serve("/ims/case/v1p0/CFPackages/x", (CASE / "opensalt_item_types.json").read_bytes())
    out, err = run("import_framework", url)
    assert "larger than 1000 bytes" in err or "the limit is 1000" in err
    assert not Framework.objects.exists()
