"""The neutral form of a framework, shared by every format, and its validation.

Every error names the file, the line (1 = header, data from 2) and the field, so a person can fix
the source; an import with any error changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

KINDS = ("savoir", "savoir-faire", "savoir-etre")
CATEGORIES = ("", "A", "B", "C")
STATUSES = ("active", "obsolete")
MAX_CODE = 100  # the codes' column size; codes appear in public URLs, hence no "/"


@dataclass
class Row:
    line: int  # where the row came from (0 when built in memory), for error messages
    # Set by readers of JSON documents (CASE): the JSON path of the row (``CFItems[12]``) and, per field of
    # the row, the JSON member it came from (``{"label": "fullStatement"}``), so that problems point there.
    source: str = field(default="", kw_only=True, compare=False)
    source_fields: dict = field(default_factory=dict, kw_only=True, compare=False)
    # CASE identity and the CASE fields with no column here (see models.CaseSourced): {"identifier", "uri", ...}.
    case: dict = field(default_factory=dict, kw_only=True)


@dataclass
class FrameworkInfo(Row):
    code: str
    version: str
    title: str
    description: str = ""
    publisher: str = ""
    language: str = "fr"


@dataclass
class LevelRow(Row):
    rank: int
    code: str
    label: str
    proficient: bool = False
    description: str = ""


@dataclass
class FamilyRow(Row):
    code: str
    label: str
    description: str = ""


@dataclass
class JobRow(Row):
    code: str
    title: str
    family: str
    category: str = ""
    directions: list[str] = field(default_factory=list)
    rome_codes: list[str] = field(default_factory=list)
    rime_code: str = ""
    cnfpt_code: str = ""
    esco_uri: str = ""
    description: str = ""


@dataclass
class CompetencyRow(Row):
    code: str
    label: str
    kind: str
    domain: str = ""
    parent: str = ""
    description: str = ""
    status: str = "active"
    replaced_by: str = ""
    esco_uri: str = ""
    pix_code: str = ""


@dataclass
class RequirementRow(Row):
    job: str
    competency: str
    level: str
    essential: bool = True


# The tables of a bundle (``FrameworkBundle``'s lists) and the row type of each, for the readers and writers.
TABLES = {"levels": LevelRow, "families": FamilyRow, "jobs": JobRow, "competencies": CompetencyRow,
          "requirements": RequirementRow}


@dataclass(frozen=True)
class ImportProblem:
    file: str  # a file name, or the JSON path of the object at fault when ``line`` is None
    line: int | None
    field: str
    message: str

    @classmethod
    def at(cls, path: str, message: str) -> ImportProblem:
        """A problem in a JSON document, at ``path`` (``CFItems[12].fullStatement``)."""
        return cls(path, None, "", message)

    def __str__(self) -> str:
        if self.line is None:
            where = f"{self.file}.{self.field}" if self.field else self.file
            return f"{where}: {self.message}"
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class FrameworkBundle:
    info: FrameworkInfo
    levels: list[LevelRow] = field(default_factory=list)
    families: list[FamilyRow] = field(default_factory=list)
    jobs: list[JobRow] = field(default_factory=list)
    competencies: list[CompetencyRow] = field(default_factory=list)
    requirements: list[RequirementRow] = field(default_factory=list)
    # Rows a reader could not parse (their problems are reported together with validation's).
    unparsed: list[ImportProblem] = field(default_factory=list)

    def as_comparable(self) -> dict:
        """Content without source line numbers (nor CASE identity), sorted by code: what a round trip must
        preserve."""
        skipped = {"line", "source", "source_fields", "case"}

        def rows(items, key):
            return sorted(({k: v for k, v in asdict(i).items() if k not in skipped} for i in items), key=key)

        return {
            "info": {k: v for k, v in asdict(self.info).items() if k not in skipped},
            "levels": rows(self.levels, lambda r: r["rank"]),
            "families": rows(self.families, lambda r: r["code"]),
            "jobs": [{**j, "directions": sorted(j["directions"])} for j in rows(self.jobs, lambda r: r["code"])],
            "competencies": rows(self.competencies, lambda r: r["code"]),
            "requirements": rows(self.requirements, lambda r: (r["job"], r["competency"])),
        }


class BundleInvalid(Exception):
    def __init__(self, problems: list[ImportProblem]):
        super().__init__(f"{len(problems)} problem(s) in the framework bundle")
        self.problems = problems


def validate(bundle: FrameworkBundle, *, known_directions: set[str] | None = None) -> list[ImportProblem]:
    """Every problem of the bundle, in file order: duplicates, dangling references, cycles, bad values."""
    problems: list[ImportProblem] = []

    def bad(file: str, row: Row, name: str, message: str) -> None:
        if row.source:  # a row read from JSON: point at its JSON path, in the document's own terms
            problems.append(ImportProblem(row.source, None, row.source_fields.get(name, name), message))
        else:
            problems.append(ImportProblem(file, row.line, name, message))

    info = bundle.info
    for name in ("code", "version", "title"):
        if not getattr(info, name):
            bad("framework.csv", info, name, "required")
    # the columns' sizes (PostgreSQL refuses longer values; statements and codes have room enough)
    for file, rows, name, size in (("framework.csv", [info], "code", 60), ("framework.csv", [info], "version", 30),
                                   ("framework.csv", [info], "title", 300), ("levels.csv", bundle.levels, "code", 30),
                                   ("levels.csv", bundle.levels, "label", 100),
                                   ("competencies.csv", bundle.competencies, "domain", 200)):
        for row in rows:
            if len(getattr(row, name)) > size:
                bad(file, row, name, f"at most {size} characters ({len(getattr(row, name))} given)")
    if info.code and not re.fullmatch(r"[-a-zA-Z0-9_]+", info.code):
        bad("framework.csv", info, "code", f"{info.code!r}: letters, digits, '-' and '_' only (it is in URLs)")

    # A framework may have no scale (most CASE packages have no rubric): its requirements then have no level.
    level_codes = _unique(bundle.levels, "levels.csv", "code", bad)
    _unique(bundle.levels, "levels.csv", "rank", bad)
    family_codes = _unique(bundle.families, "families.csv", "code", bad)
    job_codes = _unique(bundle.jobs, "jobs.csv", "code", bad)
    competency_codes = _unique(bundle.competencies, "competencies.csv", "code", bad)

    for rows, file in ((bundle.families, "families.csv"), (bundle.jobs, "jobs.csv"),
                       (bundle.competencies, "competencies.csv")):
        for row in rows:
            if len(row.code) > MAX_CODE or "/" in row.code:
                bad(file, row, "code", f"{row.code[:40]!r}…: a code has at most {MAX_CODE} characters and no '/'"
                    if len(row.code) > MAX_CODE else f"{row.code!r}: a code cannot contain '/'")
    for row in bundle.levels:
        if not row.label:
            bad("levels.csv", row, "label", "required")
    for row in bundle.families:
        if not row.label:
            bad("families.csv", row, "label", "required")
    for row in bundle.jobs:
        if not row.title:
            bad("jobs.csv", row, "title", "required")
        if not row.family:
            bad("jobs.csv", row, "family", "required: a job belongs to a job family")
        elif row.family not in family_codes:
            bad("jobs.csv", row, "family", f"unknown family {row.family!r}")
        if row.category not in CATEGORIES:
            bad("jobs.csv", row, "category", f"{row.category!r} is not A, B or C")
        if known_directions is not None:
            for slug in row.directions:
                if slug not in known_directions:
                    bad("jobs.csv", row, "directions", f"unknown direction {slug!r}")
    for row in bundle.competencies:
        if not row.label:
            bad("competencies.csv", row, "label", "required")
        if row.kind not in KINDS:
            bad("competencies.csv", row, "kind", f"{row.kind!r} is not one of {', '.join(KINDS)}")
        if row.status not in STATUSES:
            bad("competencies.csv", row, "status", f"{row.status!r} is not active or obsolete")
        if row.parent and row.parent not in competency_codes:
            bad("competencies.csv", row, "parent", f"unknown parent {row.parent!r}")
        if row.replaced_by and row.replaced_by not in competency_codes:
            bad("competencies.csv", row, "replaced_by", f"unknown competency {row.replaced_by!r}")
        if row.replaced_by == row.code:
            bad("competencies.csv", row, "replaced_by", "a competency cannot replace itself")
        if row.status == "active" and row.replaced_by:
            bad("competencies.csv", row, "replaced_by", "only an obsolete competency has a replacement")
    for row in _parent_cycles(bundle.competencies):
        bad("competencies.csv", row, "parent", f"{row.code!r} is its own ancestor (cycle)")
    seen_pairs: set[tuple[str, str]] = set()
    for row in bundle.requirements:
        if row.job not in job_codes:
            bad("requirements.csv", row, "job", f"unknown job {row.job!r}")
        if row.competency not in competency_codes:
            bad("requirements.csv", row, "competency", f"unknown competency {row.competency!r}")
        if row.level and row.level not in level_codes:
            bad("requirements.csv", row, "level", f"unknown level {row.level!r}")
        if (row.job, row.competency) in seen_pairs:
            bad("requirements.csv", row, "competency", f"duplicate requirement {row.job} → {row.competency}")
        seen_pairs.add((row.job, row.competency))
    return sorted([*bundle.unparsed, *problems], key=problem_order)


def problem_order(problem: ImportProblem) -> tuple:
    if problem.line is None:  # JSON paths: in document order (CFItems[2] before CFItems[10])
        parts = re.split(r"\[(\d+)\]", problem.file)
        return (_FILE_ORDER.get(parts[0], 8), *[int(p) if i % 2 else 0 for i, p in enumerate(parts)])
    return (_FILE_ORDER.get(problem.file, 9), problem.line)


_FILE_ORDER = {name: i for i, name in enumerate(
    ["framework.csv", "levels.csv", "families.csv", "jobs.csv", "competencies.csv", "requirements.csv"])}
_FILE_ORDER.update({"CFDocument": 0, "CFItems": 1, "CFAssociations": 2, "CFRubrics": 3, "CFDefinitions": 4})


def _unique(rows: list, file: str, name: str, bad) -> set:
    seen: set = set()
    for row in rows:
        value = getattr(row, name)
        if value in (None, ""):
            bad(file, row, name, "required")
        elif value in seen:
            bad(file, row, name, f"duplicate {name} {value!r}")
        seen.add(value)
    return seen


def _parent_cycles(rows: list[CompetencyRow]) -> list[CompetencyRow]:
    parent_of = {r.code: r.parent for r in rows}
    cyclic = []
    for row in rows:
        seen, code = set(), row.code
        while code and code in parent_of and code not in seen:
            seen.add(code)
            code = parent_of[code]
            if code == row.code:
                cyclic.append(row)
                break
    return cyclic
