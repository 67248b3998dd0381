"""Counting verifications, triggered by the views that verify (the page and the API), never by
``verification.services``: the ``/metrics`` figure by outcome, and the usage of a credential of ours
(``indicators``). A count never fails the verification."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from badges_service import metrics, ratelimit
from badges_service.openbadges.report import Report
from indicators.services import usage_count

from .services import own_credential_id

logger = logging.getLogger(__name__)


def verification_count(*, report: Report, channel: str) -> None:
    try:
        credential_id = own_credential_id(report=report)
    except Exception:
        logger.warning("A verification could not be counted", exc_info=True)
        credential_id = None
    page_view_count(outcome=report.status, credential_id=credential_id, channel=channel)


def page_view_count(*, outcome: str, credential_id: int | None, channel: str) -> None:
    """Count one verification whose outcome is known (``verification_count``, or a page served from the cache):
    the metric, and the usage of our credential ``credential_id`` (None: not one of ours)."""
    try:
        metrics.verification_observe(outcome=outcome, channel=channel)
    except Exception:
        logger.warning("A verification could not be counted in the metrics", exc_info=True)
    usage_count(credential_id=credential_id, kind="verification", channel=channel)


def limit_and_count(request: HttpRequest, view: dict | None) -> HttpResponse | None:
    """The rate limit of ``request`` (the 429 answer, or None) and, when it may proceed, the count of ``view``
    (``page_view_count``'s arguments for a page served from the cache; None: nothing to count)."""
    limited = ratelimit.request_limit(request)
    if limited is None and view is not None:
        page_view_count(**view)
    return limited
