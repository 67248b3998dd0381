"""Liveness and readiness, for load balancers and orchestrators.

* ``GET /healthz``: the process answers (no dependency is touched): 200 ``{"status": "ok"}``.
* ``GET /readyz``: PostgreSQL answers, Redis answers, and at least one Celery worker marked itself alive
  within ``WORKER_SEEN_WITHIN`` seconds (``badges_service.celery.WorkerPresence``). 200, or 503 naming each
  failing check. Where tasks run in-process (development), Redis and workers are not needed and not checked.

Both are answered by ``HealthMiddleware``, first in the chain: before the host check (probes often send an
address as ``Host``), the HTTPS redirect, sessions and rate limits. The answers name checks, never an error
text (which could carry a host name or a connection string).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

WORKER_SEEN_WITHIN = 60  # seconds
PRESENCE_KEY = "badges:workers"  # sorted set: worker hostname -> last mark (unix seconds)
_clients: dict[str, object] = {}


def _redis(url: str):
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return _clients[url]


def _broker() -> str:
    url = settings.CELERY_BROKER_URL or ""
    return url if url.startswith(("redis://", "rediss://")) else ""


def worker_mark(hostname: str) -> None:
    """Called by each worker every few seconds. Never raises: a broker outage must not stop the worker."""
    url = _broker()
    if not url:
        return
    now = time.time()
    try:
        client = _redis(url)
        client.zadd(PRESENCE_KEY, {hostname: now})
        client.zremrangebyscore(PRESENCE_KEY, "-inf", now - 24 * 3600)  # names of workers long gone
    except Exception:
        logger.warning("Could not mark the worker alive in Redis.", exc_info=True)


def worker_unmark(hostname: str) -> None:
    url = _broker()
    if url:
        try:
            _redis(url).zrem(PRESENCE_KEY, hostname)
        except Exception:
            logger.warning("Could not remove the worker's mark from Redis.", exc_info=True)


def workers_seen(within: float = WORKER_SEEN_WITHIN) -> list[str]:
    """Hostnames of the workers that marked themselves alive within ``within`` seconds."""
    members = _redis(_broker()).zrangebyscore(PRESENCE_KEY, time.time() - within, "+inf")
    return sorted(m.decode() for m in members)


def _database() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("Readiness: the database does not answer.", exc_info=True)
        connections["default"].close_if_unusable_or_obsolete()
        return False


def _redis_ok() -> bool:
    urls = {u for u in (settings.REDIS_URL, _broker()) if u}
    try:
        return all(_redis(u).ping() for u in urls)
    except Exception:
        logger.warning("Readiness: Redis does not answer.", exc_info=True)
        return False


def _worker_ok() -> bool:
    try:
        return bool(workers_seen())
    except Exception:
        return False


def readiness() -> dict[str, bool]:
    checks = {"database": _database()}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["redis"] = _redis_ok()
        checks["worker"] = checks["redis"] and _worker_ok()
    return checks


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "unavailable" if failing else "ok",
            "checks": {name: "ok" if ok else "failing" for name, ok in checks.items()}}
    if failing:
        body["failing"] = failing
    response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """Answers ``/healthz`` and ``/readyz`` (GET, HEAD) before any other middleware."""

    VIEWS = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            response = view(request)
            response.setdefault("Cache-Control", "no-store")
            return response
        return self.get_response(request)
