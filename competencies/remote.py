"""CASE packages read from a CASE server by URL (``/ims/case/v1p0/CFPackages/<id>``, as OpenSALT and the CASE
Network publish them), through the SSRF-safe fetcher: public addresses only, size and time limits of their own
(``BADGES_CASE_FETCH_*``)."""

from __future__ import annotations

import json

from django.conf import settings

from badges_service import fetch as safe_fetch
from badges_service import fetch_settings

# OpenSALT answers its own media type first when asked (it then adds "_opensalt" members, which are ignored).
ACCEPT = ("application/json", "application/ld+json", "application/vnd.opensalt+json")
resolver: safe_fetch.Resolver = safe_fetch.system_resolver  # replaced by tests that must not use DNS


def is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def package_get(url: str) -> bytes:
    """The CFPackage at ``url``. A CFDocument URL is followed to its CFPackageURI once. ``FetchError`` when it
    cannot be had or may not be fetched."""
    policy = fetch_settings.policy(max_bytes=settings.BADGES_CASE_FETCH_MAX_BYTES,
                                   total_timeout=settings.BADGES_CASE_FETCH_TOTAL_TIMEOUT)
    body = safe_fetch.fetch(url, policy=policy, accept=ACCEPT, resolve=resolver).body
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body  # the reader reports "not JSON" with the rest
    package_link = document.get("CFPackageURI") if isinstance(document, dict) and "CFDocument" not in document \
        else None
    if isinstance(package_link, dict) and isinstance(package_link.get("uri"), str) and package_link["uri"] != url:
        return safe_fetch.fetch(package_link["uri"], policy=policy, accept=ACCEPT, resolve=resolver).body
    return body
