"""The référentiel served at the CASE 1.0 REST binding paths, as a CASE consumer (OpenSALT's "import from a CASE
server", a mirror) calls them: list the CFDocuments, then fetch each CFPackage by identifier."""

import io
import json
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from competencies.documents import case_package
from competencies.interchange import case_schema
from competencies.interchange.case import case_id, read_case
from competencies.interchange.case_schema import package_problems
from competencies.models import Framework
from competencies.services import framework_import
from tests.competencies.factories import small_framework

from .case_packages import VALID, package, tree

CASE = "/ims/case/v1p0"
OPENSALT_ACCEPT = "application/vnd.opensalt+json, application/json;q=0.8"  # what its remote-server client sends


@pytest.fixture
def frameworks(db):
    city = small_framework()
    imported = framework_import(bundle=read_case(package("opensalt_item_types.json")))
    return city, imported


def _get(client, path: str, **headers):
    return client.get(path, HTTP_ACCEPT=headers.get("accept", "application/json"))


def test_a_case_consumer_lists_the_documents_then_fetches_each_package(client, frameworks):
    listing = _get(client, f"{CASE}/CFDocuments", accept=OPENSALT_ACCEPT)
    assert listing.status_code == 200 and listing["Content-Type"].startswith("application/json")
    documents = listing.json()["CFDocuments"]
    assert {d["title"] for d in documents} == {"Référentiel d'essai, \"petit\"", "Compétences numériques des agents"}
    for document in documents:
        assert {"identifier", "uri", "creator", "title", "lastChangeDateTime", "CFPackageURI"} <= set(document)
        # as OpenSALT's mirror does: CFPackages/ + CFPackageURI.identifier (or the document's identifier)
        path = urlsplit(document["CFPackageURI"]["uri"]).path
        assert path == f"{CASE}/CFPackages/{document['CFPackageURI']['identifier']}"
        served = _get(client, path).json()
        assert served["CFDocument"]["identifier"] == document["identifier"]
        assert package_problems(served) == []


def test_an_imported_framework_is_served_with_its_original_identifiers(client, frameworks):
    source = package("opensalt_item_types.json")
    served = _get(client, f"{CASE}/CFPackages/{source['CFDocument']['identifier']}").json()
    assert tree(served) == tree(source)


def test_the_citys_identifiers_are_stable_uuids_derived_from_codes(client, frameworks):
    """UUID v5 of (framework code, kind, item code): the same in any database, run or later version."""
    identifier = case_id("test-metiers", "document", "1.0")
    served = _get(client, f"{CASE}/CFPackages/{identifier}").json()
    kinds = {"families": "family", "jobs": "job", "competencies": "competency"}
    for item in served["CFItems"]:
        kind = kinds[item["uri"].rsplit("/", 2)[1]]
        assert item["identifier"] == case_id("test-metiers", kind, item["humanCodingScheme"])


def test_one_document_item_association_rubric_and_item_type(client, frameworks):
    city_doc = case_id("test-metiers", "document", "1.0")
    package_ = _get(client, f"{CASE}/CFPackages/{city_doc}").json()
    document = _get(client, f"{CASE}/CFDocuments/{city_doc}").json()
    assert document["identifier"] == city_doc and document["CFPackageURI"]["identifier"] == city_doc

    item = _get(client, f"{CASE}/CFItems/{case_id('test-metiers', 'competency', 'CMP-REL-01')}").json()
    assert item["humanCodingScheme"] == "CMP-REL-01" and item["CFDocumentURI"]["identifier"] == city_doc

    source = package("opensalt_item_types.json")
    foreign_item = source["CFItems"][2]
    served = _get(client, f"{CASE}/CFItems/{foreign_item['identifier']}").json()
    assert served["fullStatement"] == foreign_item["fullStatement"]
    assert served["CFDocumentURI"]["identifier"] == source["CFDocument"]["identifier"]

    links = _get(client, f"{CASE}/CFItemAssociations/{foreign_item['identifier']}").json()
    assert links["CFItem"]["identifier"] == foreign_item["identifier"]
    assert {a["associationType"] for a in links["CFAssociations"]} >= {"isChildOf", "precedes", "exactMatchOf"}

    association = package_["CFAssociations"][0]
    assert _get(client, f"{CASE}/CFAssociations/{association['identifier']}").json()["identifier"] == \
        association["identifier"]
    rubric = package_["CFRubrics"][0]
    assert _get(client, f"{CASE}/CFRubrics/{rubric['identifier']}").json() == rubric
    item_type = package_["CFDefinitions"]["CFItemTypes"][0]
    assert _get(client, f"{CASE}/CFItemTypes/{item_type['identifier']}").json() == {"CFItemTypes": [item_type]}
    grouping = package_["CFDefinitions"]["CFAssociationGroupings"][0]
    assert _get(client, f"{CASE}/CFAssociationGroupings/{grouping['identifier']}").json() == grouping


def _status_info(response) -> tuple[int, str, str]:
    body = response.json()
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error" and body["imsx_description"]
    return response.status_code, body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"], \
        body["imsx_description"]


