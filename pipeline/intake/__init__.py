"""Parsers of what LMS sources send: each turns a request body (or a CSV row) into ``ParsedEvent``s, or
raises ``BodyInvalid`` with field errors. Nothing here touches the database.

Scores are normalised to percent (0-100) where the source gives a scale (xAPI ``scaled`` or
``raw``/``min``/``max``, CSV ``score``/``score_max``); a Pix certification total stays in Pix points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import timezone

COMPLETED, PASSED, FAILED, SCORED = "completed", "passed", "failed", "scored"
OUTCOMES = (COMPLETED, PASSED, FAILED, SCORED)


@dataclass(frozen=True)
class ParsedEvent:
    kind: str  # moodle, xapi, csv
    event_id: str
    course_keys: tuple[str, ...]
    occurred_at: datetime
    payload: dict = field(repr=False)
    outcome: str = COMPLETED
    lms_user_id: str = ""
    email: str = ""
    recipient_name: str = ""
    course_name: str = ""
    score: Decimal | None = None
    success: bool | None = None
    level_code: str = ""
    ignored: str = ""  # stored as ignored for this reason (an xAPI statement the LRS keeps but awards nothing for)


@dataclass(frozen=True)
class Unsupported:
    """A well-formed item this service does not act on (another Moodle event, another xAPI verb)."""

    reason: str
    detail: str = ""


class BodyInvalid(Exception):
    def __init__(self, errors: dict | list):
        super().__init__("The body is not valid.")
        self.errors = errors


def percent(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


def decimal_or_none(text: str) -> Decimal | None:
    """A number as written in a French or English CSV (``85``, ``85.5``, ``85,5``, ``85 %``)."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%").replace(",", ".")
    if not cleaned or cleaned == "-":
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {text} » n'est pas un nombre.") from None
    if not value.is_finite():
        raise ValueError(f"« {text} » n'est pas un nombre.")
    return value


_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_when(text: str) -> datetime:
    """``DD/MM/YYYY`` (French exports), ``YYYY-MM-DD`` or an ISO 8601 date-time. A date alone is noon
    local time, so that it stays the same calendar day in every time zone the badge is read in."""
    text = text.strip()
    match = _FR_DATE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return timezone.make_aware(datetime.combine(datetime(year, month, day).date(), time(12)))
        if len(text) == 10:
            return timezone.make_aware(datetime.combine(datetime.fromisoformat(text).date(), time(12)))
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"« {text} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ).") from None
    return value if value.tzinfo else timezone.make_aware(value)


def from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
