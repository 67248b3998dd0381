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
        if data["eventname"] != COURSE_COMPLETED:
            return data
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
        if errors:
            raise serializers.ValidationError(errors)
        return data


def token_of(body: object) -> str:
    """The plugin's ``token`` field, read before authentication (nothing else is trusted yet)."""
    if isinstance(body, dict) and isinstance(body.get("token"), str):
        return body["token"]
    return ""


def parse(body: object) -> ParsedEvent | Unsupported:
    if not isinstance(body, dict):
        raise BodyInvalid({"non_field_errors": ["Un objet JSON (un événement Moodle) est attendu."]})
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
