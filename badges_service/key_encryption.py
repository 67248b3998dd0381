"""Private keys at rest: encrypted with the key-encryption keys (KEK) from the settings.

``BADGES_KEY_ENCRYPTION_KEYS`` lists Fernet keys, newest first: the first encrypts, every one
decrypts, so a KEK is rotated by putting a new one in front and re-encrypting
(``signing_key_reencrypt``). Private key bytes never leave this module except as a key object.
"""

from __future__ import annotations

from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("BADGES_KEY_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("BADGES_KEY_ENCRYPTION_KEYS holds a malformed key.") from exc


def kek() -> MultiFernet:
    return _fernet(tuple(settings.BADGES_KEY_ENCRYPTION_KEYS))


def encrypt_private_key(key: Ed25519PrivateKey) -> bytes:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return kek().encrypt(raw)


def decrypt_private_key(token: bytes) -> Ed25519PrivateKey:
    """Kept per process once decrypted (bounded), keyed by the encrypted bytes and the KEKs: a rotated key
    or a new KEK is a new entry, so nothing needs invalidating."""
    return _private_key(tuple(settings.BADGES_KEY_ENCRYPTION_KEYS), bytes(token))


@lru_cache(maxsize=64)
def _private_key(keks: tuple[str, ...], token: bytes) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(_fernet(keks).decrypt(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured("A signing key cannot be decrypted with the configured "
                                   "BADGES_KEY_ENCRYPTION_KEYS.") from exc


def reencrypt(token: bytes) -> bytes:
    return kek().rotate(bytes(token))


def encrypt_secret(secret: bytes) -> bytes:
    """Any other secret kept at rest (e.g. an LMS source's HMAC secret), under the same KEK."""
    return kek().encrypt(secret)


def decrypt_secret(token: bytes) -> bytes:
    try:
        return kek().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured("A secret cannot be decrypted with the configured "
                                   "BADGES_KEY_ENCRYPTION_KEYS.") from exc
