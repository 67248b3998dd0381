"""The CSV bundle: one UTF-8 file per table, with a header row (see docs/referentiel-csv.md).

Spreadsheet safety (OWASP "CSV injection"): on export a cell starting with ``= + - @``, a tab, a
carriage return or an apostrophe is prefixed with an apostrophe; on import one leading apostrophe
is removed. So exports never run as formulas and a round trip gives back the same text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

from .bundle import (
    BundleInvalid,
    CompetencyRow,
    FamilyRow,
    FrameworkBundle,
    FrameworkInfo,
    ImportProblem,
    JobRow,
    LevelRow,
    RequirementRow,
)

COLUMNS = {
    "framework.csv": ["code", "version", "title", "description", "publisher", "language"],
    "levels.csv": ["rank", "code", "label", "proficient", "description"],
    "families.csv": ["code", "label", "description"],
    "jobs.csv": ["code", "title", "family", "category", "directions", "rome_codes", "rime_code", "cnfpt_code",
                 "esco_uri", "description"],
    "competencies.csv": ["code", "label", "kind", "domain", "parent", "description", "status", "replaced_by",
                         "esco_uri", "pix_code"],
    "requirements.csv": ["job", "competency", "level", "importance"],
}
LIST_SEPARATOR = "|"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TRUE, _FALSE = {"true", "1", "oui", "yes", "vrai"}, {"false", "0", "non", "no", "faux", ""}


def escape_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def read_bundle(files: Mapping[str, bytes]) -> FrameworkBundle:
    """Parse the six files. Raises ``BundleInvalid`` for unreadable files (missing, encoding, header);
    rows with bad values are left out and listed in ``bundle.unparsed`` for ``validate`` to report."""
    problems: list[ImportProblem] = []
    tables: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for name, columns in COLUMNS.items():
        if name not in files:
            problems.append(ImportProblem(name, 0, "", "file missing from the bundle"))
            continue
        tables[name] = _read_table(name, files[name], columns, problems)
    if problems:
        raise BundleInvalid(problems)

    def rows(name: str, build: Callable[[int, dict[str, str]], object]) -> list:
        out = []
        for line, cells in tables[name]:
            try:
                out.append(build(line, cells))
            except ValueError as exc:
                field, _, message = str(exc).partition(":")
                problems.append(ImportProblem(name, line, field, message.strip()))
        return out

    info_rows = tables["framework.csv"]
    if len(info_rows) != 1:
        problems.append(ImportProblem("framework.csv", 1, "", "exactly one framework row is expected"))
        raise BundleInvalid(problems)
    line, cells = info_rows[0]
    bundle = FrameworkBundle(
        info=FrameworkInfo(line, cells["code"], cells["version"], cells["title"], cells["description"],
                           cells["publisher"], cells["language"] or "fr"),
        levels=rows("levels.csv", lambda n, c: LevelRow(n, _int(c["rank"], "rank"), c["code"], c["label"],
                                                        _bool(c["proficient"], "proficient"), c["description"])),
        families=rows("families.csv", lambda n, c: FamilyRow(n, c["code"], c["label"], c["description"])),
        jobs=rows("jobs.csv", lambda n, c: JobRow(
            n, c["code"], c["title"], c["family"], c["category"], _list(c["directions"]), _list(c["rome_codes"]),
            c["rime_code"], c["cnfpt_code"], c["esco_uri"], c["description"])),
        competencies=rows("competencies.csv", lambda n, c: CompetencyRow(
            n, c["code"], c["label"], c["kind"], c["domain"], c["parent"], c["description"], c["status"] or "active",
            c["replaced_by"], c["esco_uri"], c["pix_code"])),
        requirements=rows("requirements.csv", lambda n, c: RequirementRow(
            n, c["job"], c["competency"], c["level"], _importance(c["importance"]))),
    )
    bundle.unparsed = problems  # validation reports these with everything else it finds
    return bundle


def _read_table(name: str, raw: bytes, columns: list[str], problems: list[ImportProblem]) -> list:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(ImportProblem(name, line, "", f"not UTF-8 (byte {exc.start}); save the file as UTF-8"))
        return []
    if "\x00" in text:
        problems.append(ImportProblem(name, 1, "", "contains NUL bytes: not a text CSV file"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.append(ImportProblem(name, 1, "", "empty file: a header row is required"))
            return []
        header = [h.strip() for h in header]
        missing = [c for c in columns if c not in header]
        extra = [h for h in header if h not in columns]
        if missing or extra:
            problems.append(ImportProblem(name, 1, "", f"header must be {','.join(columns)}"
                                          + (f"; missing {', '.join(missing)}" if missing else "")
                                          + (f"; unexpected {', '.join(extra)}" if extra else "")))
            return []
        out = []
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(ImportProblem(name, line, "", f"{len(cells)} cells, expected {len(header)}"))
                continue
            out.append((line, {h: unescape_cell(c.strip()) for h, c in zip(header, cells, strict=True)}))
        return out
    except csv.Error as exc:
        problems.append(ImportProblem(name, reader.line_num, "", f"malformed CSV: {exc}"))
        return []


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not a whole number") from None


def _bool(value: str, field: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{field}: {value!r} is not true or false")


def _importance(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("essential", "essentielle", "essentiel", ""):
        return True
    if lowered in ("optional", "optionnelle", "optionnel"):
        return False
    raise ValueError(f"importance: {value!r} is not essential or optional")


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]


def write_bundle(bundle: FrameworkBundle) -> dict[str, str]:
    """The six files as text (UTF-8 when encoded), cells escaped against formula injection."""
    info = bundle.info
    tables = {
        "framework.csv": [[info.code, info.version, info.title, info.description, info.publisher, info.language]],
        "levels.csv": [[str(r.rank), r.code, r.label, _bool_text(r.proficient), r.description]
                       for r in sorted(bundle.levels, key=lambda r: r.rank)],
        "families.csv": [[r.code, r.label, r.description] for r in sorted(bundle.families, key=lambda r: r.code)],
        "jobs.csv": [[r.code, r.title, r.family, r.category, LIST_SEPARATOR.join(r.directions),
                      LIST_SEPARATOR.join(r.rome_codes), r.rime_code, r.cnfpt_code, r.esco_uri, r.description]
                     for r in sorted(bundle.jobs, key=lambda r: r.code)],
        "competencies.csv": [[r.code, r.label, r.kind, r.domain, r.parent, r.description, r.status, r.replaced_by,
                              r.esco_uri, r.pix_code] for r in sorted(bundle.competencies, key=lambda r: r.code)],
        "requirements.csv": [[r.job, r.competency, r.level, "essential" if r.essential else "optional"]
                             for r in sorted(bundle.requirements, key=lambda r: (r.job, r.competency))],
    }
    return {name: _csv_text(COLUMNS[name], rows) for name, rows in tables.items()}


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return out.getvalue()
