import os
import time
from pathlib import Path

from django.apps import AppConfig


def _pause_before_commit(sender, award, event, **kwargs):
    """Inside the award's transaction, after signing: tell the test (a marker file), then wait to be killed."""
    Path(os.environ["PIPELINE_TEST_PAUSE_MARKER"]).write_text(f"{award.pk} {os.getpid()}")
    time.sleep(float(os.environ.get("PIPELINE_TEST_PAUSE_SECONDS", "60")))


class WorkerHooksConfig(AppConfig):
    name = "tests.pipeline.worker_hooks"
    label = "pipeline_worker_hooks"

    def ready(self):
        if os.environ.get("PIPELINE_TEST_PAUSE_MARKER"):
            from pipeline.services import award_signed

            award_signed.connect(_pause_before_commit, dispatch_uid="pipeline-test-pause")
