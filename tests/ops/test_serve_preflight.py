"""``make serve`` refuses to start, with one clear line, when the environment lacks what production needs."""

import os
import subprocess
import sys
from pathlib import Path

from tests.test_production_settings import COMPLETE

ROOT = Path(__file__).resolve().parents[2]


def _preflight(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in COMPLETE and k != "REDIS_URL"}
    return subprocess.run([sys.executable, "-m", "badges_service.web", "--preflight"], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=120, check=False)


def test_preflight_passes_with_a_complete_environment():
    result = _preflight(COMPLETE)
    assert result.returncode == 0, result.stderr


def test_preflight_names_each_missing_variable_in_one_line():
    for missing in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY", "BADGES_KEY_ENCRYPTION_KEYS"):
        result = _preflight({k: v for k, v in COMPLETE.items() if k != missing})
        assert result.returncode != 0, missing
        assert result.stderr.strip() == f"Cannot start: {missing} must be set in the environment for production."
        assert "Traceback" not in result.stderr
