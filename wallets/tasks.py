"""Periodic clean-up of expired OpenID4VCI offers, tokens and nonces and unanswered OpenID4VP requests (thin: the
services do the work)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import presentations, services

logger = logging.getLogger(__name__)


@shared_task(name="wallets.expired_delete")
def expired_delete() -> dict[str, int]:
    counts = {**services.expired_delete(), "presentation_requests": presentations.requests_expired_delete()}
    logger.info("wallets: expired rows removed %s", counts)
    return counts
