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
from rest_framework import serializers

from . import COMPLETED, FAILED, PASSED, SCORED, BodyInvalid, ParsedEvent, Unsupported, percent

VERBS = {
    "http://adlnet.gov/expapi/verbs/completed": COMPLETED,
    "http://activitystrea.ms/schema/1.0/complete": COMPLETED,  # Tin Can era; exactMatch of ADL completed
    "http://adlnet.gov/expapi/verbs/passed": PASSED,
    "http://adlnet.gov/expapi/verbs/failed": FAILED,
    "http://adlnet.gov/expapi/verbs/scored": SCORED,
}
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
MAX_STATEMENTS = 500
COURSE_TYPES = {"https://w3id.org/xapi/cmi5/activitytype/course", "http://adlnet.gov/expapi/activities/course"}
_MOODLE_COURSE = re.compile(r"/course/view\.php\?id=(\d+)$")
_LANGS = ("fr", "fr-FR", "en", "en-US", "en-GB")
_CONTEXT_LISTS = ("parent", "grouping", "category", "other")


class _Account(serializers.Serializer):
    homePage = serializers.CharField(max_length=500)
    name = serializers.CharField(max_length=100)


_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_CHECKERS: dict[type, serializers.Serializer] = {}


def _errors_of(cls: type[serializers.Serializer], value: object) -> dict | list | None:
    """The errors of ``value`` for ``cls``, None if valid. One instance per class, reused: building a
    serializer deep-copies its fields, which cost more than the checks for the activities of each statement."""
    checker = _CHECKERS.get(cls)
    if checker is None:
        checker = _CHECKERS[cls] = cls()
    try:
        checker.run_validation(value)
    except serializers.ValidationError as exc:
        return exc.detail
    return None


