"""Celery tasks of the pipeline: thin. They take ids, and call the services, which reload the rows."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import services

# Transient: the database or the broker is unavailable. Domain errors never reach here: the service
# records them on the event.
TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=300, retry_jitter=True,
             max_retries=12)
def events_process_task(event_ids: list[int]) -> None:
    services.events_process(event_ids=event_ids)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=2, retry_backoff_max=300, retry_jitter=True,
             max_retries=12)
def events_drain_task() -> int:
    """Process pending events in batches until none is left (see ``services.queueing``)."""
    return services.events_drain()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=5, max_retries=3)
def events_redrive_task(older_than_seconds: int | None = None) -> int:
    """Periodic (Celery beat, see CELERY_BEAT_SCHEDULE): queue again the events left pending."""
    return services.events_redrive(older_than_seconds=older_than_seconds)
