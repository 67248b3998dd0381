"""``GET /metrics``: Prometheus text format, for the operations team's Prometheus.

* Requests by view, method and status, with latency histograms: django-prometheus's middleware. Each web
  process writes its figures into ``PROMETHEUS_MULTIPROC_DIR`` (set by ``badges_service.web``) and a scrape
  sums those of every process of the machine (prometheus_client's multiprocess mode).
* The service's own figures: verifications by channel and outcome (counted where they happen, see
  ``verification_observe``) and, read from the database at scrape time (so every web process of every machine
  reports the same, deployment-wide figures: scrape one, or take ``max`` across instances), what the apps register
  with ``collector``: events received, processed and failed by source, the pending backlog and its age,
  credentials issued. Those reads are cached ``DB_FIGURES_SECONDS`` in the shared cache, so scrapes of many
  processes cost the database one read.

Protected by a bearer token: ``BADGES_METRICS_TOKEN``. Without it configured, ``/metrics`` answers 404 (it does
not exist); a request without ``Authorization: Bearer …`` gets 401, with a wrong token 403.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

DB_FIGURES_SECONDS = 10
VERIFICATIONS = Counter("badges_verifications", "Credentials verified, by channel and outcome.",
                        ["channel", "outcome"])

# Each returns (name, documentation, type, [(labels, value), ...]); type is "counter" or "gauge".
Figures = list[tuple[str, str, str, list[tuple[dict[str, str], float]]]]
_collectors: dict[str, Callable[[], Figures]] = {}


def collector(name: str):
    """Register a function that reads figures from the database (an app's ``ready``)."""
    def register(function: Callable[[], Figures]) -> Callable[[], Figures]:
        _collectors[name] = function
        return function
    return register


def verification_observe(*, outcome: str, channel: str) -> None:
    VERIFICATIONS.labels(channel=channel or "unknown", outcome=outcome).inc()


def _figures() -> Figures:
    key = "metrics:database-figures"
    figures = cache.get(key)
    if figures is None:
        figures = []
        for name, function in sorted(_collectors.items()):
            try:
                figures.extend(function())
            except Exception:
                logger.warning("Metrics: the figures of %s could not be read.", name, exc_info=True)
        cache.set(key, figures, DB_FIGURES_SECONDS)
    return figures


class DatabaseCollector:
    def collect(self) -> Iterable[Metric]:
        for name, documentation, kind, samples in _figures():
            metric = Metric(name, documentation, kind)
            suffix = "_total" if kind == "counter" else ""
            for labels, value in samples:
                metric.add_sample(name + suffix, labels, value)
            yield metric


def _authorised(request: HttpRequest) -> int:
    """200, or the status to answer: 404 (not configured), 401 (no token), 403 (wrong token)."""
    token = settings.BADGES_METRICS_TOKEN
    if not token:
        return 404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return 401
    return 200 if hmac.compare_digest(given.strip().encode(), token.encode()) else 403


def metrics(request: HttpRequest) -> HttpResponse:
    status = _authorised(request)
    if status == 404:
        raise Http404
    if status != 200:
        response = HttpResponse(status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        body = generate_latest(processes)
    else:
        body = generate_latest(REGISTRY)
    own = CollectorRegistry()
    own.register(DatabaseCollector())
    # The classic text format (0.0.4), which generate_latest writes and every Prometheus version reads.
    response = HttpResponse(body + generate_latest(own), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response
