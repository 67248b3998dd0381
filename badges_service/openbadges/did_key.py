"""did:key for Ed25519 keys (did:key Method v0.7 §3.1: the DID is ``did:key:`` + the Multikey)."""

from __future__ import annotations

from . import contexts
from .errors import DidError, MultibaseError
from .multibase import ed25519_public_key_from_multibase, ed25519_public_key_to_multibase

PREFIX = "did:key:"


def did_key_from_public_key(raw: bytes) -> str:
    return PREFIX + ed25519_public_key_to_multibase(raw)


def verification_method_id(did: str) -> str:
    return f"{did}#{did[len(PREFIX):]}"


def public_key_from_did_key(did_or_key_id: str) -> bytes:
    """The Ed25519 key named by a did:key DID or key id (``did:key:z…#z…``)."""
    did, _, fragment = did_or_key_id.partition("#")
    if not did.startswith(PREFIX):
        raise DidError(f"{did!r} is not a did:key.")
    multibase = did[len(PREFIX):]
    if fragment and fragment != multibase:
        raise DidError("A did:key key id's fragment must repeat the key.")
    try:
        return ed25519_public_key_from_multibase(multibase)
    except MultibaseError as exc:
        raise DidError(f"did:key does not hold an Ed25519 key: {exc}", code=exc.code) from exc


def did_document(did: str) -> dict:
    public_key_from_did_key(did)  # validates
    key_id = verification_method_id(did)
    return {
        "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {"id": key_id, "type": "Multikey", "controller": did, "publicKeyMultibase": did[len(PREFIX):]}
        ],
        "authentication": [key_id],
        "assertionMethod": [key_id],
        "capabilityDelegation": [key_id],
        "capabilityInvocation": [key_id],
    }
