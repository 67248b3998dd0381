"""Recording usage of credentials (shares, downloads, verifications)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from issuers.models import Credential

from .models import CredentialUsage
from .usage_buffer import usage_buffer_add

logger = logging.getLogger(__name__)


def usage_record(*, credential: Credential | None = None, credential_id: int | None = None, kind: str,
                 channel: str = "") -> CredentialUsage:
    """Count one use of a credential (given as a row or by its id). ``kind`` is a ``CredentialUsage.Kind`` value."""
    return CredentialUsage.objects.create(credential_id=credential.pk if credential is not None else credential_id,
                                          kind=kind, channel=channel[:20])


def usage_count(*, credential_id: int | None, kind: str, channel: str = "") -> None:
    """Count one use for a view that must answer whatever happens to the count (a verification): nothing for
    ``None`` (not one of ours). With ``BADGES_USAGE_BUFFER``, in Redis (``indicators.usage_buffer``, written
    to PostgreSQL within about ten seconds); otherwise, or if Redis fails, by ``usage_record``. A failed insert
    is logged, inside a savepoint so that the caller's transaction stays usable."""
    if credential_id is None:
        return
    if settings.BADGES_USAGE_BUFFER:
        try:
            if usage_buffer_add(credential_id=credential_id, kind=kind, channel=channel):
                return
        except Exception:
            logger.warning("A %s could not be counted in Redis: written to the database instead", kind,
                           exc_info=True)
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                usage_record(credential_id=credential_id, kind=kind, channel=channel)
        else:  # autocommit: a failed INSERT leaves nothing to roll back (and BEGIN, COMMIT are two round trips)
            usage_record(credential_id=credential_id, kind=kind, channel=channel)
    except Exception:
        logger.warning("A %s could not be counted", kind, exc_info=True)
