"""CASE packages as other tools write them, read without the database: rubrics optional, any item type,
``replacedBy``, kept identifiers and unused parts, verbatim statements; bad packages refused by JSON path."""

import json
from datetime import date

import pytest

from competencies.interchange.bundle import BundleInvalid, validate
from competencies.interchange.case import CaseOptions, read_case, write_case
from competencies.interchange.case_schema import package_problems

from .case_packages import VALID, associations, package, tree

BASE = "https://badges.example.test/frameworks/imported/1"
CHANGED = "2026-12-01T10:00:00Z"


def _export(bundle) -> dict:
    return write_case(bundle, base_url=BASE, changed=CHANGED)


def _problems(raw, **options) -> list[str]:
    with pytest.raises(BundleInvalid) as caught:
        bundle = read_case(raw, options=CaseOptions(**options))
        problems = validate(bundle)
        if problems:
            raise BundleInvalid(problems)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("name", VALID)
def test_each_fixture_reads_without_a_problem(name):
    assert validate(read_case(json.dumps(package(name)))) == []


@pytest.mark.parametrize("name", VALID)
def test_each_fixture_exports_back_with_every_statement_code_and_hierarchy(name):
    """Identifiers, statements (verbatim), humanCodingScheme and isChildOf parents come back unchanged."""
    original = package(name)
    exported = _export(read_case(json.dumps(original)))
    assert tree(exported) == tree(original) | {}  # same items, same identifiers
    assert exported["CFDocument"]["identifier"] == original["CFDocument"]["identifier"]


@pytest.mark.parametrize("name", VALID)
def test_each_fixture_keeps_every_association_with_its_identifier(name):
    original = package(name)
    exported = _export(read_case(json.dumps(original)))
    assert associations(original) <= associations(exported)


@pytest.mark.parametrize("name", VALID)
def test_every_package_exported_validates_against_the_bundled_case_schema(name):
    assert package_problems(_export(read_case(json.dumps(package(name))))) == []


def test_a_package_without_rubric_is_a_framework_without_scale():
    bundle = read_case(json.dumps(package("opensalt_item_types.json")))
    assert bundle.levels == [] and validate(bundle) == []
    assert "CFRubrics" not in _export(bundle)


def test_a_foreign_rubric_becomes_the_scale_in_position_order():
    bundle = read_case(json.dumps(package("case_1_1_rubric.json")))
    assert [(lv.rank, lv.label) for lv in bundle.levels] == [(1, "Beginning"), (2, "Practising"), (3, "Expert")]


def test_replaced_by_supersedes_the_origin_whatever_its_status_fields_say():
    source = package("replaced_by.json")
    competencies = {c.code: c for c in read_case(json.dumps(source)).competencies}
    assert (competencies["ACC-01"].status, competencies["ACC-01"].replaced_by) == ("obsolete", "ACC-02")
    assert competencies["ACC-02"].status == "active"
    # replaced by an item of another framework: superseded, and the association survives the export
    assert (competencies["ACC-03"].status, competencies["ACC-03"].replaced_by) == ("obsolete", "")
    exported = _export(read_case(json.dumps(source)))
    outside = [a for a in exported["CFAssociations"] if a["associationType"] == "replacedBy"
               and a["destinationNodeURI"]["uri"].startswith("https://case.example.net/")]
    assert len(outside) == 1


def test_replaced_by_wins_over_an_active_status_in_our_own_extension():
    source = package("replaced_by.json")
    source["CFItems"][0]["extensions"] = {"villeapp": {"status": "active"}}
    assert {c.code: c.status for c in read_case(source).competencies}["ACC-01"] == "obsolete"


def test_a_past_status_end_date_makes_an_item_obsolete():
    source = package("replaced_by.json")
    source["CFItems"][3]["statusEndDate"] = "2020-06-30"
    competencies = read_case(source, options=CaseOptions(today=date(2026, 1, 1))).competencies
    assert [c.status for c in competencies if c.label.startswith("Orienter")] == ["obsolete"]


