"""Errors of the Open Badges API as ``Imsx_StatusInfo`` payloads (OB 3.0 §6.2 and the shared API data models).

Every error of a resource endpoint (credentials, profile, discovery) is one of these, with the matching
HTTP status; the OAuth endpoints answer with the OAuth error formats of their own RFCs instead.
"""

from __future__ import annotations

from django.http import JsonResponse

# Imsx_CodeMinorFieldValue, one per HTTP status this API answers with.
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    500: "internal_server_error",
}


class ApiError(Exception):
    """A refusal of the Open Badges API. ``code_minor`` overrides the value derived from ``status``."""

    def __init__(self, status: int, description: str, *, code_minor: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.code_minor = code_minor or CODE_MINOR.get(status, "unknown")
        self.headers = headers or {}


def status_info(*, description: str, code_minor: str) -> dict:
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": code_minor},
        ]},
    }


def error_response(error: ApiError) -> JsonResponse:
    response = JsonResponse(status_info(description=error.description, code_minor=error.code_minor),
                            status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response
