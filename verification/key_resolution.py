"""Resolve a proof's verificationMethod (or a VC-JWT's kid) to a public key.

* ``did:key``: the key is in the identifier itself.
* ``did:web`` on this service's own host: our issuers' keys, from the database (no network).
* a foreign ``did:web``: its DID document, fetched over HTTPS by ``remote`` (SSRF-safe, cached); the key
  must be one of its assertion methods.
* anything else (an https key URL): reported as unresolvable, which is not the same as a bad signature;
  so is a DID document that cannot be had.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from badges_service.fetch import FetchError
from badges_service.openbadges import did_key, did_web, jwk
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.multibase import ed25519_public_key_from_multibase
from badges_service.openbadges.report import KeyResolutionError, ResolvedKey
from issuers import identifiers, selectors

from . import own_records, remote


def resolve_key(verification_method: str) -> ResolvedKey:
    if not isinstance(verification_method, str) or len(verification_method) > 2048:
        raise KeyResolutionError("The verification method is not a usable identifier.")
    did, _, fragment = verification_method.partition("#")
    if did.startswith(did_key.PREFIX):
        try:
            public = did_key.public_key_from_did_key(verification_method)
        except OpenBadgesError as exc:
            raise KeyResolutionError(f"Bad did:key: {exc}", code="bad_did") from exc
        own = selectors.signing_key_find(public_key_multibase=did[len(did_key.PREFIX):])
        return ResolvedKey(public, did, own.revoked_after if own else None)
    if did.startswith(did_web.PREFIX):
        if not _is_own_did_web(did):
            return _resolve_foreign_did_web(did, verification_method)
        return own_records.own_key(verification_method=verification_method,
                                   resolve=lambda: _resolve_own_did_web(did, fragment, verification_method))
    raise KeyResolutionError(
        f"The key {verification_method!r} cannot be resolved here: only did:key and did:web keys are resolved.")


def _is_own_did_web(did: str) -> bool:
    try:
        document_url = did_web.url_from_did_web(did)
    except OpenBadgesError as exc:
        raise KeyResolutionError(str(exc), code="bad_did") from exc
    own = urlsplit(settings.BADGES_PUBLIC_URL)
    target = urlsplit(document_url)
    return (target.hostname, target.port) == (own.hostname, own.port)


def _foreign_method(did: str, verification_method: str) -> dict:
    try:
        document = remote.did_web_document(did)
    except FetchError as exc:
        raise KeyResolutionError(f"The DID document of {did} cannot be had: {exc}") from exc
    except OpenBadgesError as exc:
        raise KeyResolutionError(f"The DID document of {did} is not usable: {exc}", code=exc.code) from exc
    try:
        return did_web.assertion_method(document, did=did, method_id=verification_method)
    except OpenBadgesError as exc:
        raise KeyResolutionError(str(exc), code=exc.code) from exc


def _foreign_public_key(did: str, verification_method: str) -> jwk.PublicKey:
    """The key of a foreign did:web assertion method: ``publicKeyMultibase`` (Ed25519) or ``publicKeyJwk``."""
    method = _foreign_method(did, verification_method)
    try:
        if isinstance(method.get("publicKeyMultibase"), str):
            return jwk.ed25519_public_key(ed25519_public_key_from_multibase(method["publicKeyMultibase"]))
        return jwk.public_key_from_jwk(method.get("publicKeyJwk"))
    except (OpenBadgesError, ValueError) as exc:
        raise KeyResolutionError(f"{verification_method}: {exc}", code="bad_key") from exc


def _resolve_foreign_did_web(did: str, verification_method: str) -> ResolvedKey:
    """Data Integrity proofs here are Ed25519: Multikey, Ed25519VerificationKey2020 or an OKP JWK."""
    public = _foreign_public_key(did, verification_method)
    if public.key_type != "OKP":  # public_key_from_jwk accepts no other OKP curve than Ed25519
        raise KeyResolutionError(f"{verification_method} is not an Ed25519 key.", code="unsupported_key_type")
    return ResolvedKey(public.public_key.public_bytes_raw(), did)


def resolve_jwt_key(kid: str) -> jwk.VerificationKey:
    """A VC-JWT's signing key (Ed25519, P-256 or RSA) from its kid: did:key, or our own or a foreign did:web."""
    if not isinstance(kid, str) or len(kid) > 2048:
        raise KeyResolutionError("The kid is not a usable identifier.")
    did = kid.partition("#")[0]
    if did.startswith(did_web.PREFIX) and not _is_own_did_web(did):
        return jwk.VerificationKey(_foreign_public_key(did, kid), did)
    resolved = resolve_key(kid)
    return jwk.VerificationKey(jwk.ed25519_public_key(resolved.public_key), resolved.controller,
                               resolved.revoked_after)


def _resolve_own_did_web(did: str, fragment: str, verification_method: str) -> ResolvedKey:
    target = urlsplit(did_web.url_from_did_web(did))
    path = target.path.removesuffix("/did.json").strip("/").split("/")
    if len(path) != 2 or path[0] != "issuers":
        raise KeyResolutionError(f"{did} is not an issuer of this service.")
    # One query in the usual case; when it finds nothing, a second says what is missing.
    key = selectors.signing_key_find(public_key_multibase=fragment, issuer_slug=path[1]) if fragment else None
    if key is None or identifiers.issuer_did_web(key.issuer) != did:
        issuer = selectors.issuer_find(slug=path[1])
        if issuer is None or identifiers.issuer_did_web(issuer) != did:
            raise KeyResolutionError(f"{did} is not an issuer of this service.")
        raise KeyResolutionError(f"{verification_method} is not one of {issuer.slug}'s keys.", code="unknown_key")
    return ResolvedKey(ed25519_public_key_from_multibase(key.public_key_multibase), did, key.revoked_after)
