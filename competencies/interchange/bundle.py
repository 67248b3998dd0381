"""The neutral form of a framework, shared by every format, and its validation.

Every error names the file, the line (1 = header, data from 2) and the field, so a person can fix
the source; an import with any error changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

KINDS = ("savoir", "savoir-faire", "savoir-etre")
CATEGORIES = ("", "A", "B", "C")
STATUSES = ("active", "obsolete")


@dataclass
class Row:
    line: int  # where the row came from (0 when built in memory), for error messages


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


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
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
        """Content without source line numbers, sorted by code: what a round trip must preserve."""
        def rows(items, key):
            return sorted(({k: v for k, v in asdict(i).items() if k != "line"} for i in items), key=key)

        return {
            "info": {k: v for k, v in asdict(self.info).items() if k != "line"},
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
        problems.append(ImportProblem(file, row.line, name, message))

    info = bundle.info
    for name in ("code", "version", "title"):
        if not getattr(info, name):
            bad("framework.csv", info, name, "required")

    level_codes = _unique(bundle.levels, "levels.csv", "code", bad)
    _unique(bundle.levels, "levels.csv", "rank", bad)
    if not bundle.levels:
        problems.append(ImportProblem("levels.csv", 1, "", "the scale needs at least one level"))
    family_codes = _unique(bundle.families, "families.csv", "code", bad)
    job_codes = _unique(bundle.jobs, "jobs.csv", "code", bad)
    competency_codes = _unique(bundle.competencies, "competencies.csv", "code", bad)

    for row in bundle.levels:
        if not row.label:
            bad("levels.csv", row, "label", "required")
    for row in bundle.families:
        if not row.label:
            bad("families.csv", row, "label", "required")
    for row in bundle.jobs:
        if not row.title:
            bad("jobs.csv", row, "title", "required")
        if row.family not in family_codes:
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
        if row.level not in level_codes:
            bad("requirements.csv", row, "level", f"unknown level {row.level!r}")
        if (row.job, row.competency) in seen_pairs:
            bad("requirements.csv", row, "competency", f"duplicate requirement {row.job} → {row.competency}")
        seen_pairs.add((row.job, row.competency))
    return sorted([*bundle.unparsed, *problems], key=lambda p: (_FILE_ORDER.get(p.file, 9), p.line))


_FILE_ORDER = {name: i for i, name in enumerate(
    ["framework.csv", "levels.csv", "families.csv", "jobs.csv", "competencies.csv", "requirements.csv"])}


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
