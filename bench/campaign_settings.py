"""Settings of the campaign benchmark (bench/campaign.py) and of the worker processes it starts: the test
settings, with mail delivered nowhere (locmem would keep 52,000 messages in the workers' memory) and
little logging."""

from badges_service.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
