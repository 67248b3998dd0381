"""Development settings (``make run``): embedded defaults, no secret in the code.

Secrets are generated once into ``var/dev-secrets.json`` (untracked) unless the
environment provides them.
"""

import json
import secrets

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])


def _local_secrets() -> dict:
    path = BASE_DIR / "var" / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {"secret_key": secrets.token_urlsafe(50), "kek": Fernet.generate_key().decode()}
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


_secrets = _local_secrets()
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_secrets["secret_key"])
BADGES_KEY_ENCRYPTION_KEYS = env.list("BADGES_KEY_ENCRYPTION_KEYS", default=[_secrets["kek"]])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
