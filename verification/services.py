"""Verification of any credential document, ours or foreign: one entry point for the page, the
API and the command line."""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings

from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.schema import schema_errors
from badges_service.openbadges.verify import (
    FAILED,
    PASSED,
    SKIPPED,
    Check,
    Report,
    parse_document,
    report_unreadable,
    verify_credential,
)
from issuers.models import Credential

from .keys import resolve_key


def _proof_values(document: dict) -> list:
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p.get("proofValue") if isinstance(p, dict) else None for p in proofs]


def _status_check(document: dict) -> Check | None:
    """Revocation as this service knows it, for credentials it issued."""
    credential_id = document.get("id")
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        if document.get("credentialStatus"):
            return Check("status", SKIPPED, "status_unchecked",
                         "The credential's status list is hosted elsewhere and is not fetched.")
        return None
    credential = Credential.objects.filter(public_id__iexact=credential_id[len(prefix):]).only(
        "document", "revoked_at", "revocation_reason").first()
    if credential is None:
        return Check("status", FAILED, "unknown_credential", "This service has no record of this credential.")
    # A valid signature with one of our keys is not enough: a stolen key could sign an altered copy
    # (back-dated before its revocation). What this service issued is on record; anything else is not it.
    if _proof_values(document) != _proof_values(json.loads(credential.document)):
        return Check("status", FAILED, "not_as_issued",
                     "This document differs from the credential this service issued under this id.")
    if credential.revoked_at:
        reason = f": {credential.revocation_reason}" if credential.revocation_reason else ""
        return Check("status", FAILED, "revoked", f"Revoked on {credential.revoked_at.date().isoformat()}{reason}")
    return Check("status", PASSED, "ok", "Not revoked.")


def credential_verify(*, document: dict, now: datetime | None = None) -> Report:
    return verify_credential(document, resolve_key=resolve_key, now=now, check_status=_status_check,
                             schema_errors=schema_errors)


def credential_verify_raw(*, raw: bytes | str, now: datetime | None = None) -> Report:
    """Verify JSON text. Unreadable input gives a report whose ``json`` check failed."""
    try:
        document = parse_document(raw, max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES)
    except OpenBadgesError as exc:
        return report_unreadable(exc)
    return credential_verify(document=document, now=now)
