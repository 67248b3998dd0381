"""Public URLs and DIDs of issuers, keys, achievements and credentials.

Every identifier derives from ``BADGES_PUBLIC_URL`` and a stable slug or UUID, so the URLs written
into signed credentials keep resolving.
"""

from __future__ import annotations

from django.conf import settings

from badges_service.openbadges import did_key, did_web
from badges_service.public_urls import public_url

from .models import Achievement, Issuer, SigningKey


def issuer_profile_url(issuer: Issuer) -> str:
    return public_url(f"/issuers/{issuer.slug}")


def issuer_did_web(issuer: Issuer) -> str:
    """did:web for the issuer; its DID document is served at ``<profile url>/did.json``."""
    return did_web.did_web_from_url(issuer_profile_url(issuer))


def issuer_id_for_key(issuer: Issuer, key: SigningKey) -> str:
    """The credential's ``issuer.id`` when signed with ``key`` (the key's controller)."""
    if settings.BADGES_DID_METHOD == "key":
        return "did:key:" + key.public_key_multibase
    return issuer_did_web(issuer)


def verification_method_id(issuer: Issuer, key: SigningKey) -> str:
    controller = issuer_id_for_key(issuer, key)
    if controller.startswith(did_key.PREFIX):
        return did_key.verification_method_id(controller)
    return f"{controller}#{key.public_key_multibase}"


def achievement_url(achievement: Achievement) -> str:
    return public_url(f"/achievements/{achievement.slug}")


def credential_url(public_id) -> str:
    return public_url(f"/credentials/{public_id}")

