"""Issuers' RSA keys (RS256), for Open Badges 2.0 signed assertions.

They live next to the Ed25519 keys as ``SigningKey`` rows with ``algorithm="RS256"``: one active per
issuer, retired by ``key_rotate``, revoked by ``key_revoke``, the private key encrypted at rest with the
same key-encryption key (PKCS#8 DER under Fernet). ``public_key_multibase`` holds the key's fingerprint
(multibase base58-btc of the SHA-256 multihash of the SubjectPublicKeyInfo), which names it in URLs.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from badges_service import key_encryption
from badges_service.openbadges.multibase import encode_base58btc

from .models import Issuer, SigningKey

# What OB 2.0 validators and JWS libraries expect; 112-bit security (NIST SP 800-57 Part 1 Rev. 5) until 2030.
# Keys rotate (``key_rotate``): a rotation after 2030 moves to 3072 bits by changing this number.
RSA_BITS = 2048
SHA256_MULTIHASH = b"\x12\x20"


def fingerprint(public_key: rsa.RSAPublicKey) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return encode_base58btc(SHA256_MULTIHASH + hashlib.sha256(der).digest())


def rsa_key_create(*, issuer: Issuer) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return SigningKey.objects.create(
        issuer=issuer, algorithm=SigningKey.RS256, public_key_multibase=fingerprint(private.public_key()),
        public_key_pem=pem, private_key_encrypted=key_encryption.kek().encrypt(der))


def rsa_private_key(key: SigningKey) -> rsa.RSAPrivateKey:
    if key.algorithm != SigningKey.RS256:
        raise ValueError("Not an RS256 key.")
    # Loading checks the key (about 45 ms for 2048 bits): once per process and key, bounded; keyed by the
    # encrypted bytes and the KEKs, so a rotated key or KEK is a new entry.
    return _rsa_private_key(tuple(settings.BADGES_KEY_ENCRYPTION_KEYS), bytes(key.private_key_encrypted))


@lru_cache(maxsize=64)
def _rsa_private_key(keks: tuple[str, ...], token: bytes) -> rsa.RSAPrivateKey:
    try:
        private = serialization.load_der_private_key(key_encryption.kek().decrypt(token), None)
    except InvalidToken as exc:
        raise ImproperlyConfigured("A signing key cannot be decrypted with the configured "
                                   "BADGES_KEY_ENCRYPTION_KEYS.") from exc
    assert isinstance(private, rsa.RSAPrivateKey)
    return private


@transaction.atomic
def rsa_key_active(*, issuer: Issuer) -> SigningKey:
    """The issuer's active RS256 key; issuers created before OB 2.0 signing get theirs on first use."""
    key = SigningKey.objects.filter(issuer=issuer, algorithm=SigningKey.RS256, status=SigningKey.Status.ACTIVE).first()
    if key is not None:
        return key
    Issuer.objects.select_for_update().get(pk=issuer.pk)  # one creation per issuer, even under concurrency
    key = SigningKey.objects.filter(issuer=issuer, algorithm=SigningKey.RS256, status=SigningKey.Status.ACTIVE).first()
    return key or rsa_key_create(issuer=issuer)