class _Agent(serializers.Serializer):
    """xAPI Data §2.4.2.1 Agent; §2.4.2.2 Group (anonymous: members and no identifier; identified: one)."""

    objectType = serializers.ChoiceField(choices=["Agent", "Group"], required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    mbox = serializers.RegexField(r"^mailto:[^@\s]+@[^@\s]+$", max_length=300, required=False)
    mbox_sha1sum = serializers.RegexField(r"^[0-9a-fA-F]{40}$", required=False)
    openid = serializers.URLField(required=False)
    account = _Account(required=False)
    member = serializers.ListField(child=serializers.DictField(), required=False, max_length=1000)

    def validate(self, data):
        ifis = [k for k in _IFIS if k in data]
        group = data.get("objectType") == "Group"
        if len(ifis) > 1 or (not ifis and not (group and data.get("member"))):
            raise serializers.ValidationError("Un agent a exactement un identifiant : mbox, mbox_sha1sum, "
                                              "openid ou account (un groupe anonyme a des membres).")
        if "member" in data and not group:
            raise serializers.ValidationError({"member": ["Seul un groupe a des membres."]})
        for i, member in enumerate(data.get("member") or ()):
            errors = _errors_of(_Agent, member)
            if errors or member.get("objectType") == "Group":
                raise serializers.ValidationError({"member": {str(i): errors or ["Un membre est un agent."]}})
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


class _StatementRef(serializers.Serializer):
    objectType = serializers.ChoiceField(choices=["StatementRef"])
    id = serializers.UUIDField()


def _object_errors(value: object, *, sub: bool = False) -> dict | list | None:
    """Errors of a statement's object (xAPI Data §2.4.4: Activity, Agent, Group, StatementRef, SubStatement)."""
    if not isinstance(value, dict):
        return ["Un objet JSON est attendu."]
    kind = value.get("objectType", "Activity")
    if kind == "SubStatement":
        if sub:
            return {"objectType": ["Une sous-déclaration ne peut pas en contenir une autre."]}
        return _errors_of(_SubStatement, value)
    serializer = {"Activity": _Activity, "Agent": _Agent, "Group": _Agent, "StatementRef": _StatementRef}.get(kind)
    if serializer is None:
        return {"objectType": [f"« {kind} » n'est pas un type d'objet xAPI."]}
    return _errors_of(serializer, value)


class _Object(serializers.JSONField):
    def to_internal_value(self, data):
        errors = _object_errors(data, sub=getattr(self.parent, "is_sub", False))
        if errors:
            raise serializers.ValidationError(errors)
        return data


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
    response = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    duration = serializers.RegexField(r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
                                      r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$",
                                      max_length=50, required=False)
    extensions = serializers.DictField(required=False)


class _ContextActivities(serializers.JSONField):
    """xAPI Data §2.4.6.2: each of parent, grouping, category, other is an Activity or a list of them."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Un objet JSON est attendu.")
        unknown = sorted(set(data) - set(_CONTEXT_LISTS))
        if unknown:
            raise serializers.ValidationError(f"Propriétés inconnues : {', '.join(unknown)}.")
        errors = {}
        for key, value in data.items():
            activities = value if isinstance(value, list) else [value]
            for i, activity in enumerate(activities):
                found = (_errors_of(_Activity, activity) if isinstance(activity, dict)
                         else ["Une activité est attendue."])
                if found:
                    errors[f"{key}.{i}"] = found
        if errors:
            raise serializers.ValidationError(errors)
        return data


class _Context(serializers.Serializer):
    registration = serializers.UUIDField(required=False)
    instructor = _Agent(required=False)
    team = _Agent(required=False)
    contextActivities = _ContextActivities(required=False)
    revision = serializers.CharField(required=False, max_length=200)
    platform = serializers.CharField(required=False, max_length=200)
    language = serializers.CharField(required=False, max_length=35)
    statement = _StatementRef(required=False)
    extensions = serializers.DictField(required=False)


class _Core(serializers.Serializer):
    """What a statement and a sub-statement share (xAPI Data §2.4.4.3)."""

    is_sub = False
    actor = _Agent()
    verb = _Verb()
    object = _Object()
    result = _Result(required=False)
    context = _Context(required=False)
    timestamp = serializers.DateTimeField(required=False)


class _SubStatement(_Core):
    is_sub = True
    objectType = serializers.ChoiceField(choices=["SubStatement"])


class _Statement(_Core):
    id = serializers.UUIDField(required=False)
    stored = serializers.DateTimeField(required=False)
    authority = serializers.JSONField(required=False)
    version = serializers.RegexField(r"^1\.0(\.\d+)?$", max_length=20, required=False)
    attachments = serializers.ListField(child=serializers.DictField(), required=False, max_length=0)

    def validate(self, data):
        if data["verb"]["id"] == VOIDED and data["object"].get("objectType") != "StatementRef":
            raise serializers.ValidationError({"object": ["Une annulation (voided) vise une StatementRef."]})
        return data


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
    serializer = _Statement(data=statements, many=True)
    if not serializer.is_valid():
        errors = serializer.errors
        raise BodyInvalid(errors[0] if not isinstance(body, list) else
                          {str(i): e for i, e in enumerate(errors) if e})
    ids = [str(s["id"]) for s in serializer.validated_data if s.get("id")]
    if len(ids) != len(set(ids)):
        raise BodyInvalid({"id": ["Deux déclarations de la requête ont le même id."]})
    return [_one(raw, data, keep_unsupported)
            for raw, data in zip(statements, serializer.validated_data, strict=True)]


# --- statements as stored and compared (xAPI Data §2.3.1 immutability, "Statement Comparison Requirements") ---


def _activity_ref(activity: object) -> object:
    """An activity as compared: its id. Activity definitions are not part of the statement (§2.3.1)."""
    return {"id": activity.get("id")} if isinstance(activity, dict) else activity


def _agent_compared(agent: object) -> object:
    if not isinstance(agent, dict):
        return agent
    agent = {k: v for k, v in agent.items() if not (k == "objectType" and v == "Agent")}
    if isinstance(agent.get("mbox"), str):  # the domain of an email address is case-insensitive
        local, _, domain = agent["mbox"].rpartition("@")
        agent["mbox"] = f"{local}@{domain.lower()}"
    if isinstance(agent.get("member"), list):  # a group's members are not an ordered list
        agent["member"] = sorted((_agent_compared(m) for m in agent["member"]),
                                 key=lambda m: json.dumps(m, sort_keys=True))
    return agent


def _compared(statement: dict) -> dict:
    """What two deliveries of one statement must share: not what the LRS assigns (id, authority, stored,
    version; timestamp is compared on its own), not attachments, the verb's display or activity definitions."""
    out = {k: v for k, v in statement.items()
           if k not in ("id", "authority", "stored", "version", "timestamp", "attachments")}
    if isinstance(out.get("actor"), dict):
        out["actor"] = _agent_compared(out["actor"])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    target = out.get("object")
    if isinstance(target, dict):
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = _activity_ref(target)
        elif kind in ("Agent", "Group"):
            out["object"] = _agent_compared(target)
        elif kind == "SubStatement":
            out["object"] = _compared(target) | {"objectType": "SubStatement", "timestamp": _instant(target)}
    context = out.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                context[role] = _agent_compared(context[role])
        lists = context.get("contextActivities")
        if isinstance(lists, dict):
            context["contextActivities"] = {
                key: [_activity_ref(a) for a in (value if isinstance(value, list) else [value])]
                for key, value in lists.items()}
        out["context"] = context
    return out


def _instant(statement: dict):
    value = statement.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        return serializers.DateTimeField().to_internal_value(value).timestamp()
    except serializers.ValidationError:
        return value


def same_statement(first: dict, second: dict) -> bool:
    """Whether two deliveries are the same statement (a redelivery), or a conflict (xAPI Communication §2.1.1:
    409). A timestamp the client left out is the LRS's to set, so it only counts when both carry one."""
    if _compared(first) != _compared(second):
        return False
    a, b = _instant(first), _instant(second)
    return a is None or b is None or a == b
