"""Signing keys: encrypted at rest, rotated, revoked."""

import json
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from issuers import services
from issuers.models import SigningKey
from issuers.permissions import SYSTEM
from verification.services import credential_verify


def _raw_private(key: SigningKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    from badges_service.key_encryption import decrypt_private_key

    return decrypt_private_key(key.private_key_encrypted).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def test_every_issuer_starts_with_one_active_ed25519_key(issuer):
    keys = list(issuer.signing_keys.all())
    assert [k.status for k in keys] == [SigningKey.Status.ACTIVE]
    assert keys[0].public_key_multibase.startswith("z6Mk")


def test_private_keys_are_never_stored_in_clear(issuer):
    key = issuer.signing_keys.get()
    raw = _raw_private(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_encrypted FROM issuers_signingkey WHERE id = %s", [key.pk])
        stored = bytes(cursor.fetchone()[0])
    assert raw not in stored and raw.hex().encode() not in stored
    assert len(stored) > 64  # a Fernet token, not 32 raw bytes


def test_private_keys_are_not_shown_by_repr_or_the_did_document(issuer, client):
    key = issuer.signing_keys.get()
    raw_hex = _raw_private(key).hex()
    response = client.get(f"/issuers/{issuer.slug}/did.json")
    assert raw_hex not in response.content.decode() and raw_hex not in repr(key) + str(key)


def test_rotation_signs_new_credentials_with_the_new_key_and_old_ones_still_verify(achievement):
    old = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    new_key = services.key_rotate(issuer=achievement.issuer, actor=SYSTEM)
    new = services.credential_issue(achievement=achievement, recipient_email="b@ville-exemple.fr", actor=SYSTEM)
    assert new.signing_key == new_key and old.signing_key != new_key
    assert old.signing_key.__class__.objects.get(pk=old.signing_key.pk).status == SigningKey.Status.RETIRED
    assert credential_verify(document=json.loads(old.document)).valid
    assert credential_verify(document=json.loads(new.document)).valid


def test_the_did_document_lists_active_and_retired_keys_but_not_revoked_ones(issuer, client):
    first = issuer.signing_keys.get()
    second = services.key_rotate(issuer=issuer, actor=SYSTEM)
    third = services.key_rotate(issuer=issuer, actor=SYSTEM)
    services.key_revoke(key=second, compromised_since=timezone.now(), actor=SYSTEM)
    document = client.get(f"/issuers/{issuer.slug}/did.json").json()
    listed = {m["publicKeyMultibase"] for m in document["verificationMethod"]}
    assert listed == {first.public_key_multibase, third.public_key_multibase}
    assert set(document["assertionMethod"]) == {m["id"] for m in document["verificationMethod"]}


def test_a_revoked_key_fails_credentials_signed_after_the_compromise_date(achievement):
    before = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr",
                                       now=timezone.now() - timedelta(days=10), actor=SYSTEM)
    after = services.credential_issue(achievement=achievement, recipient_email="b@ville-exemple.fr", actor=SYSTEM)
    key = after.signing_key
    services.key_revoke(key=key, compromised_since=timezone.now() - timedelta(days=1), actor=SYSTEM)
    assert credential_verify(document=json.loads(before.document)).valid
    report = credential_verify(document=json.loads(after.document))
    assert not report.valid
    assert report.check("key").code == "key_revoked"


def test_revoking_the_active_key_provides_a_new_active_key(issuer):
    key = issuer.signing_keys.get()
    services.key_revoke(key=key, compromised_since=timezone.now(), actor=SYSTEM)
    assert issuer.signing_keys.filter(status=SigningKey.Status.ACTIVE).count() == 1
    assert issuer.signing_keys.get(status=SigningKey.Status.ACTIVE) != key


def test_a_key_encryption_key_rotation_keeps_keys_usable(issuer, settings):
    from cryptography.fernet import Fernet

    from badges_service import key_encryption

    key = issuer.signing_keys.get()
    settings.BADGES_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.BADGES_KEY_ENCRYPTION_KEYS]
    token = key_encryption.reencrypt(key.private_key_encrypted)
    settings.BADGES_KEY_ENCRYPTION_KEYS = settings.BADGES_KEY_ENCRYPTION_KEYS[:1]
    assert key_encryption.decrypt_private_key(token).public_key().public_bytes_raw()
