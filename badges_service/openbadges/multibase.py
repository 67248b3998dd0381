"""Multibase (base58-btc, prefix ``z``) and the Multikey encoding of Ed25519 public keys.

Controlled Identifiers v1.0 §2.2.2 (Multikey): an Ed25519 public key is the multicodec
prefix 0xed 0x01 followed by the 32 key bytes, multibase base58-btc encoded.
"""

from __future__ import annotations

import base58

from .errors import MultibaseError

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


def encode_base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str, *, max_length: int = 512) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise MultibaseError("Expected a base58-btc multibase value (starting with 'z').")
    if len(value) > max_length:
        raise MultibaseError("Multibase value is too long.")
    try:
        return base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise MultibaseError("Multibase value is not valid base58-btc.") from exc


def ed25519_public_key_to_multibase(raw: bytes) -> str:
    if len(raw) != 32:
        raise MultibaseError("An Ed25519 public key is 32 bytes.")
    return encode_base58btc(ED25519_PUB_PREFIX + raw)


def ed25519_public_key_from_multibase(value: str) -> bytes:
    decoded = decode_base58btc(value)
    if not decoded.startswith(ED25519_PUB_PREFIX) or len(decoded) != 34:
        raise MultibaseError("Not a multicodec Ed25519 public key (0xed01 + 32 bytes).",
                             code="unsupported_key_type")
    return decoded[2:]
