"""The CASE 1.1 CFPackage schemas every package we export must satisfy, both bundled as data and never fetched
(``data/index.json`` records each file's canonical URL or identifier, its source and its sha256):

* ``case_v1p1_cfpackage-jsonschema1.json``: 1EdTech's published schema, byte for byte
  (https://purl.imsglobal.org/spec/case/v1p1/schema/json/case_v1p1_cfpackage-jsonschema1.json, JSON Schema
  2019-09);
* ``case_v1p1_cfpackage.schema.json``: this project's own, written from the CASE 1.1 information model before
  the published bytes were at hand, and kept because it is stricter where the published one is loose: its
  ``ext:`` patterns for extended association and target types are anchored (the published
  ``(ext:)[a-z|A-Z|0-9|.|-|_]+`` matches anywhere in the string, so ``"isFriendOf ext:x"`` passes it).

A package conforms when it satisfies both. The answers of the CASE REST binding are checked against 1EdTech's
published ``CFDocumentSet`` and ``imsx_StatusInfo`` schemas (``answer_problems``), bundled the same way.
Messages name the JSON path (``CFItems[3].identifier``); a problem both schemas find is listed once.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator

DATA_DIR = Path(__file__).parent / "data"
PUBLISHED_FILE = "case_v1p1_cfpackage-jsonschema1.json"  # 1EdTech's
SCHEMA_FILE = "case_v1p1_cfpackage.schema.json"  # this project's
PUBLISHED_URL = "https://purl.imsglobal.org/spec/case/v1p1/schema/json/case_v1p1_cfpackage-jsonschema1.json"
ANSWER_FILES = {"CFDocumentSet": "case_v1p1_cfdocumentset-jsonschema1.json",
                "imsx_StatusInfo": "case_v1p1_imsx_statusinfo-jsonschema1.json"}
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


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=("uuid", "date"))
    checker.checks("date-time")(_is_date_time)
    return checker


def _load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validators() -> tuple[Validator, ...]:
    return (Draft201909Validator(_load(PUBLISHED_FILE), format_checker=_format_checker()),
            Draft202012Validator(_load(SCHEMA_FILE), format_checker=_format_checker()))


@cache
def _answer_validator(kind: str) -> Validator:
    return Draft201909Validator(_load(ANSWER_FILES[kind]), format_checker=_format_checker())


def _problems(validators, document: Any, root: str) -> list[str]:
    found: dict[str, tuple] = {}
    for validator in validators:
        for error in validator.iter_errors(document):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
            found.setdefault(f"{path or root}: {error.message}", tuple(map(str, error.absolute_path)))
    return sorted(found, key=lambda message: (found[message], message))


def package_problems(package: Any) -> list[str]:
    """Every way ``package`` departs from the CASE 1.1 CFPackage schemas, by JSON path; [] when it conforms."""
    return _problems(_validators(), package, "CFPackage")


def answer_problems(kind: str, answer: Any) -> list[str]:
    """How an answer of the CASE REST binding (``kind``: "CFDocumentSet" or "imsx_StatusInfo") departs from
    1EdTech's schema for it; [] when it conforms."""
    return _problems((_answer_validator(kind),), answer, kind)
