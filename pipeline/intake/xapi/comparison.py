"""Statements as stored: comparing two deliveries of one statement (xAPI Data §2.3.1 and its "Statement
Comparison Requirements"), the agent and activity filters of statement queries, and the ``ids`` format
(xAPI Communication §2.1.3). Pure functions over the statements' JSON."""

from __future__ import annotations

import json

from rest_framework import serializers

from .validation import IFIS


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


# --- statement queries (xAPI Communication §2.1.3: the agent, activity and related_* filters) ---


def _ifi(agent: dict) -> tuple | None:
    """An agent's inverse functional identifier, as compared (xAPI Data §2.4.2.3)."""
    if not isinstance(agent, dict):
        return None
    if isinstance(agent.get("mbox"), str):
        return "mbox", _agent_compared({"mbox": agent["mbox"]})["mbox"]
    if isinstance(agent.get("account"), dict):
        return "account", agent["account"].get("homePage"), agent["account"].get("name")
    for key in ("mbox_sha1sum", "openid"):
        if isinstance(agent.get(key), str):
            return key, agent[key].lower() if key == "mbox_sha1sum" else agent[key]
    return None


def _agents_in(statement: dict, *, related: bool) -> list[dict]:
    found = [statement.get("actor")]
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") in ("Agent", "Group"):
        found.append(target)
    if related:
        context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
        found += [context.get("instructor"), context.get("team")]
        if isinstance(target, dict) and target.get("objectType") == "SubStatement":
            found += _agents_in(target, related=True)
    members = [m for a in found if isinstance(a, dict) for m in (a.get("member") or []) if isinstance(m, dict)]
    return [a for a in found + members if isinstance(a, dict)]


def _activities_in(statement: dict, *, related: bool) -> list[str]:
    target = statement.get("object")
    is_activity = isinstance(target, dict) and target.get("objectType", "Activity") == "Activity"
    found = [target.get("id")] if is_activity else []
    if related:
        context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
        for value in (context.get("contextActivities") or {}).values():
            found += [a.get("id") for a in (value if isinstance(value, list) else [value]) if isinstance(a, dict)]
        if isinstance(target, dict) and target.get("objectType") == "SubStatement":
            found += _activities_in(target, related=True)
    return found


def statement_matches(statement: dict, *, agent: dict | None = None, activity: str = "",
                      related_agents: bool = False, related_activities: bool = False) -> bool:
    """Whether a stored statement passes the agent and activity filters of a statement query."""
    if agent is not None and _ifi(agent) not in {_ifi(a) for a in _agents_in(statement, related=related_agents)}:
        return False
    return not activity or activity in _activities_in(statement, related=related_activities)


def ids_format(statement: dict) -> dict:
    """§2.1.3 ``format=ids``: agents by their identifier, activities and verbs by their id."""
    def agent(value):
        if not isinstance(value, dict):
            return value
        kept = {k: value[k] for k in ("objectType", *IFIS) if k in value}
        if isinstance(value.get("member"), list) and not any(k in value for k in IFIS):
            kept["member"] = [agent(m) for m in value["member"]]
        return kept

    def thing(value):
        if isinstance(value, dict) and value.get("objectType", "Activity") == "Activity":
            return {"objectType": "Activity", "id": value.get("id")}
        if isinstance(value, dict) and value.get("objectType") in ("Agent", "Group"):
            return agent(value)
        if isinstance(value, dict) and value.get("objectType") == "SubStatement":
            return ids_format(value)
        return value

    out = dict(statement)
    out["actor"], out["object"] = agent(statement.get("actor")), thing(statement.get("object"))
    if isinstance(statement.get("verb"), dict):
        out["verb"] = {"id": statement["verb"].get("id")}
    if isinstance(statement.get("authority"), dict):
        out["authority"] = agent(statement["authority"])
    context = statement.get("context")
    if isinstance(context, dict):
        out["context"] = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                out["context"][role] = agent(context[role])
        if isinstance(context.get("contextActivities"), dict):
            out["context"]["contextActivities"] = {k: [thing(a) for a in (v if isinstance(v, list) else [v])]
                                                   for k, v in context["contextActivities"].items()}
    return out
