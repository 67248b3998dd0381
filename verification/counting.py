"""Counting verifications, triggered by the views that verify (the page and the API), never by
``verification.services``: the ``/metrics`` figure by outcome, and the usage of a credential of ours
(``indicators``). A count never fails the verification."""

from __future__ import annotations

import logging

from badges_service import metrics
from badges_service.openbadges.report import Report
from indicators.services import usage_count

from .services import own_credential_of

logger = logging.getLogger(__name__)


def verification_count(*, report: Report, channel: str) -> None:
    try:
        metrics.verification_observe(outcome=report.status, channel=channel)
    except Exception:
        logger.warning("A verification could not be counted in the metrics", exc_info=True)
    try:
        credential = own_credential_of(report=report)
    except Exception:
        logger.warning("A verification could not be counted", exc_info=True)
        return
    usage_count(credential=credential, kind="verification", channel=channel)
