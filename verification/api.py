"""The verification API (public): POST a credential, get the report of named checks.

The body is what is to be verified, as is: an OB 3.0 credential or OB 2.0 assertion (``application/json``,
``application/ld+json``), a signed OB 2.0 assertion (``application/jwt``, ``application/jose``,
``text/plain``), or a baked badge image (``image/png``, ``image/svg+xml``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors

from .services import credential_verify_raw


class _RawParser(BaseParser):
    """Keep the body as bytes: the verifier recognises and parses it itself, with its own size checks."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class CredentialVerifyApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    parser_classes = [_RawParser]

    @extend_schema(operation_id="credential_verify", request={
        "application/json": OpenApiTypes.OBJECT, "application/ld+json": OpenApiTypes.OBJECT,
        "application/jwt": OpenApiTypes.STR, "text/plain": OpenApiTypes.STR,
        "image/png": OpenApiTypes.BINARY, "image/svg+xml": OpenApiTypes.BINARY,
    }, responses={200: inline_serializer("VerificationReport", {
        "valid": serializers.BooleanField(), "status": serializers.CharField(),
        "checks": serializers.ListField(child=serializers.DictField(), help_text="Named checks, in order."),
        "credential": serializers.DictField(allow_null=True, help_text="A summary of what was verified."),
    }), **errors(400, 413)})
    def post(self, request: Request) -> Response:
        report = credential_verify_raw(raw=request.data or b"", content_type=request.content_type)
        return Response(report.as_json(), status=200)
