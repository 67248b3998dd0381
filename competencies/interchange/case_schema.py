"""The CASE 1.1 CFPackage schema every package we export must satisfy (``data/case_v1p1_cfpackage.schema.json``).

The schema is this project's, written from the CASE 1.1 information model (see its description and
``data/index.json``, which records the canonical 1EdTech URL it stands in for and its checksum). It is never
fetched. Messages name the JSON path (``CFItems[3].identifier``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

DATA_DIR = Path(__file__).parent / "data"
SCHEMA_FILE = "case_v1p1_cfpackage.schema.json"
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", re.ASCII)


def _is_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return bool(_DATE_TIME.fullmatch(value)) and bool(datetime.fromisoformat(value.upper().replace("Z", "+00:00")))
    except ValueError:
        return False


@cache
def index() -> dict:
    return json.loads((DATA_DIR / "index.json").read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    checker = FormatChecker(formats=("uuid", "date"))
    checker.checks("date-time")(_is_date_time)
    return Draft202012Validator(json.loads((DATA_DIR / SCHEMA_FILE).read_text(encoding="utf-8")),
                                format_checker=checker)


def package_problems(package: Any) -> list[str]:
    """Every way ``package`` departs from the CASE 1.1 CFPackage schema, by JSON path; [] when it conforms."""
    out = []
    for error in sorted(_validator().iter_errors(package), key=lambda e: list(map(str, e.absolute_path))):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        out.append(f"{path or 'CFPackage'}: {error.message}")
    return out
