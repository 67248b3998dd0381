"""Settings of the Celery worker processes that the pipeline tests start: the test settings, the database
and broker of the test run (from the environment), a test-only hook app, and a fast re-drive."""

import os

from badges_service.settings.test import *  # noqa: F403
from badges_service.settings.test import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.pipeline.worker_hooks"]
CELERY_BEAT_SCHEDULE = {
    "pipeline-redrive": {"task": "pipeline.tasks.events_redrive_task",
                         "schedule": float(os.environ.get("PIPELINE_TEST_REDRIVE_EVERY", "1")),
                         "options": {"queue": os.environ.get("BADGES_PIPELINE_QUEUE", "celery")}},
}
