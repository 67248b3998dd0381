"""Request guards that hold for every URL, before any view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import is_valid_path

NUL = "\x00"


class RejectNulCharactersMiddleware:
    """A NUL character (``%00``) in the path, the query string or a header (a cookie too) is refused with a 400.

    No identifier, code, search text, credential or session key of ours contains one, and PostgreSQL refuses
    NUL in text, so a lookup with one would fail deep in a view or a middleware (a 500) instead of being
    refused at the edge. (Front servers usually refuse NUL in headers already; this does not rely on it.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = None
        if NUL in request.path_info:
            where = "path"
        elif any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()):
            where = "query string"
        elif any(NUL in value for key, value in request.META.items()
                 if key.startswith("HTTP_") and isinstance(value, str)):
            where = "request headers"
        if where:
            return JsonResponse({"error": {"code": "nul_character",
                                           "message": f"The {where} contains a NUL character (%00)."}}, status=400)
        return self.get_response(request)


class RemoveSlashMiddleware:
    """``/credentials/<id>/`` or ``/frameworks/``: a GET or HEAD of a path that only exists without its trailing
    slash is redirected (301) there, query string kept. (The other way round, Django's ``APPEND_SLASH`` in
    ``CommonMiddleware`` adds a missing slash.) Printed and shared links end either way; both should work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.method in ("GET", "HEAD") and len(path) > 1 and path.endswith("/") and not path.endswith("//"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(path[:-1], urlconf):
                target = request.get_full_path(force_append_slash=False)
                base, _, query = target.partition("?")
                return HttpResponsePermanentRedirect(base[:-1] + (f"?{query}" if query else ""))
        return self.get_response(request)
