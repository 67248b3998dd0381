"""Settings of the processes the load benchmarks start (bench/stack.py): the production settings, read from
the environment as in production, with two differences for a machine without a mail relay or a TLS proxy:
mail is delivered nowhere, and plain HTTP on the loopback is not redirected to HTTPS."""

from badges_service.settings.production import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
