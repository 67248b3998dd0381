"""What intake reads on every request (the active sources, the courses each source's rules and pathways
name), kept in the process for a few seconds.

Intake answers each webhook with two reads fewer. A change made in this process (services, admin) empties
the cache at once (signals in ``apps.py``); another process sees it within ``BADGES_PIPELINE_CONFIG_TTL``
seconds, as if the change had been made that much later: a source switched off accepts events for that
long, and an event for a course whose first rule is that young is stored as ``ignored`` (an admin can
re-process it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")
_entries: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


def cached(key: tuple, load: Callable[[], T]) -> T:
    ttl = settings.BADGES_PIPELINE_CONFIG_TTL
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]  # type: ignore[return-value]
    value = load()
    if ttl > 0:
        with _lock:
            _entries[key] = (now, value)
    return value


def clear(**kwargs) -> None:
    """Forget everything (a signal receiver: any keyword arguments)."""
    with _lock:
        _entries.clear()
