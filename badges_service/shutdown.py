"""Whether this process was asked to stop: long-running loops (the pipeline's drainers) look between two
units of work, finish the one they hold, hand the rest back, and return.

A Celery prefork child would die at once on SIGTERM (Celery resets the signal to its default there), losing
the batch in progress to a rollback and the re-drive's delay; ``badges_service.celery`` installs
``request`` as its SIGTERM handler instead, so that the supervisor's SIGTERM to the whole process group
(honcho, systemd, a container runtime) lets the current batch commit.
"""

from __future__ import annotations

import threading

_requested = threading.Event()


def request(*_args) -> None:
    _requested.set()


def requested() -> bool:
    return _requested.is_set()


def wait(seconds: float) -> bool:
    """Sleep up to ``seconds``, less if the process is asked to stop meanwhile. Returns ``requested()``."""
    return _requested.wait(seconds)


def reset() -> None:
    """For tests."""
    _requested.clear()
