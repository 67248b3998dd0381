r"""Moodle webhook bodies: the standard fields of a Moodle event (``\core\event\base::get_data()``) plus the
webhook plugin's ``host``, ``token`` and ``extra``, as posted by e.g. the local_webhooks plugin.

Only ``\core\event\course_completed`` is acted on (objecttable ``course_completions``: ``objectid`` is the
completion row, ``relateduserid`` the learner, ``courseid`` the course). Moodle sends ids as numbers or as
numeric strings; both are accepted. The event id is ``course_completed:<objectid>``, so a redelivery, or
the same completion aggregated again, is the same event.
"""

from __future__ import annotations

from rest_framework import serializers

from . import COMPLETED, BodyInvalid, ParsedEvent, Unsupported, from_unix

COURSE_COMPLETED = "\\core\\event\\course_completed"
MAX_ID = 2**53  # ids beyond what a JSON number carries exactly are not Moodle ids


class _MoodleEvent(serializers.Serializer):
    eventname = serializers.CharField(max_length=200)
    component = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    action = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    target = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    objecttable = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    objectid = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    crud = serializers.CharField(max_length=1, required=False, allow_blank=True, allow_null=True)
    edulevel = serializers.IntegerField(required=False, allow_null=True)
    contextid = serializers.IntegerField(required=False, allow_null=True)
    contextlevel = serializers.IntegerField(required=False, allow_null=True)
    contextinstanceid = serializers.IntegerField(required=False, allow_null=True)
    userid = serializers.IntegerField(required=False, allow_null=True)
    courseid = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False, allow_null=True)
    relateduserid = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    anonymous = serializers.IntegerField(required=False, allow_null=True)
    other = serializers.JSONField(required=False, allow_null=True)
    timecreated = serializers.IntegerField(min_value=0, max_value=2**40)
    host = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    token = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    extra = serializers.JSONField(required=False, allow_null=True)

    def validate(self, data):
        errors = _completion_errors(data)
        if errors:
            raise serializers.ValidationError(errors)
        return data


def _completion_errors(data: dict) -> dict:
    """What a course completion must carry (and ``relateduserid`` moved from ``other`` before Moodle 2.7): the
    field errors, ``data`` completed in place."""
    if data["eventname"] != COURSE_COMPLETED:
        return {}
    errors = {}
    if not data.get("objectid"):
        errors["objectid"] = ["Ce champ est obligatoire pour course_completed."]
    if not data.get("courseid"):
        errors["courseid"] = ["Ce champ est obligatoire pour course_completed."]
    other = data.get("other")
    if not data.get("relateduserid") and isinstance(other, dict) and str(other.get("relateduserid", "")).isdigit():
        data["relateduserid"] = int(other["relateduserid"])  # before Moodle 2.7 it lived in ``other``
    if not data.get("relateduserid"):
        errors["relateduserid"] = ["Ce champ est obligatoire pour course_completed."]
    return errors


# The fast path: a body whose every declared field is already of the plain type the serializer would make of
# it (a string without surrounding spaces, NUL or surrogates, within its length; an int, not a bool, or a string
# of ASCII digits, within its bounds; any JSON for the JSON fields) gives, field for field, what ``_MoodleEvent``
# validates it to, without building a serializer (DRF deep-copies its twenty fields for each one). Anything else,
# valid or not, goes through the serializer, which also writes the errors. tests/pipeline/test_intake_parsers.py
# holds the two equal.
_DECLINE = object()


def _plain_text(value: str, max_length: int) -> bool:
    return (len(value) <= max_length and value == value.strip() and "\x00" not in value
            and (value.isascii() or not any("\ud800" <= c <= "\udfff" for c in value)))


def _text(field: serializers.CharField, value: object) -> object:
    if type(value) is str and (value or field.allow_blank) and _plain_text(value, field.max_length):
        return value
    return _DECLINE


def _integer(field: serializers.IntegerField, value: object) -> object:
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)  # Moodle sends ids as numeric strings too
    if type(value) is not int or (field.min_value is not None and value < field.min_value) or (
            field.max_value is not None and value > field.max_value):
        return _DECLINE
    return value


def _json(field: serializers.JSONField, value: object) -> object:
    return value  # parsed from JSON: serialisable as it is


# The declared fields are only read here (never bound or copied): shared by every request.
_PLAN = [(name, field, {serializers.CharField: _text, serializers.IntegerField: _integer,
                        serializers.JSONField: _json}[type(field)])
         for name, field in _MoodleEvent._declared_fields.items()]


def fast_validated(body: dict) -> dict | None:
    """``_MoodleEvent``'s validated data for a body of plain values, or None (the serializer decides)."""
    data = {}
    for name, field, convert in _PLAN:
        if name not in body:
            if field.required:
                return None
            continue
        value = body[name]
        value = None if value is None and field.allow_null else convert(field, value)
        if value is _DECLINE or (value is None and not field.allow_null):
            return None
        data[name] = value
    return None if _completion_errors(data) else data


def token_of(body: object) -> str:
    """The plugin's ``token`` field, read before authentication (nothing else is trusted yet)."""
    if isinstance(body, dict) and isinstance(body.get("token"), str):
        return body["token"]
    return ""


def parse(body: object) -> ParsedEvent | Unsupported:
    if not isinstance(body, dict):
        raise BodyInvalid({"non_field_errors": ["Un objet JSON (un événement Moodle) est attendu."]})
    data = fast_validated(body)
    if data is None:
        serializer = _MoodleEvent(data=body)
        if not serializer.is_valid():
            raise BodyInvalid(serializer.errors)
        data = serializer.validated_data
    if data["eventname"] != COURSE_COMPLETED:
        return Unsupported("unsupported_event", data["eventname"])
    payload = {k: v for k, v in body.items() if k != "token"}  # the secret is not kept with the event
    return ParsedEvent(
        kind="moodle", event_id=f"course_completed:{data['objectid']}", course_keys=(str(data["courseid"]),),
        occurred_at=from_unix(data["timecreated"]), payload=payload, outcome=COMPLETED,
        lms_user_id=str(data["relateduserid"]),
    )