def test_any_item_type_imports_as_a_competency_by_default():
    bundle = read_case(json.dumps(package("opensalt_item_types.json")))
    assert (bundle.families, bundle.jobs) == ([], [])
    parents = {c.code: c.parent for c in bundle.competencies}
    assert parents == {"1": "", "1.1": "1", "1.1.1": "1.1", "1.1.2": "1.1", "1.1.1.a": "1.1.1", "1.2": "1",
                       "1.2.1": "1.2"}
    assert {c.kind for c in bundle.competencies} == {"savoir-faire"}


def test_options_name_the_item_types_of_job_families_and_jobs():
    bundle = read_case(json.dumps(package("opensalt_item_types.json")),
                       options=CaseOptions(family_types=("Domain",), job_types=("cluster",), default_kind="savoir"))
    assert [f.code for f in bundle.families] == ["1"]
    assert {j.code: j.family for j in bundle.jobs} == {"1.1": "1", "1.2": "1"}
    competencies = {c.code: c for c in bundle.competencies}
    assert competencies["1.1.1"].parent == "" and competencies["1.1.1.a"].parent == "1.1.1"
    assert {c.kind for c in competencies.values()} == {"savoir"}
    assert validate(bundle) == []


def test_cfdefinitions_roles_say_which_types_are_families_and_jobs():
    bundle = read_case(json.dumps(package("jobs_by_definitions.json")))
    assert [(f.code, f.label) for f in bundle.families] == [("EV", "Espaces verts et nature en ville")]
    assert [(j.code, j.family) for j in bundle.jobs] == [("EV-JAR", "EV")]
    assert sorted((r.job, r.competency, r.level, r.essential) for r in bundle.requirements) == [
        ("EV-JAR", "CP-ESP", "", True), ("EV-JAR", "CP-TAIL", "", True)]
    assert validate(bundle) == []


def test_statements_survive_verbatim_html_markdown_and_whitespace_included():
    source = package("case_network_statements.json")
    labels = {c.label for c in read_case(json.dumps(source)).competencies}
    assert labels == {i["fullStatement"] for i in source["CFItems"]}
    assert any("<ul><li>" in label for label in labels) and any("| --- |" in label for label in labels)


def test_unusable_human_coding_schemes_give_way_to_the_identifier_and_are_exported_as_they_were():
    source = package("case_network_statements.json")
    codes = {c.label[:20]: c.code for c in read_case(json.dumps(source)).competencies}
    by_id = {i["identifier"]: i for i in source["CFItems"]}
    assert codes["Animer une réunion d"] in by_id  # "PRJ/2": a "/" cannot be in a URL segment
    assert codes["Calculer un budget p"] in by_id  # second "PRJ.1"
    assert codes["Évaluer le projet a "] in by_id  # empty humanCodingScheme
    exported = {i["identifier"]: i.get("humanCodingScheme") for i in _export(read_case(source))["CFItems"]}
    assert exported == {i["identifier"]: i.get("humanCodingScheme") or None for i in source["CFItems"]}


def test_case_network_nodes_whose_uri_is_the_identifier_are_resolved():
    bundle = read_case(json.dumps(package("case_network_statements.json")))
    assert sum(1 for c in bundle.competencies if c.parent == "PRJ") == 5


def test_definitions_document_fields_and_item_fields_are_kept():
    source = package("opensalt_item_types.json")
    exported = _export(read_case(json.dumps(source)))
    assert {d["title"] for d in exported["CFDefinitions"]["CFLicenses"]} == {"Licence Ouverte 2.0"}
    assert {d["title"] for d in exported["CFDefinitions"]["CFSubjects"]} == {"Numérique"}
    assert {"Domain", "Cluster", "Standard", "Competency"} <= {
        d["title"] for d in exported["CFDefinitions"]["CFItemTypes"]}
    document = exported["CFDocument"]
    assert document["licenseURI"]["title"] == "Licence Ouverte 2.0"
    assert document["officialSourceURL"] == source["CFDocument"]["officialSourceURL"]
    assert document["creator"] == "Académie de Normandie (OpenSALT)"
    item = next(i for i in exported["CFItems"] if i.get("humanCodingScheme") == "1")
    assert item["CFItemType"] == "Domain" and item["educationLevel"] == ["09", "10", "11"]
    assert item["CFItemTypeURI"] == source["CFItems"][0]["CFItemTypeURI"]
    assert item["licenseURI"]["uri"] == source["CFItems"][0]["licenseURI"]["uri"]


