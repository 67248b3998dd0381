"""Content negotiation for public resources: HTML for people and robots, JSON-LD for machines that ask for it.

A URL shared in a message or scanned from a QR code is opened by browsers (``text/html,...,*/*;q=0.8``) and
fetched by link-preview robots and curl (``*/*``): all of them get the page. Only a client that names a JSON
media type explicitly, and prefers it to HTML, gets the document: Open Badges 2.0 validators send
``application/ld+json, application/json, image/png, image/svg+xml`` (1EdTech's openbadges-validator-core),
wallets and JSON-LD document loaders ``application/ld+json, application/json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache, wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from badges_service.errors import NotFound

JSON_TYPES = ("application/ld+json", "application/json")


HTML_TYPES = ("text/html", "application/xhtml+xml")


def _explicit_quality(request: HttpRequest, media_types: tuple[str, ...]) -> float:
    """The highest quality the Accept header gives to one of ``media_types`` named as such (not by a wildcard)."""
    return max((accepted.quality for accepted in request.accepted_types
                if f"{accepted.main_type}/{accepted.sub_type}" in media_types), default=0.0)


def wants_json(request: HttpRequest) -> bool:
    """True when the client names a JSON media type (or ``?format=json``) and does not prefer HTML; a bare
    ``*/*``, no Accept header, or a browser's Accept gets the page."""
    if request.META.get("QUERY_STRING"):
        if request.GET.get("format") == "json":
            return True
        if request.GET.get("format") == "html":
            return False
    return _answer_for(request.META.get("HTTP_ACCEPT", ""))[0]


def json_content_type(request: HttpRequest) -> str:
    return _answer_for(request.META.get("HTTP_ACCEPT", ""))[1]


def _answer_for(accept: str) -> tuple[bool, str]:
    """(JSON preferred, the JSON content type to answer) for an Accept header. Clients send a few distinct
    headers, each parsed once (Django's parser); an unusually long header is parsed every time."""
    return _negotiated(accept) if len(accept) <= 512 else _negotiated.__wrapped__(accept)


@lru_cache(maxsize=256)
def _negotiated(accept: str) -> tuple[bool, str]:
    request = HttpRequest()
    if accept:
        request.META["HTTP_ACCEPT"] = accept
    json_quality = _explicit_quality(request, JSON_TYPES)
    preferred = request.get_preferred_type(list(JSON_TYPES))
    return (json_quality > 0 and json_quality >= _explicit_quality(request, HTML_TYPES),
            f"{preferred or JSON_TYPES[0]}; charset=utf-8")


def json_response(request: HttpRequest, data: dict | str) -> HttpResponse:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=json_content_type(request))
    response["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=404)
    # A private badge and an unknown one read the same (nothing is disclosed), but never as a forgery.
    return render(request, "verification/not_found.html",
                  {"message": exc.message, "is_credential": request.path.startswith("/credentials/")}, status=404)


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page or document: a ``NotFound`` from a selector becomes the 404 page (or JSON error)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return not_found(request, exc)

    return wrapper
