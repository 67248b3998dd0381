"""import_framework and export_framework, as an operator runs them."""

import io
import json
import shutil
import zipfile

import pytest
from django.core.management import CommandError, call_command

from competencies.interchange.case_schema import package_problems
from competencies.interchange.csv_bundle import COLUMNS, read_bundle
from competencies.interchange.moodle import HEADER
from competencies.models import Framework
from tests.competencies.factories import SMALL
from tests.issuers.factories import IssuerFactory


@pytest.fixture
def directions(db):
    IssuerFactory(slug="drh")
    IssuerFactory(slug="dsin")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_a_folder_then_export_every_format(directions, tmp_path):
    out, _ = run("import_framework", str(SMALL))
    assert "imported test-metiers 1.0 (2 jobs, 6 competencies, 4 levels)" in out

    run("export_framework", "--format", "csv", "--framework", "test-metiers", "--output", str(tmp_path / "csv"))
    exported = read_bundle({n: (tmp_path / "csv" / n).read_bytes() for n in COLUMNS})
    original = read_bundle({n: (SMALL / n).read_bytes() for n in COLUMNS})
    assert exported.as_comparable() == original.as_comparable()

    case, _ = run("export_framework", "--format", "case", "--framework", "test-metiers")
    assert json.loads(case)["CFDocument"]["version"] == "1.0"
    assert package_problems(json.loads(case)) == []
    moodle, _ = run("export_framework", "--format", "moodle", "--framework", "test-metiers")
    assert moodle.splitlines()[0] == ",".join(f'"{h}"' for h in HEADER)
    as_json, _ = run("export_framework", "--format", "json", "--framework", "test-metiers")
    assert json.loads(as_json)["framework"]["code"] == "test-metiers"


def test_a_case_export_imports_as_a_new_version(directions, tmp_path):
    run("import_framework", str(SMALL))
    case, _ = run("export_framework", "--format", "case", "--framework", "test-metiers")
    package = json.loads(case)
    package["CFDocument"]["version"] = "2.0"
    (tmp_path / "package.json").write_text(json.dumps(package))
    run("import_framework", str(tmp_path / "package.json"))
    assert sorted(Framework.objects.values_list("version", flat=True)) == ["1.0", "2.0"]


def test_a_zip_bundle_is_accepted(directions, tmp_path):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in COLUMNS:
            zf.write(SMALL / name, arcname=f"referentiel/{name}")
    out, _ = run("import_framework", str(archive))
    assert "imported test-metiers" in out


def test_errors_are_listed_with_file_line_and_field_and_nothing_is_imported(directions, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(SMALL, broken)
    text = (broken / "requirements.csv").read_text()
    (broken / "requirements.csv").write_text(text.replace("CMP-REL-01,N2", "CMP-REL-01,N7"))
    with pytest.raises(CommandError):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_framework", str(broken), stdout=out, stderr=err)
        finally:
            assert "requirements.csv:2: level: unknown level 'N7'" in err.getvalue()
    assert not Framework.objects.exists()


def test_exporting_an_unknown_framework_fails_clearly(db):
    with pytest.raises(CommandError, match="No framework 'nope'"):
        run("export_framework", "--format", "case", "--framework", "nope")
