"""Shared pieces of the OpenAPI description (drf-spectacular): the error body and its usual statuses.

Documentation only: nothing here is used to validate or render a request.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Error = inline_serializer("Error", {
    "error": inline_serializer("ErrorDetail", {
        "code": serializers.CharField(help_text="Stable, machine-readable code, e.g. `invalid`, `not_found`."),
        "message": serializers.CharField(help_text="For people."),
        "details": serializers.DictField(required=False, help_text="For `invalid`: `fields`, the field errors."),
    }),
})

_DESCRIPTIONS = {
    400: "The request is not valid (`invalid`, with field errors).",
    401: "Not authenticated.",
    403: "Not allowed for this account.",
    404: "No such resource.",
    409: "Conflicts with the resource's current state.",
    413: "The body is too large.",
    415: "The body's media type is not accepted here.",
    422: "The request is understood but cannot be carried out (e.g. a URL whose document cannot be had).",
    429: "Too many requests from this client (`rate_limited`); `Retry-After` gives the seconds to wait.",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(Error, description=_DESCRIPTIONS[code]) for code in statuses}


JSON_OBJECT = OpenApiTypes.OBJECT
