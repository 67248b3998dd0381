"""The verification API (public): send a credential in any of its forms, get the report of named checks.

``POST /api/v1/verify`` takes what is to be verified as the body, as is:

* a credential as JSON: an OB 3.0 credential, an OB 2.0 assertion, a Verifiable Presentation or a CLR 2.0
  ``ClrCredential`` (each credential inside is verified too; query parameters ``challenge`` and ``domain`` are
  what a presentation's proof must answer) (``application/json``,
  ``application/ld+json``, ``application/vc``, ``application/vc+ld+json``);
* a compact JWS: an OB 3.0 VC-JWT or a signed OB 2.0 assertion (``application/vc+jwt``, ``application/jwt``,
  ``application/jose``, ``text/plain``);
* a baked badge image (``image/png``, ``image/svg+xml``);
* a URL to fetch (``text/uri-list``, ``text/plain``, or JSON ``{"url": "https://..."}``): this service's own
  URLs are read locally, others are fetched once, SSRF-safe (public addresses only, size and time limits);
* or a form upload (``multipart/form-data``) with one of ``file`` (any of the above as a file), ``url`` or
  ``credential`` (text).

A report (200) is the answer whenever the input could be read, whatever it says (valid, revoked, forged...).
Input that cannot be read is a 4xx whose ``error.code`` is the precise reason and whose ``error.details.report``
is the same report: 400 (``not_json``, ``not_jws``, ``no_baked_credential``, a refused URL such as
``address_not_public``...), 413 (``too_large``), 415 (``unsupported_media_type``), 422 (the URL's document
cannot be had: ``fetch_timeout``, ``fetch_http_status``, ``fetch_gone`` (410), ``fetch_too_large``...), 429
(``rate_limited``). A copy of a hosted OB 2.0 assertion whose URL answers 410 Gone is a report: revoked.
"""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import Error, errors
from badges_service.errors import ApplicationError, PayloadTooLarge, UnsupportedMediaType

from .counting import verification_count
from .presentation import status_for
from .services import TOO_LARGE, credential_verify_raw, form_input_read, max_input_bytes

JSON_TYPES = ("application/json", "application/ld+json", "application/vc", "application/vc+ld+json")
JWS_TYPES = ("application/vc+jwt", "application/jwt", "application/jose")
TEXT_TYPES = ("text/plain", "text/uri-list")
IMAGE_TYPES = ("image/png", "image/svg+xml")
FORM_TYPE = "multipart/form-data"
# application/octet-stream and a missing Content-Type: the verifier recognises the bytes itself.
ACCEPTED_TYPES = frozenset({*JSON_TYPES, *JWS_TYPES, *TEXT_TYPES, *IMAGE_TYPES, FORM_TYPE,
                            "application/octet-stream", ""})


