"""did:jwk (did:jwk Method Specification): the DID is ``did:jwk:`` + base64url(UTF-8 JSON of a public JWK).

Like did:key, nothing is fetched: the key is in the identifier. Only public JWKs are accepted; the DID of a JWK
is made from its public members only, serialised compactly with sorted keys, so the same key always gives the
same DID.
"""

from __future__ import annotations

import json

from . import jws
from .errors import DidError

PREFIX = "did:jwk:"
MAX_LENGTH = 2048
PUBLIC_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}


def jwk_from_did_jwk(did_or_key_id: str) -> dict:
    """The JWK named by a did:jwk DID or its key id (``did:jwk:…#0``)."""
    if not isinstance(did_or_key_id, str) or len(did_or_key_id) > MAX_LENGTH:
        raise DidError("A did:jwk is a string of at most 2048 characters.")
    did, _, fragment = did_or_key_id.partition("#")
    if not did.startswith(PREFIX):
        raise DidError(f"{did[:60]!r} is not a did:jwk.")
    if fragment not in ("", "0"):
        raise DidError("A did:jwk key id's fragment is '0'.")
    try:
        jwk = json.loads(jws.b64url_decode(did[len(PREFIX):]))
    except (ValueError, RecursionError, jws.JwsError) as exc:
        raise DidError("A did:jwk holds base64url JSON.") from exc
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str):
        raise DidError("A did:jwk holds a JWK object.")
    return jwk


def did_jwk_from_jwk(jwk: dict) -> str:
    """The did:jwk of a public JWK (its public members only)."""
    members = PUBLIC_MEMBERS.get(jwk.get("kty") if isinstance(jwk, dict) else None)
    if members is None or any(not isinstance(jwk.get(name), str) for name in members):
        raise DidError("Only OKP, EC and RSA public JWKs have a did:jwk here.")
    public = {name: jwk[name] for name in members}
    return PREFIX + jws.b64url_encode(json.dumps(public, separators=(",", ":"), sort_keys=True).encode("utf-8"))
