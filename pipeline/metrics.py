"""The pipeline's figures for ``GET /metrics`` (see ``badges_service.metrics``), read from the event log."""

from __future__ import annotations

from django.db.models import Count, Min
from django.utils import timezone

from badges_service.metrics import Figures, collector

from .models import InboundEvent

Status = InboundEvent.Status


@collector("pipeline")
def events_figures() -> Figures:
    rows = list(InboundEvent.objects.values_list("source__name", "status").annotate(n=Count("pk")).order_by())
    by_source: dict[str, dict[str, int]] = {}
    for source, status, count in rows:
        by_source.setdefault(source, {})[status] = count
    oldest = InboundEvent.objects.filter(status=Status.RECEIVED).aggregate(at=Min("received_at"))["at"]
    pending = sum(statuses.get(Status.RECEIVED, 0) for statuses in by_source.values())

    def per_source(statuses: tuple[str, ...] | None) -> list[tuple[dict[str, str], float]]:
        return [({"source": source}, sum(n for s, n in counts.items() if statuses is None or s in statuses))
                for source, counts in sorted(by_source.items())]

    return [
        ("badges_events_received", "Completion events stored by intake, by source.", "counter", per_source(None)),
        ("badges_events_processed", "Events processed (rules applied; credentials issued where earned).", "counter",
         per_source((Status.PROCESSED,))),
        ("badges_events_failed", "Events that failed for a domain reason (recorded on the event).", "counter",
         per_source((Status.FAILED,))),
        ("badges_events", "Stored events by source and status.", "gauge",
         [({"source": source, "status": status}, n) for source, counts in sorted(by_source.items())
          for status, n in sorted(counts.items())]),
        ("badges_events_pending", "Events waiting for a worker (status received).", "gauge", [({}, pending)]),
        ("badges_events_pending_oldest_age_seconds", "Age of the oldest event waiting for a worker (0: none).",
         "gauge", [({}, (timezone.now() - oldest).total_seconds() if oldest else 0.0)]),
    ]