def test_unused_association_types_are_kept_not_refused():
    exported = _export(read_case(json.dumps(package("opensalt_item_types.json"))))
    kinds = [a["associationType"] for a in exported["CFAssociations"]]
    for kind in ("precedes", "isPeerOf", "isPartOf", "exemplar", "exactMatchOf", "hasSkillLevel", "isRelatedTo"):
        assert kind in kinds
    exported = _export(read_case(json.dumps(package("case_1_1_rubric.json"))))
    assert {"isTranslationOf", "ext:isAssessedBy"} <= {a["associationType"] for a in exported["CFAssociations"]}


def test_case_1_0_strings_where_1_1_has_arrays_are_accepted_and_exported_as_arrays():
    source = package("replaced_by.json")
    source["CFItems"][0]["educationLevel"] = "09,10"
    source["CFItems"][0]["conceptKeywords"] = ["accueil"]
    exported = _export(read_case(source))
    item = next(i for i in exported["CFItems"] if i.get("humanCodingScheme") == "ACC-01")
    assert item["educationLevel"] == ["09", "10"] and package_problems(exported) == []


def test_a_package_that_is_not_case_is_refused_with_every_problem_by_json_path():
    assert _problems(json.dumps(package("not_case.json"))) == [
        "CFDocument: required: a CFPackage has one CFDocument (this is not a CASE package)",
        "CFDocument.title: required",
        "CFItems[2].fullStatement: required",
        "CFItems[3].identifier: required",
        "CFAssociations[0]: isChildOf cycle: 'B0' would be its own ancestor",
        "CFAssociations[1]: isChildOf cycle: 'B1' would be its own ancestor",
        "CFAssociations[2].destinationNodeURI: unknown item 'item-that-is-nowhere': neither in CFItems nor a URI",
    ]


def test_a_longer_cycle_and_a_self_parent_are_found():
    source = package("opensalt_item_types.json")
    items = {i.get("humanCodingScheme"): i for i in source["CFItems"]}
    for association in source["CFAssociations"]:
        if association["associationType"] == "isChildOf" and association["originNodeURI"]["identifier"] == \
                items["1"]["identifier"]:
            association["destinationNodeURI"] = {"title": "1.1.1.a", "identifier": items["1.1.1.a"]["identifier"],
                                                 "uri": items["1.1.1.a"]["uri"]}
    source["CFAssociations"].append({**source["CFAssociations"][0], "identifier": "x", "originNodeURI": {
        "title": "1.2.1", "identifier": items["1.2.1"]["identifier"], "uri": "u"}, "destinationNodeURI": {
        "title": "1.2.1", "identifier": items["1.2.1"]["identifier"], "uri": "u"}})
    problems = _problems(source)
    assert sum("isChildOf cycle" in p for p in problems) == 5  # 1 → 1.1.1.a → 1.1.1 → 1.1 → 1, and 1.2.1 → 1.2.1


def test_problems_in_the_rows_point_at_the_json_path_never_at_a_csv_file():
    source = package("jobs_by_definitions.json")
    # the job's parent is the document: it has no family
    source["CFAssociations"][1]["destinationNodeURI"] = source["CFAssociations"][0]["destinationNodeURI"]
    source["CFAssociations"][4]["extensions"] = {"villeapp": {"level": "N9"}}
    source["CFItems"][3]["humanCodingScheme"] = "CP-TAIL"  # a repeated code gives way to the identifier: no problem
    source["CFItems"][2]["fullStatement"] = ""
    assert _problems(source) == [
        "CFItems[1].isChildOf: required: a job belongs to a job family",
        "CFItems[2].fullStatement: required",
        "CFAssociations[4].extensions.villeapp.level: unknown level 'N9'",
    ]


