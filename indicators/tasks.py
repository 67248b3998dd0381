"""Celery tasks of the indicators (thin: they call ``indicators.rollup``)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import rollup


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, max_retries=3)
def indicators_rollup_task() -> dict[str, int]:
    """Count the credentials and usages recorded since the last run into the daily rollups (Celery beat,
    every minute). Safe to run twice or concurrently: a row is counted once, when the watermark passes it."""
    return rollup.rollup_refresh()
