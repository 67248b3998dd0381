"""Brute-force protection for password sign-in: failures counted per username and per client address.

Counters live in the Django cache for a window; reaching a limit refuses further attempts for that
username (or address) until the window has passed, whatever the password. A success clears the username's
counter. With several processes the cache must be shared (Redis) for the limits to be global.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return f"accounts:signin-failures:{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def _keys(*, username: str, address: str) -> list[tuple[str, int]]:
    keys = [(_key("user", username.strip().lower()), settings.BADGES_SIGNIN_MAX_FAILURES_PER_USERNAME)]
    if address:
        keys.append((_key("addr", address), settings.BADGES_SIGNIN_MAX_FAILURES_PER_ADDRESS))
    return keys


def signin_blocked(*, username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username=username, address=address))


def signin_failed(*, username: str, address: str) -> None:
    window = settings.BADGES_SIGNIN_FAILURE_WINDOW
    for key, _limit in _keys(username=username, address=address):
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, window)


def signin_succeeded(*, username: str) -> None:
    cache.delete(_key("user", username.strip().lower()))
