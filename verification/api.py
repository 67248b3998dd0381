"""The verification API (public): POST a credential, get the report of named checks."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .services import credential_verify_raw


class _RawJsonParser(BaseParser):
    """Keep the body as bytes: the verifier parses it itself, with its own size and shape checks."""

    media_type = "application/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class CredentialVerifyApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    parser_classes = [_RawJsonParser]

    def post(self, request: Request) -> Response:
        report = credential_verify_raw(raw=request.data or b"")
        return Response(report.as_json(), status=200)
