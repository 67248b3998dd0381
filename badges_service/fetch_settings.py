"""The SSRF-safe fetcher's policy as the settings say (``BADGES_FETCH_*``), read when called: shared by every
app that fetches a partner-supplied URL (verification of foreign credentials, CASE frameworks by URL)."""

from __future__ import annotations

import dataclasses
import ssl

from django.conf import settings

from badges_service import fetch as safe_fetch


def policy(**overrides) -> safe_fetch.FetchPolicy:
    """The policy from settings; ``overrides`` (``max_bytes``, ``total_timeout``...) for a use that needs more."""
    ca_file = getattr(settings, "BADGES_FETCH_CA_FILE", "")
    base = safe_fetch.FetchPolicy(
        max_bytes=settings.BADGES_FETCH_MAX_BYTES,
        connect_timeout=settings.BADGES_FETCH_CONNECT_TIMEOUT,
        read_timeout=settings.BADGES_FETCH_READ_TIMEOUT,
        total_timeout=settings.BADGES_FETCH_TOTAL_TIMEOUT,
        max_redirects=settings.BADGES_FETCH_MAX_REDIRECTS,
        allowed_private=safe_fetch.parse_allowed_private(settings.BADGES_FETCH_ALLOWED_PRIVATE),
        ssl_context=ssl.create_default_context(cafile=ca_file) if ca_file else None,
    )
    return dataclasses.replace(base, **overrides)
