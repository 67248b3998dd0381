"""Which LMS source sent a request: by its HMAC signature (preferred), or by Moodle's plain ``token``.

The source may be named (``X-Badges-Source`` header or ``source`` query parameter); otherwise the
signature is checked against each active source's secret (a city has a handful of platforms). Nothing
about an unauthenticated request is stored.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest

from . import selectors, signatures
from .errors import Unauthenticated
from .models import LmsSource

SOURCE_HEADER = "X-Badges-Source"


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
