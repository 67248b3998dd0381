"""Which LMS source sent a request: by its HMAC signature (preferred), by Moodle's plain ``token``, or by
its xAPI LRS credentials (HTTP Basic, RFC 7617: what xAPI clients such as Moodle's log store send).

The source may be named (``X-Badges-Source`` header or ``source`` query parameter); otherwise the
signature is checked against each active source's secret (a city has a handful of platforms). Nothing
about an unauthenticated request is stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from drf_spectacular.authentication import BasicScheme
from rest_framework import exceptions

from badges_service.authentication import BasicAuthentication

from . import selectors, signatures
from .errors import Unauthenticated
from .models import LmsSource

SOURCE_HEADER = "X-Badges-Source"
BASIC_CHALLENGE = 'Basic realm="xAPI", charset="UTF-8"'
_NO_SUCH_DIGEST = "0" * 64  # compared against when the username is unknown, so both cases cost the same


def _named(request: HttpRequest) -> str:
    return (request.headers.get(SOURCE_HEADER) or request.GET.get("source") or "").strip()


def _candidates(request: HttpRequest) -> list[LmsSource]:
    name = _named(request)
    if not name:
        return selectors.sources_active()
    named = [source for source in selectors.sources_active() if source.name == name]  # cached: no query
    if not named:
        raise Unauthenticated("Unknown LMS source.", code="unknown_source")
    return named


def has_signature(request: HttpRequest) -> bool:
    return bool(request.headers.get(signatures.HEADER))


def source_from_signature(request: HttpRequest, body: bytes) -> LmsSource:
    try:
        timestamp, candidates = signatures.parse(request.headers.get(signatures.HEADER, ""))
        signatures.check_fresh(timestamp, tolerance=settings.BADGES_PIPELINE_SIGNATURE_TOLERANCE)
    except signatures.SignatureError as exc:
        raise Unauthenticated(str(exc), code=exc.code) from None
    for source in _candidates(request):
        if signatures.matches(selectors.source_secret(source), timestamp, candidates, body):
            return source
    raise Unauthenticated("The signature does not match any source's secret.", code="bad_signature")


def source_from_token(request: HttpRequest, token: str) -> LmsSource:
    """Moodle's fallback for plugins that cannot sign: the source's secret sent as the body's ``token``."""
    named = _named(request)
    if named and not LmsSource.objects.filter(name=named, active=True).exists():
        raise Unauthenticated("Unknown LMS source.", code="unknown_source")
    if not token:
        raise Unauthenticated(f"Sign the request ({signatures.HEADER}) or send the source's token.",
                              code="unauthenticated")
    source = selectors.source_by_secret_digest(digest=hashlib.sha256(token.encode("utf-8")).hexdigest())
    if (source is None or not source.token_allowed or (named and source.name != named)
            or not hmac.compare_digest(selectors.source_secret(source), token.encode("utf-8"))):
        raise Unauthenticated("The token is not valid.", code="bad_token")
    return source


def has_basic(request: HttpRequest) -> bool:
    return request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0].lower() == "basic"


def basic_credentials(request: HttpRequest) -> tuple[str, str]:
    """``(username, password)`` of an ``Authorization: Basic`` header; 401 if absent or unreadable."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        raise Unauthenticated("Send the source's LRS credentials (HTTP Basic).", code="unauthenticated")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise Unauthenticated("The Basic credentials are not base64 of UTF-8 text.", code="bad_credentials") from None
    username, sep, password = decoded.partition(":")
    if not sep or "\x00" in decoded:
        raise Unauthenticated("The Basic credentials are not username:password.", code="bad_credentials")
    return username, password


def source_from_credentials(username: str, password: str) -> LmsSource | None:
    """The active source whose LRS credentials these are, else None. The password's digest is compared in
    constant time, also when the username is unknown."""
    source = selectors.source_by_lrs_username(username=username) if len(username) <= 150 else None
    digest = hashlib.sha256(password.encode("utf-8")).hexdigest()
    expected = source.lrs_password_digest if source is not None and source.lrs_password_digest else _NO_SUCH_DIGEST
    if not hmac.compare_digest(digest.encode("ascii"), expected.encode("ascii")) or source is None:
        return None
    return source


def source_from_basic(request: HttpRequest) -> LmsSource:
    """The source named by the request's HTTP Basic credentials (its LRS username and password); 401 otherwise."""
    source = source_from_credentials(*basic_credentials(request))
    if source is None:
        raise Unauthenticated("Unknown LRS username or wrong password.", code="bad_credentials")
    return source


class SourceBasicAuthentication(BasicAuthentication):
    """DRF authentication for routes a source may read with its LRS credentials as well as people with
    theirs: LRS credentials give an anonymous user and the source as ``request.auth``; other credentials
    are a user's (DRF's basic authentication)."""

    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed("Invalid basic header. Credentials contain a NUL character.")
        if selectors.source_by_lrs_username(username=userid) is not None:
            source = source_from_credentials(userid, password)
            if source is None:
                raise exceptions.AuthenticationFailed("Unknown LRS username or wrong password.")
            return AnonymousUser(), source
        return super().authenticate_credentials(userid, password, request)


class SourceBasicScheme(BasicScheme):
    """For the OpenAPI schema: HTTP basic auth (``basicAuth``), a person's or a source's LRS credentials."""

    target_class = "pipeline.authentication.SourceBasicAuthentication"
    name = "sourceBasicAuth"
