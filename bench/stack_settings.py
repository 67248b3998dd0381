"""Settings of the processes the load benchmarks start (bench/stack.py): the production settings, read from
the environment as in production, with three differences: mail is delivered nowhere and plain HTTP on the
loopback is not redirected to HTTPS (a machine without a mail relay or a TLS proxy), and log lines below WARNING
are not written (production writes one JSON line per request; `BENCH_LOG_LEVEL=INFO` measures with them)."""

import os

from badges_service.settings.production import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = os.environ.get("BENCH_LOG_LEVEL", "WARNING")  # noqa: F405