@pytest.mark.parametrize("kind", ["CFDocuments", "CFPackages", "CFItems", "CFItemAssociations", "CFAssociations",
                                  "CFRubrics", "CFItemTypes", "CFLicenses"])
def test_unknown_and_invalid_identifiers_answer_case_status_info(client, frameworks, kind):
    status, minor, _ = _status_info(_get(client, f"{CASE}/{kind}/7c1b2a3d-0000-4000-8000-000000000000"))
    assert (status, minor) == (404, "unknownobject")
    status, minor, _ = _status_info(_get(client, f"{CASE}/{kind}/not-a-uuid"))
    assert (status, minor) == (404, "invalid_uuid")


def test_the_service_is_read_only_and_checks_its_paging_parameters(client, frameworks):
    response = client.post(f"{CASE}/CFDocuments", data={})
    assert _status_info(response)[:2] == (405, "forbidden") and response["Allow"] == "GET, HEAD"
    assert _status_info(_get(client, f"{CASE}/CFDocuments?limit=abc"))[:2] == (400, "invalid_selection_field")
    assert _status_info(_get(client, f"{CASE}/CFDocuments?limit=0"))[:2] == (400, "invalid_selection_field")
    page = _get(client, f"{CASE}/CFDocuments?limit=1&offset=1").json()["CFDocuments"]
    assert [d["title"] for d in page] == ["Référentiel d'essai, \"petit\""]


@pytest.fixture
def six_documents(db):
    small_framework()
    for name in VALID:
        framework_import(bundle=read_case(package(name)))
    return sorted(d["title"] for d in _get_all())


def _get_all():
    from django.test import Client
    return Client().get(f"{CASE}/CFDocuments").json()["CFDocuments"]


def _titles(client, query: str) -> list[str]:
    answer = _get(client, f"{CASE}/CFDocuments?{query}")
    assert answer.status_code == 200, answer.content
    return [d["title"] for d in answer.json()["CFDocuments"]]


def test_the_document_list_sorts_filters_and_selects_as_case_defines(client, six_documents):
    assert len(six_documents) == 6
    assert _titles(client, "sort=title&orderBy=desc") == sorted(six_documents, reverse=True)
    assert _titles(client, "sort=title") == sorted(six_documents)
    assert _titles(client, "filter=title~'COMPÉTENCES'") == ["Compétences numériques des agents"]
    assert sorted(_titles(client, "filter=title='Soft skills' OR title='Référentiel accueil 2025'")) == [
        "Référentiel accueil 2025", "Soft skills"]
    assert _titles(client, "filter=title~'accueil' AND title!='Soft skills'") == ["Référentiel accueil 2025"]
    assert _titles(client, "filter=title='Personne'") == []
    selected = _get(client, f"{CASE}/CFDocuments?fields=identifier,title&limit=2").json()["CFDocuments"]
    assert [set(d) for d in selected] == [{"identifier", "title"}] * 2


def test_the_document_list_pages_with_the_total_and_links(client, six_documents):
    answer = _get(client, f"{CASE}/CFDocuments?sort=title&limit=2&offset=2&filter=title!='Soft skills'")
    assert [d["title"] for d in answer.json()["CFDocuments"]] == [t for t in six_documents if t != "Soft skills"][2:4]
    assert answer["X-Total-Count"] == "5"
    links = dict(reversed(part.split("; rel=")) for part in answer["Link"].split(", "))
    assert set(links) == {'"first"', '"prev"', '"next"', '"last"'}
    assert "offset=0" in links['"prev"'] and "offset=4" in links['"next"'] and "offset=4" in links['"last"']
    assert "filter=title%21%3D%27Soft+skills%27" in links['"next"'] and "sort=title" in links['"next"']
    assert "prev" not in _get(client, f"{CASE}/CFDocuments?limit=2")["Link"]


def test_every_list_answer_is_a_case_cf_document_set(client, six_documents):
    for query in ("", "fields=identifier,uri,creator,title,lastChangeDateTime,CFPackageURI", "sort=lastChangeDateTime"):
        assert case_schema.answer_problems("CFDocumentSet", _get(client, f"{CASE}/CFDocuments?{query}").json()) == []


@pytest.mark.parametrize(("query", "code_minor"), [
    ("sort=colour", "invalid_sort_field"),
    ("sort=title&orderBy=sideways", "invalid_sort_field"),
    ("fields=identifier,colour", "invalid_selection_field"),
    ("filter=colour='bleu'", "invalid_selection_field"),
    ("filter=title='a' AND title='b' OR title='c'", "invalid_selection_field"),
    ("filter=title is 'a'", "invalid_selection_field"),
    ("limit=abc", "invalid_selection_field"),
    ("limit=0", "invalid_selection_field"),
    ("offset=-1", "invalid_selection_field"),
])
def test_a_parameter_case_does_not_allow_is_a_400_status_info(client, frameworks, query, code_minor):
    answer = _get(client, f"{CASE}/CFDocuments?{query}")
    assert _status_info(answer)[:2] == (400, code_minor)
    assert case_schema.answer_problems("imsx_StatusInfo", answer.json()) == []


