"""Reads for issuers, keys, achievements and credentials."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from badges_service.errors import NotFound
from badges_service.openbadges import did_web

from . import identifiers
from .models import Achievement, Credential, Issuer, SigningKey
from .permissions import ISSUE, can_act


def issuer_get(*, slug: str) -> Issuer:
    try:
        return Issuer.objects.get(slug=slug)
    except Issuer.DoesNotExist:
        raise NotFound(f"No issuer '{slug}'.") from None


def issuer_list() -> QuerySet[Issuer]:
    return Issuer.objects.order_by("name")


def achievement_get(*, slug: str) -> Achievement:
    try:
        return Achievement.objects.select_related("issuer").get(slug=slug)
    except Achievement.DoesNotExist:
        raise NotFound(f"No achievement '{slug}'.") from None


def achievement_list(*, issuer: Issuer | None = None) -> QuerySet[Achievement]:
    qs = Achievement.objects.select_related("issuer").order_by("slug")
    return qs.filter(issuer=issuer) if issuer else qs


def credential_get(*, public_id: str | uuid.UUID) -> Credential:
    """Any credential, public or not: for the system (verifier, commands) and for callers whose rights a
    service checks. Views that show a credential to whoever asks use ``credential_get_public``."""
    try:
        return Credential.objects.select_related("achievement", "issuer", "signing_key").get(
            public_id=uuid.UUID(str(public_id)))
    except (ValueError, Credential.DoesNotExist):
        raise NotFound("No such credential.") from None


def credential_get_for_staff(*, public_id: str | uuid.UUID, viewer) -> Credential:
    """A credential for the staff APIs (revoke, suspend, reinstate): a private one that ``viewer`` may not issue
    for raises the same ``NotFound`` as an unknown id. (Learners' and visitors' reads:
    ``learners.policy.credential_get_public``.)"""
    credential = credential_get(public_id=public_id)
    if not (credential.is_public or can_act(viewer, credential.issuer, ISSUE)):
        raise NotFound("No such credential.")
    return credential


def credential_find_by_url(*, url_or_id: str) -> Credential:
    """A credential by its public URL or its UUID (for the system: no privacy check)."""
    return credential_get(public_id=url_or_id.rstrip("/").rsplit("/", 1)[-1])


def published_keys(*, issuer: Issuer) -> QuerySet[SigningKey]:
    """Keys listed in the issuer's DID document: active and retired. A revoked (compromised) key is
    withdrawn, so verifiers that only read the DID document refuse everything it signed; this
    service's own verifier still accepts what it signed before the compromise date."""
    return issuer.signing_keys.filter(algorithm=SigningKey.ED25519).exclude(
        status=SigningKey.Status.REVOKED).order_by("created_at", "id")


def issuer_did_document(*, issuer: Issuer) -> dict:
    did = identifiers.issuer_did_web(issuer)
    return did_web.did_document(did, [
        did_web.PublishedKey(f"{did}#{k.public_key_multibase}", k.public_key_multibase)
        for k in published_keys(issuer=issuer)
    ])
