"""The bundled CASE 1.1 CFPackage schemas (1EdTech's published one, byte for byte, and this project's stricter
one): data files with their canonical URL and checksum; together they refuse what CASE refuses."""

import hashlib
import json

from jsonschema import Draft201909Validator

from competencies.interchange import case_schema

from .case_packages import package


def test_the_bundled_schema_matches_its_recorded_checksum():
    for name, entry in case_schema.index().items():
        assert hashlib.sha256((case_schema.DATA_DIR / name).read_bytes()).hexdigest() == entry["sha256"], name


def test_the_schema_names_the_canonical_case_schema_it_stands_in_for():
    entry = case_schema.index()[case_schema.SCHEMA_FILE]
    assert entry["follows"] == ("https://purl.imsglobal.org/spec/case/v1p1/schema/json/"
                                "case_v1p1_cfpackage-jsonschema1.json")
    schema = json.loads((case_schema.DATA_DIR / case_schema.SCHEMA_FILE).read_text())
    assert schema["$id"] == entry["id"] and entry["follows"] in schema["description"]


def test_1edtechs_published_schema_is_bundled_under_its_canonical_url():
    entry = case_schema.index()[case_schema.PUBLISHED_FILE]
    schema = json.loads((case_schema.DATA_DIR / case_schema.PUBLISHED_FILE).read_bytes())
    assert entry["id"] == schema["$id"] == case_schema.PUBLISHED_URL
    assert schema["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    Draft201909Validator.check_schema(schema)


def test_both_schemas_are_applied_and_a_problem_both_find_is_listed_once():
    """The published schema's ``ext:`` pattern is not anchored: only this project's schema refuses an
    association type that merely contains ``ext:``; a rubric member neither defines is found by both."""
    source = package("case_1_1_rubric.json")
    source["CFAssociations"][0]["associationType"] = "isFriendOf ext:x"
    source["CFRubrics"][0]["colour"] = "bleu"
    published = Draft201909Validator(json.loads((case_schema.DATA_DIR / case_schema.PUBLISHED_FILE).read_bytes()))
    assert [e.absolute_path[0] for e in published.iter_errors(source)] == ["CFRubrics"]
    problems = case_schema.package_problems(source)
    assert [p.split(":")[0] for p in problems] == ["CFAssociations[0].associationType", "CFRubrics[0]"]


def test_every_data_file_is_listed():
    assert {p.name for p in case_schema.DATA_DIR.glob("*.json")} - {"index.json"} == set(case_schema.index())


def test_a_case_1_1_package_of_another_publisher_conforms():
    assert case_schema.package_problems(package("case_1_1_rubric.json")) == []


def test_what_case_refuses_the_schema_refuses():
    source = package("case_1_1_rubric.json")
    del source["CFDocument"]["creator"]
    source["CFItems"][0]["identifier"] = "SS-1"
    source["CFItems"][1]["CFDocumentURI"] = {"title": "t", "identifier": source["CFDocument"]["identifier"],
                                             "uri": "u"}  # not a member of a package's items
    source["CFAssociations"][0]["associationType"] = "isFriendOf"
    source["CFAssociations"][1]["lastChangeDateTime"] = "yesterday"
    source["CFDocument"]["caseVersion"] = "1.2"
    problems = case_schema.package_problems(source)
    assert any(p.startswith("CFDocument: 'creator' is a required property") for p in problems)
    assert any(p.startswith("CFItems[0].identifier: 'SS-1' is not a 'uuid'") for p in problems)
    assert any(p.startswith("CFItems[1]: Additional properties are not allowed ('CFDocumentURI'") for p in problems)
    assert any(p.startswith("CFAssociations[0].associationType:") for p in problems)
    assert any(p.startswith("CFAssociations[1].lastChangeDateTime: 'yesterday' is not a 'date-time'")
               for p in problems)
    assert any(p.startswith("CFDocument.caseVersion:") for p in problems)
    assert len(problems) == 6
