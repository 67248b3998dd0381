"""Production settings refuse to start without their secrets, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
COMPLETE = {
    "DJANGO_SETTINGS_MODULE": "badges_service.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + Fernet.generate_key().decode(),
    "BADGES_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "sqlite:////tmp/never-created.sqlite3",
    "DJANGO_ALLOWED_HOSTS": "badges.ville-exemple.fr",
    "BADGES_PUBLIC_URL": "https://badges.ville-exemple.fr",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _check(env: dict, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in COMPLETE}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "check", *args], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=120, check=False)


def test_production_check_deploy_is_clean():
    result = _check(COMPLETE, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_each_secret():
    for missing in ("DJANGO_SECRET_KEY", "BADGES_KEY_ENCRYPTION_KEYS", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS",
                    "CELERY_BROKER_URL"):
        env = {k: v for k, v in COMPLETE.items() if k != missing}
        result = _check(env)
        assert result.returncode != 0, missing
        assert missing in result.stderr, (missing, result.stderr[-500:])


def test_production_settings_are_not_debug_and_do_not_allow_every_host():
    source = (ROOT / "badges_service" / "settings" / "production.py").read_text()
    assert "DEBUG = False" in source
    assert '["*"]' not in source


def test_production_refuses_a_cache_each_process_would_keep_for_itself():
    env = {**COMPLETE, "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//", "REDIS_URL": ""}
    result = _check(env)
    assert result.returncode != 0 and "REDIS_URL" in result.stderr
    assert _check({**env, "REDIS_URL": "redis://127.0.0.1:6379/1"}).returncode == 0