class _RawParser(BaseParser):
    """Keep the body as bytes: the verifier recognises and parses it itself, with its own size checks.
    The body is read up to the largest accepted input, never further."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return b""
        limit = max_input_bytes()
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"The body is larger than {limit} bytes.", code=TOO_LARGE)
        return data


def _form_input(request: Request) -> tuple[bytes, str | None]:
    return form_input_read(upload=request.data.get("file"), url=request.data.get("url"),
                           text=request.data.get("credential"))


def _url_object(data: bytes) -> bytes | None:
    """The URL of a JSON ``{"url": "..."}`` body (an object with that one member is not a credential)."""
    if not data.lstrip().startswith(b"{") or len(data) > 4096:
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict) and set(value) == {"url"} and isinstance(value["url"], str):
        return value["url"].encode("utf-8")
    return None


_REPORT = inline_serializer("VerificationReport", {
    "valid": serializers.BooleanField(),
    "status": serializers.CharField(help_text="valid, revoked, suspended, expired, not_yet_valid, unverifiable, "
                                              "altered (an OB 2.0 copy that differs from its hosted original), "
                                              "invalid."),
    "checks": serializers.ListField(child=serializers.DictField(), help_text=(
        "Named checks, in order: json, context, type, schema, key, proof, (VC-JWT: jwt_iss, jwt_sub, jwt_jti, "
        "jwt_nbf, jwt_exp,) validity, status (and recipient, when asked). Each has name, result (passed, failed, "
        "skipped), code, message.")),
    "credential": serializers.DictField(allow_null=True, help_text="A summary of what was verified."),
})
_URL_EXAMPLE = "https://badges.autre-ville.fr/credentials/5f0c6d1e-3b5e-4a51-9a4e-0c1f6f3b2a11"


class CredentialVerifyApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    parser_classes = [MultiPartParser, _RawParser]
    throttle_scope = "verify"

    @extend_schema(
        operation_id="credential_verify",
        summary="Verify a credential (JSON, VC-JWT, JWS, baked image or URL)",
        description=__doc__,
        parameters=[
            OpenApiParameter("challenge", str, required=False,
                             description="The challenge a Verifiable Presentation's proof must carry."),
            OpenApiParameter("domain", str, required=False,
                             description="The domain a Verifiable Presentation's proof must carry."),
            OpenApiParameter("recipient", str, required=False,
                             description="An email: an Open Badges 2.0 assertion must have been issued to it "
                                         "(its hashed or plain IdentityObject; the `recipient` check)."),
        ],
        request={
            "application/json": OpenApiTypes.OBJECT, "application/ld+json": OpenApiTypes.OBJECT,
            "application/vc": OpenApiTypes.OBJECT,
            "application/vc+jwt": OpenApiTypes.STR, "application/jwt": OpenApiTypes.STR,
            "application/jose": OpenApiTypes.STR, "text/plain": OpenApiTypes.STR, "text/uri-list": OpenApiTypes.STR,
            "image/png": OpenApiTypes.BINARY, "image/svg+xml": OpenApiTypes.BINARY,
            "multipart/form-data": inline_serializer("VerifyUpload", {
                "file": serializers.FileField(required=False, help_text="A baked PNG/SVG, a JSON credential or a "
                                              "JWS, as a file."),
                "url": serializers.URLField(required=False, help_text="A URL to fetch."),
                "credential": serializers.CharField(required=False, help_text="A credential (JSON or JWS) as text."),
            }),
        },
        examples=[
            OpenApiExample("A URL to fetch", value={"url": _URL_EXAMPLE}, request_only=True,
                           media_type="application/json"),
            OpenApiExample("A VC-JWT", value="eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.eyJ2YyI6e319.c2ln",
                           request_only=True, media_type="application/vc+jwt"),
            OpenApiExample("A URL, as text", value=_URL_EXAMPLE, request_only=True, media_type="text/uri-list"),
        ],
        responses={
            200: _REPORT,
            400: OpenApiResponse(Error, description="The input cannot be read: `error.code` says why (`not_json`, "
                                 "`not_jws`, `no_baked_credential`, a refused URL: `address_not_public`, "
                                 "`scheme_not_allowed`...); `error.details.report` is the report."),
            422: OpenApiResponse(Error, description="The URL's document cannot be had (`fetch_timeout`, "
                                 "`fetch_http_status`, `fetch_gone`, `fetch_too_large`, `fetch_content_type`...)."),
            **errors(413, 415, 429),
        },
    )
    def post(self, request: Request) -> Response:
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type not in ACCEPTED_TYPES:
            raise UnsupportedMediaType(f"{media_type} is not accepted; send JSON, a JWS, a PNG or SVG image, a URL "
                                       "or a multipart form.", extra={"accepted": sorted(ACCEPTED_TYPES - {""})})
        if media_type == FORM_TYPE:
            raw, media_type = _form_input(request)
        else:
            raw = request.data if isinstance(request.data, bytes) else b""
            url = _url_object(raw) if media_type in JSON_TYPES else None
            if url is not None:
                raw, media_type = url, "text/plain"
        # A Verifiable Presentation's proof must answer the verifier's own challenge and domain, when given.
        recipient = (request.query_params.get("recipient") or "").strip()
        if len(recipient) > 254 or (recipient and "@" not in recipient):
            raise ApplicationError("recipient must be an email address.", code="bad_recipient")
        report = credential_verify_raw(raw=raw, content_type=media_type,
                                       challenge=request.query_params.get("challenge") or None,
                                       domain=request.query_params.get("domain") or None,
                                       recipient_email=recipient or None)
        verification_count(report=report, channel="api")
        status = status_for(report)
        if status == 200:
            return Response(report.as_json(), status=200)
        check = report.checks[0]
        return Response({"error": {"code": check.code, "message": check.message,
                                   "details": {"report": report.as_json()}}}, status=status)


__all__ = ["CredentialVerifyApi"]
