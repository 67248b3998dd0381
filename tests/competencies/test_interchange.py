"""Framework formats without the database: CSV bundle, JSON, CASE 1.0, Moodle CSV; and validation."""

import csv
import io
import json
from pathlib import Path

import pytest

from competencies.interchange.bundle import BundleInvalid, validate
from competencies.interchange.case import case_id, read_case, write_case
from competencies.interchange.case_schema import package_problems
from competencies.interchange.csv_bundle import COLUMNS, read_bundle, write_bundle
from competencies.interchange.json_bundle import read_json, write_json
from competencies.interchange.moodle import HEADER, write_moodle_csv

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks" / "small"


def small_files() -> dict[str, bytes]:
    return {name: (SMALL / name).read_bytes() for name in COLUMNS}


def small_bundle():
    return read_bundle(small_files())


def _problems(files: dict[str, bytes]) -> list[str]:
    with pytest.raises(BundleInvalid) as exc:
        bundle = read_bundle(files)
        problems = validate(bundle)
        if problems:
            raise BundleInvalid(problems)
    return [str(p) for p in exc.value.problems]


def _edit(name: str, old: str, new: str) -> dict[str, bytes]:
    files = small_files()
    text = files[name].decode()
    assert old in text, old
    files[name] = text.replace(old, new).encode()
    return files


def test_the_sample_bundle_reads_and_validates():
    bundle = small_bundle()
    assert validate(bundle) == []
    assert bundle.info.title == 'Référentiel d\'essai, "petit"'
    job = next(j for j in bundle.jobs if j.code == "MET-ACC-01")
    assert job.directions == ["drh", "dsin"] and job.rome_codes == ["K1602", "M1601"]
    assert job.description == "Accueille le public,\noriente les usager·ères"
    assert [c.label for c in bundle.competencies].count("Écoute") == 2


def test_csv_round_trip_loses_nothing():
    bundle = small_bundle()
    again = read_bundle({k: v.encode() for k, v in write_bundle(bundle).items()})
    assert again.as_comparable() == bundle.as_comparable()


def test_exported_cells_that_look_like_formulas_are_neutralised():
    files = write_bundle(small_bundle())
    cells = [cell for row in csv.reader(io.StringIO(files["competencies.csv"])) for cell in row]
    assert "'=SOMME(A1)" in cells and "'-20 % de conflits" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_json_round_trip_loses_nothing():
    bundle = small_bundle()
    assert read_json(write_json(bundle).encode()).as_comparable() == bundle.as_comparable()


def test_case_round_trip_loses_nothing():
    bundle = small_bundle()
    package = write_case(bundle, base_url="https://badges.example.test/frameworks/test-metiers/1.0",
                         changed="2025-01-01T00:00:00Z")
    assert read_case(json.dumps(package).encode()).as_comparable() == bundle.as_comparable()


def test_case_package_has_the_four_parts_and_standard_association_types():
    package = write_case(small_bundle(), base_url="https://x.test/f", changed="2025-01-01T00:00:00Z")
    assert {"CFDocument", "CFItems", "CFAssociations", "CFRubrics"} <= set(package)
    types = {a["associationType"] for a in package["CFAssociations"]}
    assert types == {"isChildOf", "isRelatedTo", "replacedBy", "exactMatchOf"}
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [lv["quality"] for lv in levels] == ["Notions", "Pratique", "Maîtrise", "Expertise"]
    for item in package["CFItems"]:  # CASE 1.1 CFPckgItem: the document is the package's, not repeated
        assert {"identifier", "uri", "fullStatement", "lastChangeDateTime"} <= set(item)
        assert "CFDocumentURI" not in item
    assert package_problems(package) == []


def test_case_identifiers_are_stable_across_runs_and_derived_from_codes():
    one = write_case(small_bundle(), base_url="https://x.test/f", changed="2025-01-01T00:00:00Z")
    two = write_case(small_bundle(), base_url="https://x.test/f", changed="2026-06-01T00:00:00Z")
    assert [i["identifier"] for i in one["CFItems"]] == [i["identifier"] for i in two["CFItems"]]
    assert case_id("test-metiers", "competency", "CMP-REL-01") in {i["identifier"] for i in one["CFItems"]}


