"""Request guards that hold for every URL, before any view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

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
