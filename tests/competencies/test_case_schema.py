"""The bundled CASE 1.1 CFPackage schema: a data file with the canonical URL it stands in for and its checksum;
it refuses what CASE refuses."""

import hashlib
import json

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
