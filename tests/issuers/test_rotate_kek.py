"""``manage.py rotate_kek``: every secret at rest (signing keys, Ed25519 and RSA; LMS sources' secrets) moves
under the newest key-encryption key; a failure in the middle leaves nothing unreadable, and a second run
finishes the job."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from badges_service import key_encryption
from issuers import rsa_keys
from issuers.models import SigningKey
from pipeline.models import LmsSource
from pipeline.selectors import source_secret
from tests.issuers.factories import IssuerFactory
from tests.pipeline.factories import make_source


@pytest.fixture
def secrets_at_rest(db):
    """Two issuers (an Ed25519 key each, one RSA key) and two LMS sources, under the current KEK."""
    drh = IssuerFactory(slug="drh")
    IssuerFactory(slug="dsin")
    rsa_keys.rsa_key_active(issuer=drh)
    sources = [make_source(name=f"moodle-{n}", issuer=drh) for n in (1, 2)]
    return {"keys": {k.pk: _clear(k) for k in SigningKey.objects.all()},
            "sources": {s.source.pk: s.secret.encode() for s in sources}}


def _clear(key: SigningKey) -> bytes:
    return key_encryption.kek().decrypt(bytes(key.private_key_encrypted))


def _readable_with(keks, expected) -> bool:
    fernet = key_encryption._fernet(tuple(keks))
    keys_ok = all(fernet.decrypt(bytes(k.private_key_encrypted)) == expected["keys"][k.pk]
                  for k in SigningKey.objects.all())
    sources_ok = all(fernet.decrypt(bytes(s.secret_encrypted)) == expected["sources"][s.pk]
                     for s in LmsSource.objects.all())
    return keys_ok and sources_ok


def test_every_secret_moves_under_the_newest_key_and_the_old_one_can_go(secrets_at_rest, settings):
    old = list(settings.BADGES_KEY_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.BADGES_KEY_ENCRYPTION_KEYS = [new, *old]
    out = StringIO()
    call_command("rotate_kek", "--check", stdout=out)
    assert "0 secret(s) under the newest key, 5 under an older one" in out.getvalue()
    call_command("rotate_kek", stdout=StringIO())
    settings.BADGES_KEY_ENCRYPTION_KEYS = [new]  # the old KEK removed
    assert _readable_with([new], secrets_at_rest)
    source = LmsSource.objects.get(name="moodle-1")
    assert source_secret(source) == secrets_at_rest["sources"][source.pk]
    assert key_encryption.secrets_reencrypt(check_only=True).pending == 0


def test_a_failure_in_the_middle_leaves_everything_readable_and_a_second_run_finishes(secrets_at_rest, settings):
    old = list(settings.BADGES_KEY_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.BADGES_KEY_ENCRYPTION_KEYS = [new, *old]
    written = []

    def crash_after_two():
        written.append(1)
        if len(written) == 2:
            raise KeyboardInterrupt("the process is killed")

    with pytest.raises(KeyboardInterrupt):
        key_encryption.secrets_reencrypt(after_row=crash_after_two)
    assert _readable_with([new, *old], secrets_at_rest)  # a mix of old and new tokens, all readable
    left = key_encryption.secrets_reencrypt(check_only=True)
    assert (left.current, left.pending) == (2, 3)
    result = key_encryption.secrets_reencrypt()
    assert (result.rotated, result.current) == (3, 2)
    assert _readable_with([new], secrets_at_rest)


def test_nothing_is_written_when_a_secret_is_unreadable(secrets_at_rest, settings):
    foreign = Fernet(Fernet.generate_key()).encrypt(b"not ours")
    LmsSource.objects.filter(name="moodle-2").update(secret_encrypted=foreign)
    settings.BADGES_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.BADGES_KEY_ENCRYPTION_KEYS]
    before = {k.pk: bytes(k.private_key_encrypted) for k in SigningKey.objects.all()}
    with pytest.raises(Exception, match="Nothing was re-encrypted"):
        call_command("rotate_kek", stdout=StringIO())
    assert {k.pk: bytes(k.private_key_encrypted) for k in SigningKey.objects.all()} == before


def test_a_secret_changed_meanwhile_by_its_service_is_not_overwritten(secrets_at_rest, settings):
    from pipeline import services

    settings.BADGES_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.BADGES_KEY_ENCRYPTION_KEYS]
    source = LmsSource.objects.get(name="moodle-1")
    rotated = []

    def rotate_the_source_secret_once():
        if not rotated:
            rotated.append(services.lms_source_secret_rotate(source=source).secret)

    result = key_encryption.secrets_reencrypt(after_row=rotate_the_source_secret_once)
    assert result.raced == 1 or result.rotated == 5
    source.refresh_from_db()
    assert source_secret(source) == rotated[0].encode()
