"""Resolve a proof's verificationMethod to a public key, without network.

* ``did:key``: the key is in the identifier itself.
* ``did:web`` on this service's own host: our issuers' keys, from the database.
* anything else (a foreign ``did:web``, an https key URL): reported as unresolvable, which is
  not the same as a bad signature.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from badges_service.openbadges import did_key, did_web
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.multibase import ed25519_public_key_from_multibase
from badges_service.openbadges.verify import KeyResolutionError, ResolvedKey
from issuers import identifiers
from issuers.models import Issuer, SigningKey


def _own_key(multibase: str, issuer: Issuer | None = None) -> SigningKey | None:
    qs = SigningKey.objects.select_related("issuer").filter(public_key_multibase=multibase)
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    return qs.first()


def resolve_key(verification_method: str) -> ResolvedKey:
    if not isinstance(verification_method, str) or len(verification_method) > 2048:
        raise KeyResolutionError("The verification method is not a usable identifier.")
    did, _, fragment = verification_method.partition("#")
    if did.startswith(did_key.PREFIX):
        try:
            public = did_key.public_key_from_did_key(verification_method)
        except OpenBadgesError as exc:
            raise KeyResolutionError(f"Bad did:key: {exc}", code="bad_did") from exc
        own = _own_key(did[len(did_key.PREFIX):])
        return ResolvedKey(public, did, own.revoked_after if own else None)
    if did.startswith(did_web.PREFIX):
        return _resolve_own_did_web(did, fragment, verification_method)
    raise KeyResolutionError(
        f"The key {verification_method!r} cannot be resolved here: only did:key and this service's own "
        "did:web keys are resolved (nothing is fetched from the network).")


def _resolve_own_did_web(did: str, fragment: str, verification_method: str) -> ResolvedKey:
    try:
        document_url = did_web.url_from_did_web(did)
    except OpenBadgesError as exc:
        raise KeyResolutionError(str(exc), code="bad_did") from exc
    own = urlsplit(settings.BADGES_PUBLIC_URL)
    target = urlsplit(document_url)
    if (target.hostname, target.port) != (own.hostname, own.port):
        raise KeyResolutionError(
            f"{did} is hosted elsewhere ({target.hostname}); foreign did:web documents are not fetched.")
    path = target.path.removesuffix("/did.json").strip("/").split("/")
    if len(path) != 2 or path[0] != "issuers":
        raise KeyResolutionError(f"{did} is not an issuer of this service.")
    issuer = Issuer.objects.filter(slug=path[1]).first()
    if issuer is None or identifiers.issuer_did_web(issuer) != did:
        raise KeyResolutionError(f"{did} is not an issuer of this service.")
    key = _own_key(fragment, issuer) if fragment else None
    if key is None:
        raise KeyResolutionError(f"{verification_method} is not one of {issuer.slug}'s keys.", code="unknown_key")
    return ResolvedKey(ed25519_public_key_from_multibase(key.public_key_multibase), did, key.revoked_after)
