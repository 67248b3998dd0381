"""Recording usage of credentials (shares, downloads, verifications)."""

from __future__ import annotations

from issuers.models import Credential

from .models import CredentialUsage


def usage_record(*, credential: Credential, kind: str, channel: str = "") -> CredentialUsage:
    """Count one use of a credential. ``kind`` is a ``CredentialUsage.Kind`` value."""
    return CredentialUsage.objects.create(credential=credential, kind=kind, channel=channel[:20])
