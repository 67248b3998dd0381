"""The shape of an xAPI 1.0.3 statement (xAPI Data §2.4), checked with DRF serializers: every object type,
agents and groups, results, context and contextActivities, sub-statements. Field errors name the property."""

from __future__ import annotations

from rest_framework import serializers

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
_CONTEXT_LISTS = ("parent", "grouping", "category", "other")


class _Account(serializers.Serializer):
    homePage = serializers.CharField(max_length=500)
    name = serializers.CharField(max_length=100)


IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
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
        ifis = [k for k in IFIS if k in data]
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


class StatementShape(_Core):
    id = serializers.UUIDField(required=False)
    stored = serializers.DateTimeField(required=False)
    authority = serializers.JSONField(required=False)
    version = serializers.RegexField(r"^1\.0(\.\d+)?$", max_length=20, required=False)
    attachments = serializers.ListField(child=serializers.DictField(), required=False, max_length=0)

    def validate(self, data):
        if data["verb"]["id"] == VOIDED and data["object"].get("objectType") != "StatementRef":
            raise serializers.ValidationError({"object": ["Une annulation (voided) vise une StatementRef."]})
        return data




def agent_errors(value: object) -> dict | list | None:
    """The errors of an Agent or Group (a statement query's ``agent`` parameter), None if valid."""
    return _errors_of(_Agent, value)
