"""Documents of other services, fetched safely (``badges_service.fetch``) and kept a short while in the cache.

Three uses: the URL form of the verification API, foreign ``did:web`` DID documents (issuers' keys), and
foreign Bitstring status lists. Settings (``BADGES_FETCH_*``) are read when called. Only successes are cached,
under a hash of the URL and the accepted media types, for ``BADGES_FETCH_CACHE_SECONDS``; a cache that fails
is ignored (the document is fetched again).
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache

from badges_service import fetch as safe_fetch
from badges_service import fetch_settings
from badges_service.openbadges import did_web
from badges_service.openbadges.errors import OpenBadgesError

logger = logging.getLogger(__name__)

JSON_TYPES = ("application/json", "application/ld+json")
DID_TYPES = ("application/did+json", "application/did+ld+json", *JSON_TYPES)
STATUS_LIST_TYPES = ("application/vc", "application/vc+ld+json", *JSON_TYPES)
CREDENTIAL_TYPES = (*JSON_TYPES, "application/vc", "application/vc+ld+json", "application/vc+jwt",
                    "application/jwt", "application/jose", "text/plain", "image/png", "image/svg+xml")

# (host, port) -> addresses. Replaced by tests that must not use the system's DNS.
resolver: safe_fetch.Resolver = safe_fetch.system_resolver


def policy() -> safe_fetch.FetchPolicy:
    return fetch_settings.policy()


def _cache_key(url: str, accept) -> str:
    return "badges:fetch:" + hashlib.sha256("\n".join([url, *accept]).encode("utf-8")).hexdigest()


def document_get(url: str, *, accept=CREDENTIAL_TYPES) -> safe_fetch.Fetched:
    """The document at ``url`` (``FetchError`` when it cannot be had or may not be fetched)."""
    key = _cache_key(url, accept)
    try:
        cached = cache.get(key)
    except Exception:  # a cache outage must not stop verification
        logger.warning("Cache unavailable while reading a fetched document", exc_info=True)
        cached = None
    if cached is not None:
        return safe_fetch.Fetched(*cached)
    fetched = safe_fetch.fetch(url, policy=policy(), accept=accept, resolve=resolver)
    try:
        cache.set(key, (fetched.url, fetched.content_type, fetched.body), settings.BADGES_FETCH_CACHE_SECONDS)
    except Exception:
        logger.warning("Cache unavailable while keeping a fetched document", exc_info=True)
    return fetched


def json_get(url: str, *, accept=JSON_TYPES) -> dict:
    """A JSON object fetched from ``url``; ``OpenBadgesError`` (``FetchError`` included) otherwise."""
    body = document_get(url, accept=accept).body
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise OpenBadgesError(f"{url} did not answer JSON.", code="not_json") from exc
    if not isinstance(document, dict):
        raise OpenBadgesError(f"{url} did not answer a JSON object.", code="not_object")
    return document


def did_web_document(did: str) -> dict:
    """did:web §3.2.2 Read (Resolve): GET the DID document over HTTPS; it must be the DID's own."""
    document = json_get(did_web.url_from_did_web(did), accept=DID_TYPES)
    if document.get("id") != did:
        raise OpenBadgesError(f"The document fetched for {did} is another DID's.", code="did_document_mismatch")
    return document
