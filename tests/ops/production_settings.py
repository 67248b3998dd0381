"""Production settings plus the pipeline tests' hook app (a pause inside a batch's transaction, on request)."""

from badges_service.settings.production import *  # noqa: F403
from badges_service.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.pipeline.worker_hooks"]
