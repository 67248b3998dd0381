"""One error hierarchy for the domain, mapped to HTTP once, in the API exception handler.

Services raise ``ApplicationError`` subclasses with a short machine-readable ``code``;
views never translate errors themselves.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A domain rule refused the operation. ``code`` is stable; ``message`` is for people."""

    status_code = 400
    code = "application_error"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(ApplicationError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApplicationError):
    status_code = 415
    code = "unsupported_media_type"


def _body(code: str, message: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if extra:
        body["error"]["details"] = extra
    return body


# The database does not answer (down, restarting, failing over) or gave up on a statement: the client should
# come back later, and nothing was written (intake stores an event in one statement, or not at all).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
logger = logging.getLogger(__name__)


def _unavailable_body() -> dict[str, Any]:
    return _body("service_unavailable", f"The service cannot reach its database: retry in {RETRY_AFTER_SECONDS} "
                 "seconds.", {"retry_after": RETRY_AFTER_SECONDS})


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: an unavailable database is a 503 with ``Retry-After`` (JSON for the API), not a 500."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, DATABASE_UNAVAILABLE):
        return defaults.server_error(request)
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse(_unavailable_body(), status=503)
    else:
        response = HttpResponse("Service momentanément indisponible. Réessayez dans quelques instants.\n"
                                "Service temporarily unavailable. Please retry shortly.\n",
                                status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render every error as ``{"error": {"code", "message", "details"?}}``."""
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.warning("Database unavailable: 503 (%s).", type(exc).__name__)
        return Response(_unavailable_body(), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.code, exc.message, exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(detail=getattr(exc, "message_dict", exc.messages))
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = _body("invalid", "The request is not valid.", {"fields": response.data})
    elif isinstance(exc, drf_exceptions.Throttled):  # Retry-After is set by DRF from exc.wait
        wait = int(exc.wait or 1)
        response.data = _body("rate_limited", f"Too many requests: retry in {wait} seconds.", {"retry_after": wait})
    elif isinstance(exc, drf_exceptions.APIException):
        codes = exc.get_codes()
        response.data = _body(codes if isinstance(codes, str) else exc.default_code, str(exc.detail))
    return response