def test_moodle_export_has_the_importers_exact_header_and_one_framework_row():
    text = write_moodle_csv(small_bundle())
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert text.splitlines()[0] == ('"Parent ID number","ID number","Short name","Description","Description format",'
                                    '"Scale values","Scale configuration","Rule type (optional)",'
                                    '"Rule outcome (optional)","Rule config (optional)",'
                                    '"Cross-referenced competency ID numbers","Exported ID (optional)",'
                                    '"Is framework","Taxonomy"')
    framework_rows = [r for r in rows[1:] if r[12] == "1"]
    assert len(framework_rows) == 1
    assert framework_rows[0][5] == "Notions,Pratique,Maîtrise,Expertise"
    config = json.loads(framework_rows[0][6])
    assert config[0] == {"scaleid": "0"}
    assert [c["proficient"] for c in config[1:]] == [0, 1, 1, 1]
    assert sum(c["scaledefault"] for c in config[1:]) == 1
    assert len(rows) - 2 == len(small_bundle().competencies)


def test_moodle_rows_list_parents_before_children():
    rows = list(csv.reader(io.StringIO(write_moodle_csv(small_bundle()))))[2:]
    order = [r[1] for r in rows]
    assert order.index("CMP-REL-01") < order.index("CMP-REL-02")


def test_duplicate_codes_are_reported_with_file_line_and_field():
    files = _edit("competencies.csv", "CMP-ETR-02,Écoute", "CMP-ETR-01,Écoute")
    assert "competencies.csv:7: code: duplicate code 'CMP-ETR-01'" in _problems(files)


def test_unknown_parent_family_and_level_are_all_reported_at_once():
    files = _edit("competencies.csv", ",CMP-REL-01,,active,,,", ",CMP-INCONNU,,active,,,")
    files.update({k: v for k, v in _edit("requirements.csv", "CMP-REL-01,N2", "CMP-REL-01,N9").items()
                  if k == "requirements.csv"})
    files.update({k: v for k, v in _edit("jobs.csv", "FAM-NUM,B", "FAM-XXX,B").items() if k == "jobs.csv"})
    problems = _problems(files)
    assert any("parent: unknown parent 'CMP-INCONNU'" in p for p in problems)
    assert any("requirements.csv:2: level: unknown level 'N9'" in p for p in problems)
    assert any("jobs.csv" in p and "family: unknown family 'FAM-XXX'" in p for p in problems)


def test_parent_cycles_are_refused():
    files = _edit("competencies.csv", "Accueillir le public,savoir-faire,Relation aux usagers,,",
                  "Accueillir le public,savoir-faire,Relation aux usagers,CMP-REL-02,")
    problems = _problems(files)
    assert any("cycle" in p for p in problems)


def test_a_file_that_is_not_utf8_is_reported_with_its_line():
    files = small_files()
    files["families.csv"] = "code,label,description\r\nFAM-ACC,Accueil café,\r\n".encode("latin-1")
    assert any(p.startswith("families.csv:2:") and "not UTF-8" in p for p in _problems(files))


def test_a_wrong_header_or_missing_file_is_reported():
    files = small_files()
    files["levels.csv"] = b"rang,code,libelle\r\n"
    del files["requirements.csv"]
    problems = _problems(files)
    assert any(p.startswith("levels.csv:1:") and "header must be" in p for p in problems)
    assert any(p.startswith("requirements.csv:0:") and "missing" in p for p in problems)


def test_bad_values_name_their_field():
    files = _edit("competencies.csv", "Sécuriser son poste,savoir-faire", "Sécuriser son poste,savoir-vivre")
    files.update({"levels.csv": files["levels.csv"].replace(b"2,N2,Pratique,true", b"deux,N2,Pratique,peut-etre")})
    problems = _problems(files)
    assert any(p.startswith("levels.csv:3: rank:") and "'deux' is not a whole number" in p for p in problems)
    assert any(p.startswith("competencies.csv:5: kind:") and "savoir-vivre" in p for p in problems)


def test_a_bom_is_accepted():
    files = small_files()
    files["families.csv"] = b"\xef\xbb\xbf" + files["families.csv"]
    assert read_bundle(files).families[0].code == "FAM-ACC"
