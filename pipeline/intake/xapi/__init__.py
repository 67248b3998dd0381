"""xAPI statements (xAPI 1.0.3 / IEEE 9274.1.1): one statement or a list.

Acted on: ``completed`` (ADL's verb and the older Tin Can / Activity Streams ``complete``, which the
xAPI SCORM profile lists as an exact match), ``passed``, ``failed`` and ``scored``, about an Activity. Other
verbs and objects are well-formed but unsupported (the LRS stores them as ignored). The actor's ``mbox``
gives an email, ``account.name`` an LMS user id (Moodle's log store sends the Moodle user id there).

Course keys (what a rule's ``course`` may name):

* the object's IRI and, for a Moodle course URL (``.../course/view.php?id=N``), ``N``, so one rule can serve
  Moodle's webhooks and its xAPI log store;
* the ``context.contextActivities.parent`` activities that are not courses: an attempt of a quiz, a lesson
  session or a SCORM object names its module there (``.../mod/quiz/view.php?id=N``), so a rule naming the
  module matches them. A course among the parents is never a key: a course rule is earned by the course's own
  completion (the object is the course), not by that of an activity inside it.

A statement without ``id`` gets a name-based UUID of its content, so an identical redelivery is the same event.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

from django.utils import timezone

from .. import COMPLETED, FAILED, PASSED, SCORED, BodyInvalid, ParsedEvent, Unsupported, percent
from .comparison import ids_format, same_statement, statement_matches
from .validation import VOIDED, StatementShape

__all__ = ["MAX_STATEMENTS", "VERBS", "VOIDED", "course_keys", "ids_format", "parse", "same_statement",
           "score_percent", "statement_id", "statement_matches"]

VERBS = {
    "http://adlnet.gov/expapi/verbs/completed": COMPLETED,
    "http://activitystrea.ms/schema/1.0/complete": COMPLETED,  # Tin Can era; exactMatch of ADL completed
    "http://adlnet.gov/expapi/verbs/passed": PASSED,
    "http://adlnet.gov/expapi/verbs/failed": FAILED,
    "http://adlnet.gov/expapi/verbs/scored": SCORED,
}
MAX_STATEMENTS = 500
COURSE_TYPES = {"https://w3id.org/xapi/cmi5/activitytype/course", "http://adlnet.gov/expapi/activities/course"}
_MOODLE_COURSE = re.compile(r"/course/view\.php\?id=(\d+)$")
_LANGS = ("fr", "fr-FR", "en", "en-US", "en-GB")


def score_percent(score: dict | None) -> Decimal | None:
    """The score in percent. ``raw`` within ``min``/``max`` first: Moodle's log store writes ``scaled`` as
    ``2 * (raw - min) / (max - min) - 1`` (50/100 → 0.0), so scaled alone would halve its scores, while for
    clients that scale as ``raw / max`` both readings agree. Then ``scaled`` (negative: 0), then ``raw``
    alone, read as a percentage."""
    if not score:
        return None
    raw, low, high = score.get("raw"), score.get("min"), score.get("max")
    if raw is not None and high is not None:
        low = low if low is not None else Decimal(0)
        return percent((raw - low) * 100 / (high - low))
    if score.get("scaled") is not None:
        return percent(max(score["scaled"], Decimal(0)) * 100)
    return None if raw is None else percent(raw)


def _label(definition: dict | None) -> str:
    names = (definition or {}).get("name") or {}
    for lang in _LANGS:
        if names.get(lang):
            return names[lang]
    return next(iter(names.values()), "")


def is_course(activity: dict) -> bool:
    definition = activity.get("definition") or {}
    return bool(_MOODLE_COURSE.search(activity.get("id", ""))) or definition.get("type") in COURSE_TYPES


def course_keys(activity: dict, context: dict | None) -> tuple[str, ...]:
    """The object's IRI (and a Moodle course's id), then the parents that are not courses (see the module)."""
    activity_id = activity["id"]
    match = _MOODLE_COURSE.search(activity_id)
    keys = [activity_id, match.group(1)] if match else [activity_id]
    parents = ((context or {}).get("contextActivities") or {}).get("parent") or []
    for parent in parents if isinstance(parents, list) else [parents]:
        if not is_course(parent) and parent["id"] not in keys:
            keys.append(parent["id"])
    return tuple(keys)


def statement_id(raw: dict) -> str:
    """The statement's id, or a name-based UUID of its content: the same statement sent again gets the same id."""
    if raw.get("id"):
        return str(uuid.UUID(str(raw["id"])))
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
                          "xapi:" + json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)))


def _one(raw: dict, data: dict, keep: bool) -> ParsedEvent | Unsupported:
    outcome = VERBS.get(data["verb"]["id"])
    is_activity = data["object"].get("objectType", "Activity") == "Activity"
    ignored = "" if outcome and is_activity else ("unsupported_verb" if is_activity else "unsupported_object")
    if ignored and not keep:
        return Unsupported(ignored, data["verb"]["id"])
    actor, result = data["actor"], data.get("result") or {}
    success = result.get("success")
    if outcome == PASSED and success is None:
        success = True
    elif outcome == FAILED:
        success = False
    target = data["object"] if is_activity else {"id": data["object"].get("id") or ""}
    return ParsedEvent(
        kind="xapi", event_id=statement_id(raw),
        course_keys=course_keys(target, data.get("context")) if is_activity else (),
        occurred_at=data.get("timestamp") or data.get("stored") or timezone.now(), payload=raw,
        outcome=outcome or COMPLETED, ignored=ignored,
        email=actor["mbox"].removeprefix("mailto:").lower() if "mbox" in actor else "",
        lms_user_id=actor["account"]["name"] if "account" in actor else "",
        recipient_name=actor.get("name", ""), course_name=_label(target.get("definition"))[:300],
        score=score_percent(result.get("score")), success=success,
    )


def parse(body: object, *, keep_unsupported: bool = False) -> list[ParsedEvent | Unsupported]:
    """Every statement of the body, in order. One invalid statement makes the whole body invalid. With
    ``keep_unsupported`` (the LRS, which stores every statement), unsupported statements are ParsedEvents
    with ``ignored`` set instead of ``Unsupported``."""
    statements = body if isinstance(body, list) else [body]
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise BodyInvalid({"non_field_errors": ["Une déclaration xAPI (objet) ou une liste de déclarations "
                                                "est attendue."]})
    if len(statements) > MAX_STATEMENTS:
        raise BodyInvalid({"non_field_errors": [f"Au plus {MAX_STATEMENTS} déclarations par requête."]})
    serializer = StatementShape(data=statements, many=True)
    if not serializer.is_valid():
        errors = serializer.errors
        raise BodyInvalid(errors[0] if not isinstance(body, list) else
                          {str(i): e for i, e in enumerate(errors) if e})
    ids = [str(s["id"]) for s in serializer.validated_data if s.get("id")]
    if len(ids) != len(set(ids)):
        raise BodyInvalid({"id": ["Deux déclarations de la requête ont le même id."]})
    return [_one(raw, data, keep_unsupported)
            for raw, data in zip(statements, serializer.validated_data, strict=True)]


