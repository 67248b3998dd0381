"""Content negotiation for public resources: HTML for people, JSON-LD for machines."""

from __future__ import annotations

from django.http import HttpRequest

JSON_TYPES = ("application/ld+json", "application/json")


def wants_json(request: HttpRequest) -> bool:
    """True unless the client prefers HTML. A bare ``*/*`` (verifiers, curl) gets JSON-LD."""
    if request.GET.get("format") == "json":
        return True
    if request.GET.get("format") == "html":
        return False
    preferred = request.get_preferred_type(["application/ld+json", "application/json", "text/html"])
    return preferred in JSON_TYPES


def json_content_type(request: HttpRequest) -> str:
    preferred = request.get_preferred_type(list(JSON_TYPES))
    return f"{preferred or JSON_TYPES[0]}; charset=utf-8"
