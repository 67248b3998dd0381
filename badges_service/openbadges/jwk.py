"""JSON Web Keys for VC-JWT and key proofs, through joserfc: public keys imported from JWKs (RFC 7517; OKP/Ed25519
per RFC 8037, EC P-256 and RSA per RFC 7518 §6) and from ``did:key``, the key a verifier resolved
(``VerificationKey``), and VC-JWT signing (tests and tools: the service issues Data Integrity proofs). What is
accepted is this service's policy: public keys only, of the three key types the VC-JWT algorithms use. The claim
rules and the report are ``vc_jwt``'s; the signature check is ``jws.verify_signature``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ed25519
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from . import did_key, jws
from .errors import OpenBadgesError
from .report import KeyResolutionError

EDDSA, ES256, RS256 = "EdDSA", "ES256", "RS256"
ALGORITHMS = frozenset({EDDSA, ES256, RS256})
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

PublicKey = OKPKey | ECKey | RSAKey  # joserfc keys; ``cryptography`` keys are accepted wherever one is passed in


@dataclass(frozen=True)
class VerificationKey:
    public_key: PublicKey | object  # a joserfc key, or a ``cryptography`` public key
    controller: str  # who controls the key: must be the credential's issuer
    revoked_after: datetime | None = None  # tokens issued after this instant are refused (compromised key)


KeyResolver = Callable[[str], VerificationKey]  # absolute DID URL (kid) -> key; KeyResolutionError otherwise


class VcJwtError(OpenBadgesError):
    code = "bad_vc_jwt"


def public_key_from_jwk(jwk) -> PublicKey:
    """RFC 7517 public JWK -> key: OKP/Ed25519 (RFC 8037), EC/P-256, RSA. A JWK with private parts is refused."""
    if not isinstance(jwk, dict):
        raise VcJwtError("A JWK is a JSON object.", code="bad_jwk")
    if any(name in jwk for name in PRIVATE_MEMBERS):
        raise VcJwtError("The JWK holds private or symmetric key material.", code="bad_jwk")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if not ((kty == "OKP" and crv == "Ed25519") or (kty == "EC" and crv == "P-256") or kty == "RSA"):
        raise VcJwtError("Only OKP/Ed25519, EC/P-256 and RSA JWKs are accepted.", code="unsupported_key_type")
    try:
        return jws.jose_key(JWKRegistry.import_key(jwk))
    except (JoseError, ValueError, TypeError) as exc:
        raise VcJwtError(f"The JWK is not a valid public key: {exc}", code="bad_jwk") from exc


def ed25519_public_key(raw: bytes) -> OKPKey:
    """The OKP key of a raw 32-byte Ed25519 public key (``did:key``, Multikey)."""
    return OKPKey.import_key(ed25519.Ed25519PublicKey.from_public_bytes(raw))


def same_public_key(one, other) -> bool:
    """Whether two keys (joserfc or ``cryptography``) are the same public key: their RFC 7638 thumbprints."""
    return jws.jose_key(one).thumbprint() == jws.jose_key(other).thumbprint()


def did_key_resolver(kid: str) -> VerificationKey:
    """``did:key`` (Ed25519) needs no network: the key is the identifier."""
    try:
        raw = did_key.public_key_from_did_key(kid)
    except OpenBadgesError as exc:
        raise KeyResolutionError(f"Bad did:key: {exc}", code="bad_did") from exc
    return VerificationKey(ed25519_public_key(raw), kid.partition("#")[0])


def sign(payload: dict, *, private_key, alg: str, kid: str | None = None, typ: str = "vc+jwt",
         extra_header: dict | None = None) -> str:
    """A compact JWS of ``payload`` (tests and tools; the service issues Data Integrity proofs)."""
    header = {"alg": alg, "typ": typ, **({"kid": kid} if kid else {}), **(extra_header or {})}
    return jws.sign(json.dumps(payload, separators=(",", ":")).encode(), private_key=private_key, header=header,
                    algorithms=ALGORITHMS)


__all__ = ["ALGORITHMS", "EDDSA", "ES256", "RS256", "KeyResolver", "PublicKey", "VcJwtError",
           "VerificationKey", "did_key_resolver", "ed25519_public_key", "public_key_from_jwk", "same_public_key",
           "sign"]
