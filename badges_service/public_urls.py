"""Public URLs: every identifier written into a signed credential derives from ``BADGES_PUBLIC_URL``."""

from __future__ import annotations

from django.conf import settings


def public_url(path: str) -> str:
    return settings.BADGES_PUBLIC_URL + path
