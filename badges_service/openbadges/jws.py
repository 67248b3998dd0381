"""JSON Web Signature, compact serialisation (RFC 7515 §3.1, §7.1), with RS256 only (RFC 7518 §3.3).

Used for signed Open Badges 2.0 assertions (OB 2.0 "SignedBadge": a compact JWS whose payload is the
assertion). As in joserfc, the caller passes the key and the accepted algorithms on every call, an
algorithm outside the allow-list is refused before any cryptography ("none" and HMAC can never be
used with an RSA public key), and the header and payload sizes are capped before decoding.
"Is the signature good" is all this module answers; the claims are checked by the OB 2.0 verifier.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Collection
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import OpenBadgesError

RS256 = "RS256"
SUPPORTED_ALGORITHMS = frozenset({RS256})
MAX_HEADER_BYTES = 4 * 1024
MIN_RSA_BITS = 2048
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# RFC 7515 §4.1: header parameters this module understands; "crit" naming anything else is refused (§4.1.11).
_UNDERSTOOD = frozenset({"alg", "typ", "cty", "kid"})


class JwsError(OpenBadgesError):
    code = "bad_jws"


def b64url_encode(data: bytes) -> str:
    """RFC 7515 §2: base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    if not isinstance(value, str) or not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise JwsError("Not base64url.", code="not_jws")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwsError("Not base64url.", code="not_jws") from exc


def looks_like_compact_jws(text: str) -> bool:
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2]) and all(_B64URL.fullmatch(p) for p in parts)


def sign(payload: bytes, *, private_key: rsa.RSAPrivateKey, header: dict | None = None) -> str:
    """``BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`` with RS256 (RSASSA-PKCS1-v1_5, SHA-256)."""
    header = {"alg": RS256, **(header or {})}
    if header["alg"] != RS256:
        raise JwsError(f"Only {RS256} signatures are made.", code="alg_not_allowed")
    if private_key.key_size < MIN_RSA_BITS:
        raise JwsError(f"RSA keys have at least {MIN_RSA_BITS} bits.", code="weak_key")
    data = signing_input(header, payload)
    signature = private_key.sign(data.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{data}.{b64url_encode(signature)}"


def signing_input(header: dict, payload: bytes) -> str:
    """RFC 7515 §5.1 steps 2-8: ``BASE64URL(UTF8(protected header)) || '.' || BASE64URL(payload)``, the header
    serialised compactly."""
    return f"{b64url_encode(json.dumps(header, separators=(',', ':')).encode('utf-8'))}.{b64url_encode(payload)}"


@dataclass(frozen=True)
class Decoded:
    header: dict
    payload: bytes
    signing_input: bytes
    signature: bytes


def decode_unverified(token: str, *, max_payload_bytes: int) -> Decoded:
    """Split and decode a compact JWS without checking its signature (to find which key to use)."""
    if not isinstance(token, str):
        raise JwsError("A compact JWS is text.", code="not_jws")
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise JwsError("A compact JWS has three dot-separated parts.", code="not_jws")
    protected, payload, signature = parts
    if len(protected) > MAX_HEADER_BYTES * 4 // 3 + 4:
        raise JwsError(f"The JWS header is larger than {MAX_HEADER_BYTES} bytes.", code="too_large")
    if len(payload) > max_payload_bytes * 4 // 3 + 4:
        raise JwsError(f"The JWS payload is larger than {max_payload_bytes} bytes.", code="too_large")
    try:
        header = json.loads(b64url_decode(protected))
    except (ValueError, RecursionError) as exc:
        raise JwsError("The JWS header is not JSON.", code="bad_header") from exc
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        raise JwsError("The JWS header is not an object with an 'alg'.", code="bad_header")
    return Decoded(header, b64url_decode(payload), f"{protected}.{payload}".encode("ascii"),
                   b64url_decode(signature))


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


def verify(token: str, *, public_key: rsa.RSAPublicKey, algorithms: Collection[str] = (RS256,),
           max_payload_bytes: int) -> Decoded:
    """The decoded JWS if its signature is good under ``public_key``; ``JwsError`` otherwise."""
    decoded = decode_unverified(token, max_payload_bytes=max_payload_bytes)
    alg = decoded.header["alg"]
    if alg not in algorithms or alg not in SUPPORTED_ALGORITHMS:
        raise JwsError(f"JWS algorithm {alg!r} is not accepted (accepted: {', '.join(sorted(algorithms))}).",
                       code="alg_not_allowed")
    critical = decoded.header.get("crit")
    if critical is not None and (not isinstance(critical, list) or set(critical) - _UNDERSTOOD):
        raise JwsError("The JWS header has critical parameters this verifier does not understand.",
                       code="crit_unsupported")
    if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size < MIN_RSA_BITS:
        raise JwsError(f"An RS256 key is an RSA key of at least {MIN_RSA_BITS} bits.", code="bad_key")
    try:
        public_key.verify(decoded.signature, decoded.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise JwsError("The JWS signature does not match.", code="signature_invalid") from exc
    return decoded
