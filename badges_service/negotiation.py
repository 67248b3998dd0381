"""Content negotiation for public resources: HTML for people, JSON-LD for machines."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from badges_service.errors import NotFound

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


def json_response(request: HttpRequest, data: dict | str) -> HttpResponse:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=json_content_type(request))
    response["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=404)
    return render(request, "verification/not_found.html", {"message": exc.message}, status=404)


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page or document: a ``NotFound`` from a selector becomes the 404 page (or JSON error)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return not_found(request, exc)

    return wrapper
