"""CSV files for backfills and campaigns, each row checked on its own (a per-row report):

* ``completions``: ``course`` (LMS course id or idnumber), ``email`` and/or ``lms_user_id``,
  ``completed_at``, optional ``score`` (percent), ``outcome`` (completed, passed, failed), ``name``,
  ``course_name``, ``event_id``.
* ``pix``: Pix's export of certification results (``Numéro de certification``, ``Identifiant Externe``,
  ``Statut``, ``Nombre de Pix``, one column per competence ``1.1`` ... ``5.2`` holding the level reached,
  ``Date de passage de la certification``). A validated certification gives one event per competence
  (course ``pix:<code>``, the level as stated) and one for the total (course ``pix``, score in Pix).
* ``positioning``: positioning tests (maths, français, bureautique...): ``test``, ``email`` and/or
  ``lms_user_id``, ``score`` with optional ``score_max`` (default 100), optional ``level`` (a level code),
  ``date``, ``name``. Course ``positionnement:<test>``.

Comma or semicolon separated, UTF-8 with or without BOM. Event ids derive from the row's content, so
uploading the same file twice creates nothing new.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import COMPLETED, FAILED, OUTCOMES, PASSED, SCORED, ParsedEvent, decimal_or_none, parse_when, percent

KINDS = ("completions", "pix", "positioning")
MAX_ROWS = 100_000
PIX_COMPETENCES = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
                   "4.1", "4.2", "4.3", "5.1", "5.2")
PIX_VALIDATED = "validée"


@dataclass
class RowResult:
    line: int
    events: list[ParsedEvent] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    skipped: str = ""  # a well-formed row that gives nothing (e.g. a rejected Pix certification)


class FileInvalid(Exception):
    def __init__(self, errors: dict):
        super().__init__("The file is not valid.")
        self.errors = errors


def _key(header: str) -> str:
    return header.strip().lstrip("\ufeff").lower().replace("\u2019", "'")


def _reader(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        header = [_key(h) for h in next(reader)]
    except StopIteration:
        raise FileInvalid({"file": "Le fichier est vide."}) from None
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if reader.line_num > MAX_ROWS + 1:
            raise FileInvalid({"file": f"Au plus {MAX_ROWS} lignes par fichier."})
        yield reader.line_num, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}


def _require(header_row: dict, names: tuple[str, ...]) -> None:
    missing = [n for n in names if n not in header_row]
    if missing:
        raise FileInvalid({"header": f"Colonnes manquantes : {', '.join(missing)}."})


def _who(row: dict, errors: dict, *, external: str = "") -> tuple[str, str]:
    """(email, lms_user_id) from ``email``/``lms_user_id`` columns, or Pix's ``Identifiant Externe``."""
    email, user = row.get("email", "").lower(), row.get("lms_user_id", "")
    if external:
        email, user = (external.lower(), "") if "@" in external else ("", external)
    if email and ("@" not in email or " " in email or len(email) > 254):
        errors["email"] = f"« {email} » n'est pas une adresse électronique."
    if not email and not user:
        errors["email"] = "Il faut une adresse électronique ou un identifiant LMS."
    return email, user


def _when(row: dict, column: str, errors: dict):
    if not row.get(column):
        errors[column] = "Date obligatoire."
        return None
    try:
        return parse_when(row[column])
    except ValueError as exc:
        errors[column] = str(exc)
        return None


def _number(row: dict, column: str, errors: dict):
    try:
        return decimal_or_none(row.get(column, ""))
    except ValueError as exc:
        errors[column] = str(exc)
        return None


def completions(line: int, row: dict) -> RowResult:
    result = RowResult(line)
    errors = result.errors
    course = row.get("course") or row.get("course_id") or row.get("cours", "")
    if not course:
        errors["course"] = "Cours obligatoire."
    email, user = _who(row, errors)
    when = _when(row, "completed_at", errors)
    score = _number(row, "score", errors)
    outcome = (row.get("outcome") or COMPLETED).lower()
    if outcome not in (COMPLETED, PASSED, FAILED):
        errors["outcome"] = "completed, passed ou failed."
    if score is not None and not (0 <= score <= 100):
        errors["score"] = "Un pourcentage entre 0 et 100."
    if errors:
        return result
    event_id = row.get("event_id") or f"completion:{course}:{user or email}:{when.date().isoformat()}"
    result.events.append(ParsedEvent(
        kind="csv", event_id=event_id[:255], course_keys=(course,), occurred_at=when, payload={"line": line, **row},
        outcome=outcome, lms_user_id=user, email=email, recipient_name=row.get("name", ""),
        course_name=row.get("course_name", ""), score=percent(score) if score is not None else None,
        success={PASSED: True, FAILED: False}.get(outcome)))
    return result