@pytest.mark.django_db(transaction=True)
def test_another_instance_imports_the_citys_referentiel_by_url(live_server, settings):
    """End to end through HTTP: this service's import_framework, pointed at this service's CASE server (a real
    loopback server, explicitly allowed), gets back every item with its statement, code and hierarchy."""
    small_framework()
    port = urlsplit(live_server.url).port
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [f"127.0.0.1:{port}"]
    identifier = case_id("test-metiers", "document", "1.0")
    url = f"{live_server.url}{CASE}/CFPackages/{identifier}"
    with urllib.request.urlopen(url) as response:  # a plain HTTP client, as any CASE consumer
        served = json.loads(response.read())
    out = io.StringIO()
    call_command("import_framework", url, "--code", "copie", stdout=out, stderr=io.StringIO())
    assert "imported copie 1.0 (2 jobs, 6 competencies, 4 levels)" in out.getvalue()
    copy = Framework.objects.get(code="copie")
    assert tree(case_package(copy)) == tree(served)


def _definitions_and_levels(package_: dict) -> list[dict]:
    levels = [lv for r in package_.get("CFRubrics", []) for c in r["CFRubricCriteria"]
              for lv in c["CFRubricCriterionLevels"]]
    return [*levels, *package_.get("CFRubrics", []), *(d for kind in package_.get("CFDefinitions", {}).values()
                                                       for d in kind)]


def test_served_packages_are_what_opensalts_case_1_0_import_accepts(client, db):
    """OpenSALT validates a package against its CASE 1.0 schema before importing it: closed objects for
    definitions and rubrics (no ``extensions``), CASE 1.0's nine association types, nodes of three members."""
    small_framework()
    for name in VALID:
        framework_import(bundle=read_case(package(name)))
    case_1_0 = {"isChildOf", "isPeerOf", "isPartOf", "exactMatchOf", "precedes", "isRelatedTo", "replacedBy",
                "exemplar", "hasSkillLevel"}
    for document in _get(client, f"{CASE}/CFDocuments").json()["CFDocuments"]:
        served = _get(client, f"{CASE}/CFPackages/{document['identifier']}").json()
        assert package_problems(served) == []
        assert not any("extensions" in node for node in _definitions_and_levels(served))
        assert {a["associationType"] for a in served["CFAssociations"]} <= case_1_0
        assert all(set(a[end]) == {"title", "identifier", "uri"} for a in served["CFAssociations"]
                   for end in ("originNodeURI", "destinationNodeURI"))


def test_a_file_export_keeps_case_1_1_association_types(db):
    framework = framework_import(bundle=read_case(package("case_1_1_rubric.json")))
    kinds = {a["associationType"] for a in case_package(framework)["CFAssociations"]}
    assert {"isTranslationOf", "ext:isAssessedBy"} <= kinds


def test_a_replaced_framework_is_served_anew_not_from_the_cache(client, db):
    framework = framework_import(bundle=read_case(package("replaced_by.json")))
    identifier = framework.case_identifier
    first = _get(client, f"{CASE}/CFPackages/{identifier}").json()
    changed = package("replaced_by.json")
    changed["CFItems"][1]["fullStatement"] = "Accueillir le public, partout"
    framework_import(bundle=read_case(changed), replace=True)
    again = _get(client, f"{CASE}/CFPackages/{identifier}").json()
    assert {i["fullStatement"] for i in again["CFItems"]} - {i["fullStatement"] for i in first["CFItems"]} == {
        "Accueillir le public, partout"}
    item = _get(client, f"{CASE}/CFItems/{changed['CFItems'][1]['identifier']}").json()
    assert item["fullStatement"] == "Accueillir le public, partout"


def test_a_cache_outage_only_costs_time(client, frameworks, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("competencies.case_binding.cache.get", down)
    monkeypatch.setattr("competencies.case_binding.cache.set", down)
    identifier = case_id("test-metiers", "document", "1.0")
    assert _get(client, f"{CASE}/CFPackages/{identifier}").json()["CFDocument"]["identifier"] == identifier


def test_the_case_service_is_rate_limited_as_a_public_document(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"case-limits-{uuid.uuid4()}"}}
    settings.BADGES_RATE_LIMITS = {**settings.BADGES_RATE_LIMITS, "documents": "2/minute"}
    answers = [_get(client, f"{CASE}/CFDocuments") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert _status_info(answers[2])[:2] == (429, "server_busy") and int(answers[2]["Retry-After"]) >= 1
    assert case_schema.answer_problems("imsx_StatusInfo", answers[2].json()) == []
    assert client.get("/", HTTP_ACCEPT="application/json").status_code == 200  # another scope, its own answer


def test_every_error_answer_is_a_case_status_info(client, frameworks):
    for path in ("CFItems/not-a-uuid", "CFPackages/7c1b2a3d-0000-4000-8000-000000000000"):
        assert case_schema.answer_problems("imsx_StatusInfo", _get(client, f"{CASE}/{path}").json()) == []
    assert case_schema.answer_problems("imsx_StatusInfo", client.post(f"{CASE}/CFDocuments").json()) == []
