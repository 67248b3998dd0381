"""Test settings: SQLite by default, PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set."""

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-" + Fernet.generate_key().decode()  # random per run
BADGES_KEY_ENCRYPTION_KEYS = env.list("BADGES_KEY_ENCRYPTION_KEYS", default=[Fernet.generate_key().decode()])
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
BADGES_PUBLIC_URL = "https://badges.example.test"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The suite tests services directly; only the pipeline tests run a real worker.
CELERY_TASK_ALWAYS_EAGER = False
LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="WARNING")  # noqa: F405
