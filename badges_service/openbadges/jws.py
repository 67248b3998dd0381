"""Compact JSON Web Signatures (RFC 7515 §7.1) through joserfc, with this service's limits and error codes.

joserfc splits, decodes, signs and verifies; it holds the algorithm allow-list (a ``JWSRegistry`` built from the
caller's algorithms: ``none`` and HMAC are never among them, so a public key is never used as a shared secret)
and the ``crit`` rule (RFC 7515 §4.1.11). This module adds what the verifiers' reports need: the size caps
(header 4 KiB, payload the caller's), RSA keys of at least 2048 bits, an algorithm that matches the key's type,
and each refusal as an ``OpenBadgesError`` with a stable code (``not_jws``, ``bad_header``, ``too_large``,
``alg_not_allowed``, ``crit_unsupported``, ``alg_key_mismatch``, ``bad_key``, ``signature_invalid``).
Used by signed OB 2.0 assertions (RS256), VC-JWTs and OpenID4VCI key proofs; "is the signature good" is all it
answers, the claims are their verifiers'.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import errors as jose_errors
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode

from .errors import OpenBadgesError

RS256 = "RS256"
MAX_HEADER_BYTES = 4 * 1024
MAX_SIGNATURE_BYTES = 1024  # RSA up to 8192 bits
MIN_RSA_BITS = 2048
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_NATIVE = (  # cryptography key classes -> the joserfc key type that wraps them
    ((rsa.RSAPublicKey, rsa.RSAPrivateKey), RSAKey),
    ((ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey), ECKey),
    ((ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey), OKPKey),
)
# RFC 9864 deprecates "EdDSA" for new specifications; VC-JWT and OpenID4VCI wallets still use it. Keys under
# 2048 bits are refused here as errors, not warned about.
warnings.filterwarnings("ignore", "EdDSA is deprecated", jose_errors.SecurityWarning)
warnings.filterwarnings("ignore", "Key size should be", jose_errors.SecurityWarning)


class JwsError(OpenBadgesError):
    code = "bad_jws"


def b64url_encode(data: bytes) -> str:
    """RFC 7515 §2: base64url without padding."""
    return urlsafe_b64encode(data).decode("ascii")


def b64url_decode(value: str) -> bytes:
    if not isinstance(value, str) or not _B64URL.fullmatch(value):
        raise JwsError("Not base64url.", code="not_jws")
    try:
        return urlsafe_b64decode(value.encode("ascii"))
    except ValueError as exc:
        raise JwsError("Not base64url.", code="not_jws") from exc


def looks_like_compact_jws(text: str) -> bool:
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2]) and all(_B64URL.fullmatch(p) for p in parts)


@lru_cache(maxsize=32)
def _registry(algorithms: frozenset[str], max_payload_bytes: int = 0) -> joserfc_jws.JWSRegistry:
    # Unknown header parameters are ignored unless named in "crit" (RFC 7515 §4), so strict_check_header is off.
    registry = joserfc_jws.JWSRegistry(algorithms=algorithms, strict_check_header=False)
    registry.max_header_length = MAX_HEADER_BYTES * 4 // 3 + 4
    registry.max_payload_length = max_payload_bytes * 4 // 3 + 4
    registry.max_signature_length = MAX_SIGNATURE_BYTES * 4 // 3 + 4
    return registry


@dataclass(frozen=True)
class Decoded:
    header: dict
    payload: bytes
    compact: joserfc_jws.CompactSignature  # what ``verify_signature`` checks


def decode_unverified(token: str, *, max_payload_bytes: int) -> Decoded:
    """Split and decode a compact JWS without checking its signature (to find which key to use)."""
    if not isinstance(token, str) or not token.isascii():
        raise JwsError("A compact JWS is ASCII text.", code="not_jws")
    token = token.strip()
    if token.count(".") != 2:
        raise JwsError("A compact JWS has three dot-separated parts.", code="not_jws")
    try:
        compact = joserfc_jws.extract_compact(token.encode("ascii"), registry=_registry(frozenset(),
                                                                                       max_payload_bytes))
    except jose_errors.ExceededSizeError as exc:
        raise JwsError(f"The JWS is too large (header at most {MAX_HEADER_BYTES} bytes, payload at most "
                       f"{max_payload_bytes}).", code="too_large") from exc
    except jose_errors.MissingCritHeaderError as exc:  # "b64": false without "crit" (RFC 7797 §6)
        raise JwsError("The JWS header has critical parameters this verifier does not understand.",
                       code="crit_unsupported") from exc
    except (jose_errors.DecodeError, jose_errors.MissingAlgorithmError, RecursionError, TypeError) as exc:
        if "payload" in str(exc):
            raise JwsError("The JWS payload is not base64url.", code="not_jws") from exc
        raise JwsError("The JWS header is not a JSON object with an 'alg'.", code="bad_header") from exc
    header = compact.headers()
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        raise JwsError("The JWS header is not a JSON object with an 'alg'.", code="bad_header")
    return Decoded(header, compact.payload, compact)


def decode_json_object(token: str, *, max_payload_bytes: int, what: str = "JWS") -> tuple[Decoded, dict]:
    """``decode_unverified``, and the payload as a JSON object (a signed OB 2.0 assertion, a JWT's claims).
    ``what`` names the token in the errors ("JWS", "JWT")."""
    decoded = decode_unverified(token, max_payload_bytes=max_payload_bytes)
    try:
        payload = json.loads(decoded.payload)
    except (ValueError, RecursionError) as exc:
        raise JwsError(f"The {what} payload is not JSON.", code="not_json") from exc
    if not isinstance(payload, dict):
        raise JwsError(f"The {what} payload is not a JSON object.", code="not_object")
    return decoded, payload


def jose_key(key) -> Key:
    """A joserfc key from a joserfc key or a ``cryptography`` RSA, EC or Ed25519 key; RSA of at least 2048 bits."""
    if not isinstance(key, RSAKey | ECKey | OKPKey):
        key_class = next((cls for natives, cls in _NATIVE if isinstance(key, natives)), None)
        if key_class is None:
            raise JwsError("Not an RSA, EC or Ed25519 key.", code="bad_key")
        key = key_class.import_key(key)
    if isinstance(key, RSAKey) and key.raw_value.key_size < MIN_RSA_BITS:
        raise JwsError(f"RSA keys have at least {MIN_RSA_BITS} bits.", code="weak_key")
    return key


def check_header(header: dict, algorithms: Collection[str]) -> joserfc_jws.JWSAlgModel:
    """The header's algorithm if it is in ``algorithms`` and its ``crit`` parameters are understood."""
    alg = header.get("alg")
    try:
        if not algorithms or not isinstance(alg, str):
            raise jose_errors.UnsupportedAlgorithmError()
        model = _registry(frozenset(algorithms)).get_alg(alg)
    except jose_errors.UnsupportedAlgorithmError as exc:
        raise JwsError(f"Algorithm {alg!r} is not accepted (accepted: {', '.join(sorted(algorithms))}).",
                       code="alg_not_allowed") from exc
    try:
        _registry(frozenset(algorithms)).check_header(header)
    except (jose_errors.UnsupportedHeaderError, jose_errors.MissingCritHeaderError) as exc:
        raise JwsError("The JWS header has critical parameters this verifier does not understand.",
                       code="crit_unsupported") from exc
    except (jose_errors.InvalidHeaderValueError, jose_errors.MissingHeaderError, TypeError) as exc:
        raise JwsError(f"The JWS header is not well formed: {exc}", code="bad_header") from exc
    return model


def verify_signature(decoded: Decoded, public_key, *, algorithms: Collection[str]) -> None:
    """``JwsError`` unless ``decoded`` is signed by ``public_key`` with one of ``algorithms``."""
    model = check_header(decoded.header, algorithms)
    try:
        key = jose_key(public_key)
    except JwsError as exc:
        raise JwsError(f"The key is not usable for {model.name}: {exc}", code="bad_key") from exc
    if key.key_type != model.key_type or key.is_private:
        raise JwsError(f"The key is not a public {model.name} key.", code="alg_key_mismatch")
    try:
        valid = joserfc_jws.validate_compact(decoded.compact, key, registry=_registry(frozenset(algorithms)))
    except (jose_errors.JoseError, ValueError) as exc:
        raise JwsError(f"The key is not a {model.name} key: {exc}", code="alg_key_mismatch") from exc
    if not valid:
        raise JwsError("The signature does not match.", code="signature_invalid")


def verify(token: str, *, public_key, algorithms: Collection[str] = (RS256,), max_payload_bytes: int) -> Decoded:
    """The decoded JWS if its signature is good under ``public_key``; ``JwsError`` otherwise."""
    decoded = decode_unverified(token, max_payload_bytes=max_payload_bytes)
    verify_signature(decoded, public_key, algorithms=algorithms)
    return decoded


def sign(payload: bytes, *, private_key, header: dict | None = None, algorithms: Collection[str] = (RS256,)) -> str:
    """``BASE64URL(header).BASE64URL(payload).BASE64URL(signature)``; the header's ``alg`` (default RS256, the
    OB 2.0 one) is one of ``algorithms``."""
    header = {"alg": RS256, **(header or {})}
    if header["alg"] not in algorithms:
        raise JwsError(f"{header['alg']} is not an accepted algorithm.", code="alg_not_allowed")
    key = jose_key(private_key)
    try:
        return joserfc_jws.serialize_compact(header, payload, key, registry=_registry(frozenset(algorithms)))
    except jose_errors.JoseError as exc:
        raise JwsError(f"Cannot sign: {exc}", code="bad_header") from exc
