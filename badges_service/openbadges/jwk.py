"""JSON Web Keys and compact JWS signatures for VC-JWT: public keys from JWKs (RFC 7517; OKP/Ed25519 per
RFC 8037, EC P-256 and RSA per RFC 7518 §6) and from ``did:key``, the signature check of the three accepted
algorithms (RFC 7518 §3.3-3.4, RFC 8037 §3.1), and signing (tests and tools). The VC-JWT claim rules and the
report are ``vc_jwt``'s."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from . import did_key, jws
from .errors import OpenBadgesError
from .jws import MIN_RSA_BITS
from .report import KeyResolutionError

EDDSA, ES256, RS256 = "EdDSA", "ES256", "RS256"
ALGORITHMS = frozenset({EDDSA, ES256, RS256})

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


@dataclass(frozen=True)
class VerificationKey:
    public_key: PublicKey
    controller: str  # who controls the key: must be the credential's issuer
    revoked_after: datetime | None = None  # tokens issued after this instant are refused (compromised key)


KeyResolver = Callable[[str], VerificationKey]  # absolute DID URL (kid) -> key; KeyResolutionError otherwise


class VcJwtError(OpenBadgesError):
    code = "bad_vc_jwt"


def _b64_int(value) -> int:
    if not isinstance(value, str):
        raise VcJwtError("A JWK member is not base64url text.", code="bad_jwk")
    return int.from_bytes(jws.b64url_decode(value), "big")


def public_key_from_jwk(jwk) -> PublicKey:
    """RFC 7517 public JWK -> key: OKP/Ed25519 (RFC 8037), EC/P-256, RSA. A JWK with private parts is refused."""
    if not isinstance(jwk, dict):
        raise VcJwtError("A JWK is a JSON object.", code="bad_jwk")
    if any(name in jwk for name in ("d", "p", "q", "dp", "dq", "qi", "k")):
        raise VcJwtError("The JWK holds private or symmetric key material.", code="bad_jwk")
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(jws.b64url_decode(jwk.get("x") or ""))
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            return ec.EllipticCurvePublicNumbers(_b64_int(jwk.get("x")), _b64_int(jwk.get("y")),
                                                 ec.SECP256R1()).public_key()
        if jwk.get("kty") == "RSA":
            return rsa.RSAPublicNumbers(_b64_int(jwk.get("e")), _b64_int(jwk.get("n"))).public_key()
    except ValueError as exc:
        raise VcJwtError(f"The JWK is not a valid public key: {exc}", code="bad_jwk") from exc
    raise VcJwtError("Only OKP/Ed25519, EC/P-256 and RSA JWKs are accepted.", code="unsupported_key_type")


def raw_public_key(public_key: PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def did_key_resolver(kid: str) -> VerificationKey:
    """``did:key`` (Ed25519) needs no network: the key is the identifier."""
    try:
        raw = did_key.public_key_from_did_key(kid)
    except OpenBadgesError as exc:
        raise KeyResolutionError(f"Bad did:key: {exc}", code="bad_did") from exc
    return VerificationKey(ed25519.Ed25519PublicKey.from_public_bytes(raw), kid.partition("#")[0])


def signature_verify(alg: str, public_key: PublicKey, signature: bytes, signing_input: bytes) -> None:
    """RFC 7518 §3.3 (RS256), §3.4 (ES256: R || S, 32 bytes each), RFC 8037 §3.1 (EdDSA with Ed25519)."""
    try:
        if alg == EDDSA and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, signing_input)
        elif alg == ES256 and isinstance(public_key, ec.EllipticCurvePublicKey) \
                and isinstance(public_key.curve, ec.SECP256R1):
            if len(signature) != 64:
                raise VcJwtError("An ES256 signature is 64 bytes (R || S).", code="signature_invalid")
            der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                             int.from_bytes(signature[32:], "big"))
            public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == RS256 and isinstance(public_key, rsa.RSAPublicKey):
            if public_key.key_size < MIN_RSA_BITS:
                raise VcJwtError(f"RSA keys have at least {MIN_RSA_BITS} bits.", code="weak_key")
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise VcJwtError(f"The key is not a {alg} key.", code="alg_key_mismatch")
    except InvalidSignature as exc:
        raise VcJwtError("The JWT signature does not match.", code="signature_invalid") from exc


def sign(payload: dict, *, private_key, alg: str, kid: str | None = None, typ: str = "vc+jwt",
         extra_header: dict | None = None) -> str:
    """A compact JWS of ``payload`` (tests and tools; the service issues Data Integrity proofs)."""
    header = {"alg": alg, "typ": typ, **({"kid": kid} if kid else {}), **(extra_header or {})}
    signing_input = jws.signing_input(header, json.dumps(payload, separators=(",", ":")).encode()).encode("ascii")
    if alg == EDDSA:
        signature = private_key.sign(signing_input)
    elif alg == ES256:
        r, s = utils.decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == RS256:
        signature = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise VcJwtError(f"{alg} is not an accepted algorithm.", code="alg_not_allowed")
    return f"{signing_input.decode('ascii')}.{jws.b64url_encode(signature)}"
