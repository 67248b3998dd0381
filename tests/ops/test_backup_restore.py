"""Backup and restore (docs/operations.md, "Backups"): ``pg_dump`` of a database holding credentials, restored
into a new database, verifies every credential again; the signing keys come back only with the key-encryption key,
which the dump does not hold."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import connection

from badges_service import key_encryption
from issuers import services
from issuers.models import SigningKey
from issuers.permissions import SYSTEM
from tests.issuers.factories import PublicCredentialFactory

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import json
from issuers.models import Achievement, Credential
from issuers.permissions import SYSTEM
from issuers.services import credential_issue
from verification.services import credential_verify
reports = {str(c.public_id): credential_verify(document=json.loads(c.document)).status
           for c in Credential.objects.all()}
try:
    credential_issue(achievement=Achievement.objects.first(), recipient_email="apres.restauration@ville-exemple.fr",
                     actor=SYSTEM)
    signing = "ok"
except Exception as exc:
    signing = type(exc).__name__
print(json.dumps({"reports": reports, "signing": signing}))
"""


def _dsn(name: str | None = None) -> tuple[dict, str]:
    db = connection.settings_dict
    env = {"PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432), "PGUSER": db["USER"] or "postgres",
           **({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})}
    auth = quote(env["PGUSER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return env, f"postgres://{auth}@{env['PGHOST']}:{env['PGPORT']}/{name or db['NAME']}"


def _check(url: str, kek: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "BADGES_KEY_ENCRYPTION_KEYS": kek,
           "DJANGO_SETTINGS_MODULE": "badges_service.settings.test", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", CHECK], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        reason = "needs PostgreSQL (DATABASE_URL=postgres://...) and its client tools (pg_dump, psql)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_a_restored_dump_verifies_every_credential_and_signs_only_with_the_key_encryption_key(postgres, tmp_path):
    credentials = [PublicCredentialFactory() for _ in range(3)]
    services.credential_revoke(credential=credentials[0], reason="Erreur de saisie", actor=SYSTEM)
    kek = ",".join(settings.BADGES_KEY_ENCRYPTION_KEYS)

    env, _ = _dsn()
    dump = tmp_path / "badges.sql"
    subprocess.run(["pg_dump", "--no-owner", "--no-privileges", "--file", str(dump), connection.settings_dict["NAME"]],
                   env={**os.environ, **env}, check=True, timeout=300)
    text = dump.read_text()
    assert "issuers_credential" in text
    for secret in settings.BADGES_KEY_ENCRYPTION_KEYS:
        assert secret not in text  # the key-encryption key is never in the database
    for key in SigningKey.objects.filter(algorithm="Ed25519"):
        raw = key_encryption.decrypt_private_key(bytes(key.private_key_encrypted)).private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        assert raw.hex() not in text  # private keys are in the dump only encrypted

    restored = f"{connection.settings_dict['NAME']}_restored"
    admin = {**os.environ, **env}
    subprocess.run(["psql", "--quiet", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{restored}"', "-c",
                    f'CREATE DATABASE "{restored}"'], env=admin, check=True, timeout=60, capture_output=True)
    try:
        subprocess.run(["psql", "--quiet", "--set", "ON_ERROR_STOP=1", "-d", restored, "-f", str(dump)], env=admin,
                       check=True, timeout=300, capture_output=True)
        _, url = _dsn(restored)

        with_kek = _check(url, kek)
        assert with_kek["reports"] == {str(credentials[0].public_id): "revoked",
                                       **{str(c.public_id): "valid" for c in credentials[1:]}}
        assert with_kek["signing"] == "ok"

        # Without the key-encryption key, the restored credentials still verify (public keys, signed status
        # lists), but nothing can be signed any more.
        without = _check(url, Fernet.generate_key().decode())
        assert {k: v for k, v in without["reports"].items() if k in with_kek["reports"]} == with_kek["reports"]
        assert without["signing"] != "ok"
    finally:
        subprocess.run(["psql", "--quiet", "-d", "postgres", "-c",
                        f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)'], env=admin, check=False, timeout=60,
                       capture_output=True)