def pix(line: int, row: dict) -> RowResult:
    result = RowResult(line)
    errors = result.errors
    number = row.get("numéro de certification", "")
    if not number:
        errors["numéro de certification"] = "Obligatoire."
    email, user = _who(row, errors, external=row.get("identifiant externe", ""))
    when = _when(row, "date de passage de la certification", errors)
    total = _number(row, "nombre de pix", errors)
    levels = {}
    for code in PIX_COMPETENCES:
        value = _number(row, code, errors)
        if value is not None and value >= 1:
            levels[code] = int(value)
    if errors:
        return result
    if row.get("statut", "").lower() != PIX_VALIDATED:
        result.skipped = f"Certification « {row.get('statut', '')} » : rien à délivrer."
        return result
    name = " ".join(p for p in (row.get("prénom", ""), row.get("nom", "")) if p)
    common = {"kind": "csv", "occurred_at": when, "lms_user_id": user, "email": email, "recipient_name": name,
              "payload": {"line": line, **row}}
    if total is not None:
        result.events.append(ParsedEvent(event_id=f"pix:{number}", course_keys=("pix",), outcome=SCORED,
                                         course_name="Certification Pix", score=total, success=True, **common))
    for code, level in levels.items():
        result.events.append(ParsedEvent(event_id=f"pix:{number}:{code}", course_keys=(f"pix:{code}",),
                                         outcome=PASSED, course_name=f"Pix, compétence {code}", success=True,
                                         level_code=str(level), **common))
    return result


def positioning(line: int, row: dict) -> RowResult:
    result = RowResult(line)
    errors = result.errors
    test = row.get("test", "").lower()
    if not test:
        errors["test"] = "Nom du test obligatoire (maths, francais, bureautique...)."
    email, user = _who(row, errors)
    when = _when(row, "date", errors)
    score, top = _number(row, "score", errors), _number(row, "score_max", errors)
    level = row.get("level") or row.get("niveau", "")
    if score is None and not level and "score" not in errors:
        errors["score"] = "Un score ou un niveau est obligatoire."
    top = top if top is not None else 100
    if top <= 0:
        errors["score_max"] = "Doit être positif."
    elif score is not None and not (0 <= score <= top):
        errors["score"] = f"Entre 0 et {top}."
    if errors:
        return result
    result.events.append(ParsedEvent(
        kind="csv", event_id=f"positioning:{test}:{user or email}:{when.date().isoformat()}",
        course_keys=(f"positionnement:{test}",), occurred_at=when, payload={"line": line, **row}, outcome=SCORED,
        lms_user_id=user, email=email, recipient_name=row.get("name", ""),
        course_name=f"Test de positionnement : {test}",
        score=percent(score * 100 / top) if score is not None else None, level_code=level))
    return result


_PARSERS = {"completions": completions, "pix": pix, "positioning": positioning}
_REQUIRED = {
    "completions": ("completed_at",),
    "pix": ("numéro de certification", "identifiant externe", "statut", "date de passage de la certification"),
    "positioning": ("test", "date"),
}


def parse(kind: str, text: str) -> list[RowResult]:
    """One ``RowResult`` per non-empty row. Raises ``FileInvalid`` for a file that has no usable header."""
    if kind not in _PARSERS:
        raise FileInvalid({"kind": f"Type inconnu : {kind} (completions, pix, positioning)."})
    rows = list(_reader(text))
    if rows:
        _require(rows[0][1], _REQUIRED[kind])
    return [_PARSERS[kind](line, row) for line, row in rows]


__all__ = ["KINDS", "OUTCOMES", "FileInvalid", "RowResult", "parse"]
