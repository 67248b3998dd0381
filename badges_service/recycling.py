"""When a web worker gives way to a fresh one: once its memory passes a bound, the slow leak that recycling
guards against, rather than after a fixed number of requests.

A count of requests restarted healthy workers on a fast machine every minute or so (200,000 requests at 2,600
requests/s per worker), and each restart costs about a second of CPU (Django's set-up) and a cold start of the
caches kept in memory (the public pages', the verification API's). ``gunicorn_conf.post_request`` reads the
worker's resident memory every ``every`` requests, a read of ``/proc/self/statm``, and asks gunicorn to replace
the worker gracefully (the same way as its own ``max_requests``) once it is past the bound.
"""

from __future__ import annotations

import os

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MIB = 1024 * 1024


def rss_mib() -> float:
    """This process's resident memory in MiB (0 where ``/proc`` is missing: never recycled for memory then)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE / MIB
    except (OSError, IndexError, ValueError):
        return 0.0


def due(requests: int, *, every: int, limit_mib: int, rss=rss_mib) -> float | None:
    """The worker's memory in MiB when it must be replaced (checked on every ``every``-th request, past
    ``limit_mib``), else None. ``limit_mib`` 0 turns the check off."""
    if limit_mib <= 0 or every <= 0 or requests % every:
        return None
    memory = rss()
    return memory if memory > limit_mib else None
