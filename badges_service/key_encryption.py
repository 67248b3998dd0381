"""Private keys at rest: encrypted with the key-encryption keys (KEK) from the settings.

``BADGES_KEY_ENCRYPTION_KEYS`` lists Fernet keys, newest first: the first encrypts, every one
decrypts, so a KEK is rotated by putting a new one in front, running ``manage.py rotate_kek`` (every
secret at rest re-encrypted under the newest: ``secrets_reencrypt``), and only then dropping the old one.
Private key bytes never leave this module except as a key object.

Apps declare their encrypted columns with ``secret_field_register`` (in ``AppConfig.ready``), so the rotation
reaches every secret at rest without this module naming an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
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


# --- rotation of the KEK: every secret at rest re-encrypted under the newest key ----------------------

_SECRET_FIELDS: list[tuple[str, str]] = []  # ("app_label.Model", binary field holding a Fernet token)


def secret_field_register(model_label: str, field_name: str) -> None:
    if (model_label, field_name) not in _SECRET_FIELDS:
        _SECRET_FIELDS.append((model_label, field_name))


@dataclass
class Rotation:
    rotated: int = 0  # re-encrypted now
    current: int = 0  # already under the newest KEK
    raced: int = 0  # changed by another writer meanwhile (written under the newest KEK by that writer)
    pending: int = 0  # under an older KEK, before this run
    unreadable: list[str] = field(default_factory=list)  # "app.Model:pk" that no configured KEK decrypts


def secrets_reencrypt(*, check_only: bool = False, after_row: Callable[[], None] | None = None) -> Rotation:
    """Re-encrypt every registered secret under the newest KEK, one row at a time.

    Crash-safe by construction: each row is one compare-and-swap UPDATE (``WHERE pk = … AND field = old``),
    committed on its own, written only after the new token was checked to decrypt, under the newest key
    alone, to the same bytes. A crash in the middle leaves some rows under the newest KEK and the others
    under an older one, all readable while both keys are configured; running again resumes (rows already
    under the newest KEK are skipped). Nothing is written when some row is unreadable: that is reported
    first. ``check_only``: count, write nothing. ``after_row``: called after each row written (tests)."""
    keks = tuple(settings.BADGES_KEY_ENCRYPTION_KEYS)
    every, newest = _fernet(keks), Fernet(keks[0])
    result = Rotation()
    plan = []
    for label, name in _SECRET_FIELDS:
        model = apps.get_model(label)
        for pk, token in model.objects.order_by("pk").values_list("pk", name).iterator():
            token = bytes(token)
            try:
                newest.decrypt(token)
                result.current += 1
                continue
            except InvalidToken:
                pass
            try:
                clear = every.decrypt(token)
            except InvalidToken:
                result.unreadable.append(f"{label}:{pk}")
                continue
            plan.append((model, name, pk, token, clear))
    result.pending = len(plan)
    if check_only or result.unreadable:
        return result
    for model, name, pk, token, clear in plan:
        fresh = newest.encrypt(clear)
        if newest.decrypt(fresh) != clear:  # never write what cannot be read back
            raise ImproperlyConfigured("The newest key-encryption key does not read back what it wrote.")
        if model.objects.filter(pk=pk, **{name: token}).update(**{name: fresh}):
            result.rotated += 1
        else:
            result.raced += 1
        if after_row is not None:
            after_row()
    return result
