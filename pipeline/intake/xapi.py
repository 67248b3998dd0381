"""xAPI statements (xAPI 1.0.3 / IEEE 9274.1.1): one statement or a list.

Acted on: ``completed`` (ADL's verb and the older Tin Can / Activity Streams ``complete``, which the
xAPI SCORM profile lists as an exact match), ``passed``, ``failed`` and ``scored``. Other verbs are
well-formed but unsupported. The actor's ``mbox`` gives an email, ``account.name`` an LMS user id. The
course keys are the object's IRI and, for a Moodle course URL (``.../course/view.php?id=N``), ``N``, so
one rule can serve Moodle's webhooks and its xAPI log store. A statement without ``id`` gets a
name-based UUID of its content, so an identical redelivery is the same event.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from . import COMPLETED, FAILED, PASSED, SCORED, BodyInvalid, ParsedEvent, Unsupported, percent

VERBS = {
    "http://adlnet.gov/expapi/verbs/completed": COMPLETED,
    "http://activitystrea.ms/schema/1.0/complete": COMPLETED,  # Tin Can era; exactMatch of ADL completed
    "http://adlnet.gov/expapi/verbs/passed": PASSED,
    "http://adlnet.gov/expapi/verbs/failed": FAILED,
    "http://adlnet.gov/expapi/verbs/scored": SCORED,
}
MAX_STATEMENTS = 500
_MOODLE_COURSE = re.compile(r"/course/view\.php\?id=(\d+)$")
_LANGS = ("fr", "fr-FR", "en", "en-US", "en-GB")


class _Account(serializers.Serializer):
    homePage = serializers.CharField(max_length=500)
    name = serializers.CharField(max_length=100)


class _Actor(serializers.Serializer):
    objectType = serializers.ChoiceField(choices=["Agent"], required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    mbox = serializers.RegexField(r"^mailto:[^@\s]+@[^@\s]+$", max_length=300, required=False)
    mbox_sha1sum = serializers.RegexField(r"^[0-9a-fA-F]{40}$", required=False)
    openid = serializers.URLField(required=False)
    account = _Account(required=False)

    def validate(self, data):
        ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in data]
        if len(ifis) != 1:
            raise serializers.ValidationError("Un agent a exactement un identifiant : mbox, mbox_sha1sum, "
                                              "openid ou account.")
        return data


class _Verb(serializers.Serializer):
    id = serializers.CharField(max_length=500)
    display = serializers.DictField(child=serializers.CharField(max_length=200), required=False)


class _Definition(serializers.Serializer):
    name = serializers.DictField(child=serializers.CharField(max_length=300), required=False)
    type = serializers.CharField(max_length=500, required=False)


class _Activity(serializers.Serializer):
    objectType = serializers.ChoiceField(choices=["Activity"], required=False)
    id = serializers.CharField(max_length=500)
    definition = _Definition(required=False)


class _Score(serializers.Serializer):
    scaled = serializers.DecimalField(max_digits=12, decimal_places=6, min_value=-1, max_value=1, required=False)
    raw = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    min = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    max = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)

    def validate(self, data):
        low, high, raw = data.get("min"), data.get("max"), data.get("raw")
        if low is not None and high is not None and low >= high:
            raise serializers.ValidationError({"max": ["max doit être supérieur à min."]})
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            raise serializers.ValidationError({"raw": ["raw doit être entre min et max."]})
        return data


class _Result(serializers.Serializer):
    score = _Score(required=False)
    success = serializers.BooleanField(required=False, allow_null=True, default=None)
    completion = serializers.BooleanField(required=False, allow_null=True, default=None)
    duration = serializers.CharField(max_length=50, required=False)


class _Statement(serializers.Serializer):
    id = serializers.UUIDField(required=False)
    actor = _Actor()
    verb = _Verb()
    object = _Activity()
    result = _Result(required=False)
    context = serializers.JSONField(required=False)
    timestamp = serializers.DateTimeField(required=False)
    stored = serializers.DateTimeField(required=False)
    authority = serializers.JSONField(required=False)
    version = serializers.CharField(max_length=20, required=False)


def _score_percent(score: dict | None) -> Decimal | None:
    if not score:
        return None
    if score.get("scaled") is not None:
        return percent(score["scaled"] * 100)
    raw = score.get("raw")
    if raw is None:
        return None
    low, high = score.get("min"), score.get("max")
    if high is not None:
        low = low if low is not None else Decimal(0)
        return percent((raw - low) * 100 / (high - low))
    return percent(raw)  # a raw score without a scale is read as a percentage


def _label(definition: dict | None) -> str:
    names = (definition or {}).get("name") or {}
    for lang in _LANGS:
        if names.get(lang):
            return names[lang]
    return next(iter(names.values()), "")


def _course_keys(activity_id: str) -> tuple[str, ...]:
    match = _MOODLE_COURSE.search(activity_id)
    return (activity_id, match.group(1)) if match else (activity_id,)


def _one(raw: dict, data: dict) -> ParsedEvent | Unsupported:
    outcome = VERBS.get(data["verb"]["id"])
    if outcome is None:
        return Unsupported("unsupported_verb", data["verb"]["id"])
    actor, result = data["actor"], data.get("result") or {}
    statement_id = data.get("id") or uuid.uuid5(
        uuid.NAMESPACE_URL, "xapi:" + json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    success = result.get("success")
    if outcome == PASSED and success is None:
        success = True
    elif outcome == FAILED:
        success = False
    return ParsedEvent(
        kind="xapi", event_id=str(statement_id), course_keys=_course_keys(data["object"]["id"]),
        occurred_at=data.get("timestamp") or data.get("stored") or timezone.now(), payload=raw, outcome=outcome,
        email=actor["mbox"].removeprefix("mailto:").lower() if "mbox" in actor else "",
        lms_user_id=actor["account"]["name"] if "account" in actor else "",
        recipient_name=actor.get("name", ""), course_name=_label(data["object"].get("definition"))[:300],
        score=_score_percent(result.get("score")), success=success,
    )


def parse(body: object) -> list[ParsedEvent | Unsupported]:
    """Every statement of the body, in order. One invalid statement makes the whole body invalid."""
    statements = body if isinstance(body, list) else [body]
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise BodyInvalid({"non_field_errors": ["Une déclaration xAPI (objet) ou une liste de déclarations "
                                                "est attendue."]})
    if len(statements) > MAX_STATEMENTS:
        raise BodyInvalid({"non_field_errors": [f"Au plus {MAX_STATEMENTS} déclarations par requête."]})
    serializer = _Statement(data=statements, many=True)
    if not serializer.is_valid():
        errors = serializer.errors
        raise BodyInvalid(errors[0] if not isinstance(body, list) else
                          {str(i): e for i, e in enumerate(errors) if e})
    ids = [str(s["id"]) for s in serializer.validated_data if s.get("id")]
    if len(ids) != len(set(ids)):
        raise BodyInvalid({"id": ["Deux déclarations de la requête ont le même id."]})
    return [_one(raw, data) for raw, data in zip(statements, serializer.validated_data, strict=True)]
