"""OpenID4VCI 1.0 key proofs of the ``jwt`` proof type (Appendix F.1), verified as Appendix F.4 asks.

A wallet proves it holds the key a credential is to be bound to: a JWT typed ``openid4vci-proof+jwt``, signed
with that key, whose ``aud`` is the Credential Issuer Identifier, ``iat`` is recent and ``nonce`` a
server-provided ``c_nonce``. The key is named by exactly one of ``kid`` (a DID URL: ``did:key`` Ed25519 or
``did:jwk``) or ``jwk`` (then the holder is the key's ``did:jwk``); ``x5c`` is not accepted. Whether the nonce is
one this issuer handed out, and is still fresh, is for the caller (it lives in the database): ``verify`` only
returns it. Each refusal is a ``KeyProofError`` whose ``code`` is the OpenID4VCI error code to answer with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import did_jwk, did_key, jwk, jws
from .errors import OpenBadgesError

PROOF_TYPE = "openid4vci-proof+jwt"
ALGORITHMS = ("EdDSA", "ES256")  # no RSA holder keys: wallets use Ed25519 or P-256
INVALID_PROOF = "invalid_proof"
MAX_BYTES = 8 * 1024
IAT_SKEW = timedelta(seconds=60)  # tolerated ahead of our clock


class KeyProofError(OpenBadgesError):
    code = INVALID_PROOF


@dataclass(frozen=True)
class KeyProof:
    holder: str  # the DID the credential is bound to (its credentialSubject.id)
    nonce: str | None
    issued_at: datetime


def _holder_key(header: dict) -> tuple[str, jwk.PublicKey]:
    named = [name for name in ("kid", "jwk", "x5c") if name in header]
    if len(named) != 1 or named[0] == "x5c":
        raise KeyProofError("The proof names its key with exactly one of 'kid' (a did:key or did:jwk URL) or 'jwk'.")
    try:
        if named[0] == "jwk":
            return did_jwk.did_jwk_from_jwk(header["jwk"]), jwk.public_key_from_jwk(header["jwk"])
        kid = header["kid"]
        if not isinstance(kid, str):
            raise KeyProofError("The proof's 'kid' is not a string.")
        did = kid.partition("#")[0]
        if did.startswith(did_key.PREFIX):
            return did, jwk.ed25519_public_key(did_key.public_key_from_did_key(kid))
        if did.startswith(did_jwk.PREFIX):
            return did, jwk.public_key_from_jwk(did_jwk.jwk_from_did_jwk(kid))
    except KeyProofError:
        raise
    except OpenBadgesError as exc:
        raise KeyProofError(f"The proof's key is not usable: {exc}") from exc
    raise KeyProofError("The proof's 'kid' is neither a did:key nor a did:jwk URL.")


def verify(token, *, audience: str, now: datetime | None = None, max_age: timedelta = timedelta(minutes=5),
           algorithms: tuple[str, ...] = ALGORITHMS) -> KeyProof:
    """Check a ``jwt`` key proof; the holder's DID and the proof's nonce, or ``KeyProofError``."""
    now = now or datetime.now(UTC)
    if not isinstance(token, str):
        raise KeyProofError("A jwt key proof is a compact JWS string.")
    try:
        decoded, claims = jws.decode_json_object(token, max_payload_bytes=MAX_BYTES, what="key proof")
    except OpenBadgesError as exc:
        raise KeyProofError(f"The key proof is not a readable JWT: {exc}") from exc
    header = decoded.header
    if header.get("typ") != PROOF_TYPE:
        raise KeyProofError(f"The key proof's typ is not {PROOF_TYPE}.")
    try:
        jws.check_header(header, algorithms)
    except OpenBadgesError as exc:
        raise KeyProofError(f"The key proof's header is refused: {exc}") from exc
    if "crit" in header:
        raise KeyProofError("The key proof has critical header parameters.")
    holder, public_key = _holder_key(header)
    try:
        jws.verify_signature(decoded, public_key, algorithms=algorithms)
    except OpenBadgesError as exc:
        raise KeyProofError("The key proof's signature does not match its key.") from exc
    if claims.get("aud") != audience:
        raise KeyProofError("The key proof's aud is not this Credential Issuer.")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float) or not 0 < iat < 2**40:
        raise KeyProofError("The key proof has no iat.")
    issued_at = datetime.fromtimestamp(iat, UTC)
    if issued_at > now + IAT_SKEW or issued_at < now - max_age:
        raise KeyProofError("The key proof's iat is outside the accepted window.")
    nonce = claims.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise KeyProofError("The key proof's nonce is not a string.")
    return KeyProof(holder=holder, nonce=nonce, issued_at=issued_at)
