"""The verification API (public): POST a credential, get the report of named checks.

The body is what is to be verified, as is: an OB 3.0 credential or OB 2.0 assertion (``application/json``,
``application/ld+json``), a signed OB 2.0 assertion (``application/jwt``, ``application/jose``,
``text/plain``), or a baked badge image (``image/png``, ``image/svg+xml``).
"""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

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

    def post(self, request: Request) -> Response:
        report = credential_verify_raw(raw=request.data or b"", content_type=request.content_type)
        return Response(report.as_json(), status=200)