def test_values_longer_than_their_columns_are_refused_by_path():
    source = package("case_1_1_rubric.json")
    source["CFDocument"]["title"] = "T" * 301
    source["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][1]["quality"] = "Q" * 101
    assert _problems(source, code="soft") == [
        "CFDocument.title: at most 300 characters (301 given)",
        "CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels[1].quality: at most 100 characters (101 given)"]


def test_not_json_and_wrong_shapes_are_refused_by_path():
    assert _problems(b"{not json")[0].startswith("CFPackage: not JSON")
    assert _problems(b"[]") == ["CFPackage: a CFPackage is a JSON object"]
    source = package("replaced_by.json")
    source["CFItems"] = {"not": "an array"}
    assert _problems(source) == ["CFItems: must be an array"]
    source = package("replaced_by.json")
    source["CFItems"][1]["identifier"] = source["CFItems"][0]["identifier"]
    assert any(p.startswith("CFItems[1].identifier: duplicate identifier") for p in _problems(source))


def test_an_empty_framework_from_opensalt_imports():
    empty = {"CFDocument": {"uri": "https://remote.example.org/ims/case/v1p0/CFDocuments/x", "identifier":
                            "0f4c9b7e-1111-4222-8333-944455556666", "lastChangeDateTime": "2017-08-24T16:00:53+00:00",
                            "creator": "Someone", "title": "Empty"},
             "CFItems": [], "CFAssociations": [],
             "CFDefinitions": {"CFConcepts": [], "CFSubjects": [], "CFLicenses": [], "CFItemTypes": [],
                               "CFAssociationGroupings": []}}
    bundle = read_case(empty)
    assert validate(bundle) == [] and bundle.info.code == "empty" and package_problems(_export(bundle)) == []


def test_what_other_tools_write_loosely_still_exports_as_valid_case():
    """Kept parts are put in CASE 1.1 shape on export: date-times where dates belong, links without a title,
    non-UUID identifiers, definitions missing required members, unknown association types, upper-case UUIDs."""
    source = package("opensalt_item_types.json")
    first = source["CFItems"][0]
    first["statusStartDate"] = "2021-09-01T00:00:00+00:00"
    first["licenseURI"] = {"identifier": "CC-BY", "uri": "https://creativecommons.org/licenses/by/4.0/"}
    first["identifier"] = first["identifier"].upper()  # the associations still name it in lower case
    source["CFDefinitions"]["CFItemTypes"][0] = {"identifier": "domain", "title": "Domain"}
    source["CFAssociations"].append({**source["CFAssociations"][-1], "identifier": "assoc-1",
                                     "associationType": "isFriendOf", "sequenceNumber": "3"})
    source["CFAssociations"].append({**source["CFAssociations"][-2], "identifier": "assoc-2",
                                     "associationType": "RelatedTo"})
    bundle = read_case(source)
    assert validate(bundle) == []
    exported = _export(bundle)
    assert package_problems(exported) == []
    kinds = [a["associationType"] for a in exported["CFAssociations"]]
    assert "ext:isFriendOf" in kinds and "RelatedTo" not in kinds
    assert exported["CFItems"][0]["identifier"] == first["identifier"].lower()


def test_kept_associations_name_the_items_as_exported():
    """A kept association whose end is an item of the package points at the item as exported: its (canonical)
    identifier and its URI here, even when the source named it in upper case or by its URI only."""
    source = package("opensalt_item_types.json")
    precedes = next(a for a in source["CFAssociations"] if a["associationType"] == "precedes")
    precedes["originNodeURI"]["identifier"] = precedes["originNodeURI"]["identifier"].upper()
    peer = next(a for a in source["CFAssociations"] if a["associationType"] == "isPeerOf")
    peer["destinationNodeURI"]["identifier"] = "not-an-identifier"  # found by its uri
    exported = _export(read_case(source))
    items = {i["identifier"]: i["uri"] for i in exported["CFItems"]}
    for kind in ("precedes", "isPeerOf"):
        association = next(a for a in exported["CFAssociations"] if a["associationType"] == kind)
        for end in ("originNodeURI", "destinationNodeURI"):
            assert items[association[end]["identifier"]] == association[end]["uri"]
