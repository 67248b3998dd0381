"""The "schema" check: does a credential follow the Open Badges 3.0 data model?

The schema in ``data/schemas/ob3_open_badge_credential.schema.json`` is our own, written by this
project from the OB 3.0 data model (Appendix B.1) and VC Data Model 2.0. The official 1EdTech JSON
schema is not available from the package registries we may use, and copying it is not allowed; its
URL still appears in the ``credentialSchema`` of the credentials we issue, but we never fetch it.

jsonschema 4.25 checks "date-time" and "uri" only with optional packages, so both are checked here.

Two validators, one schema: jsonschema-rs (Rust) says whether a document conforms, about fifty times faster
than jsonschema; only when it does not does jsonschema walk the document again to write the messages. Both
use the same Python functions for the four formats, so "conforms" means the same to both (a test compares
them on valid and broken credentials); where the regex engines differ (Rust's ``$`` never matches before a
final newline), jsonschema-rs is the stricter, which only sends a document on to jsonschema.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

SCHEMA_PATH = Path(__file__).parent / "data" / "schemas" / "ob3_open_badge_credential.schema.json"
MAX_MESSAGES = 20
_MISSING = ": required property missing"
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", re.ASCII)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


def _is_date_time(value: Any) -> bool:
    """RFC 3339 date-time; the time zone is mandatory. A leap second (:60) is accepted."""
    if not isinstance(value, str):
        return True  # the "type" keyword reports non-strings
    if not _DATE_TIME.fullmatch(value):
        return False
    value = value.upper()
    try:
        datetime.fromisoformat(value[:17] + "59" + value[19:] if value[17:19] == "60" else value)
    except ValueError:
        return False
    return True


@cache
def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=("date", "email"))
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(_URI.fullmatch(value)))
    return checker


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=_format_checker())


@cache
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    checker = _format_checker()
    formats = {name: (lambda value, name=name: checker.conforms(value, name)) for name in checker.checkers}
    return jsonschema_rs.Draft202012Validator(_schema(), formats=formats, validate_formats=True,
                                              ignore_unknown_formats=True)


def conforms(document: dict) -> bool:
    """Whether ``document`` follows the schema (jsonschema-rs)."""
    return _fast_validator().is_valid(document)


def _path(parts: Any) -> str:
    out = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    return out or "credential"


def _messages(error: ValidationError) -> list[str]:
    where, kind, value = list(error.absolute_path), error.validator, error.validator_value
    if kind == "required":
        return [_path([*where, p]) + _MISSING for p in value if p not in error.instance]
    if kind in ("anyOf", "oneOf"):  # e.g. validFrom or issuanceDate; subject id or identifier
        options = list(dict.fromkeys(m for sub in error.context for m in _messages(sub)))
        if all(m.endswith(_MISSING) for m in options):
            return [" or ".join(m.removesuffix(_MISSING) for m in options) + _MISSING]
        return [" or ".join(options)]
    if kind == "type":
        text = f"must be of type {' or '.join([value] if isinstance(value, str) else value)}"
    elif kind == "const":
        text = f"must be {json.dumps(value)}"
    elif kind == "enum":
        text = f"must be one of {', '.join(json.dumps(v) for v in value[:8])}{', ...' if len(value) > 8 else ''}"
    elif kind == "contains":
        wanted = [value["const"]] if "const" in value else value.get("enum", [])
        text = f"must contain {' or '.join(json.dumps(v) for v in wanted)}" if wanted else error.message
    elif kind == "format":
        text = f"not a valid {value}" + (" (RFC 3339, with a time zone)" if value == "date-time" else "")
    elif kind == "minItems":
        text = f"must have at least {value} item{'s' if value != 1 else ''}"
    elif kind == "pattern":
        text = f"does not match the pattern {value}"
    else:
        text = error.message[:200]
    return [f"{_path(where)}: {text}"]


def schema_errors(document: dict) -> list[str]:
    """Human-readable schema violations of ``document`` (empty when it conforms), at most MAX_MESSAGES."""
    if conforms(document):
        return []
    messages = dict.fromkeys(m for error in _validator().iter_errors(document) for m in _messages(error))
    return sorted(messages, key=lambda m: [int(t) if t.isdigit() else t for t in re.split("([0-9]+)", m)])[
        :MAX_MESSAGES]
