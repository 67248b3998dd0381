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
# The suite sends many requests from one address: limits are out of reach, except where a test sets its own
# (tests/verification/test_rate_limits.py). Cache keys are per run, so runs sharing a Redis do not mix.
BADGES_RATE_LIMITS = {scope: "1000000/minute" for scope in BADGES_RATE_LIMITS}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "test-" + Fernet.generate_key().decode()[:12]  # noqa: F405
# A use is a row at once (tests/indicators/test_usage_buffer.py turns the buffer on).
BADGES_USAGE_BUFFER = False
LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="WARNING")  # noqa: F405
# A test's writes are rolled back, never committed, so PostgreSQL would notify nothing: memory caches kept by the
# change feed are off, except in the tests of the feed (tests/verification/test_change_feed.py).
BADGES_CHANGE_FEED = False
