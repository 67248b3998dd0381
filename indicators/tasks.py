"""Celery tasks of the indicators (thin: they call ``indicators.rollup`` and ``indicators.usage_buffer``)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import rollup, usage_buffer

logger = logging.getLogger(__name__)


@shared_task
def usage_flush_task() -> int:
    """Write the usage counts buffered in Redis to PostgreSQL (Celery beat, every 10 s). No retry: the next
    run, 10 s later, takes whatever this one left, in flight or pending."""
    return usage_buffer.usage_flush()


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, max_retries=3)
def indicators_rollup_task() -> dict[str, int]:
    """Count the credentials and usages recorded since the last run into the daily rollups (Celery beat,
    every minute), after flushing the buffered usages so that the last views are in. Safe to run twice or
    concurrently: a row is counted once, when the watermark passes it."""
    try:
        usage_buffer.usage_flush()
    except Exception:  # Redis down: the rollup of what PostgreSQL holds still runs
        logger.warning("The usage buffer could not be flushed before the rollup", exc_info=True)
    return rollup.rollup_refresh()
