"""Celery tasks of verification: thin. They take ids and call ``foreign_badges``, which reloads the rows."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from learners.models import ForeignBadge

from . import foreign_badges

TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=5, max_retries=3)
def foreign_badges_recheck_task() -> int:
    """Periodic (Celery beat, see CELERY_BEAT_SCHEDULE): queue a re-check of each foreign badge verified more
    than ``BADGES_FOREIGN_RECHECK_AFTER`` ago. Returns how many were queued."""
    due = foreign_badges.foreign_badges_due()
    for badge_id in due:
        foreign_badge_recheck_task.delay(badge_id)
    return len(due)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=5, max_retries=3)
def foreign_badge_recheck_task(badge_id: int) -> None:
    badge = ForeignBadge.objects.filter(pk=badge_id).first()
    if badge is None:
        return  # deleted by its learner meanwhile
    foreign_badges.foreign_badge_recheck(badge=badge)
