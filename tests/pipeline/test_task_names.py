"""The services name the pipeline's Celery tasks; a web process, where Celery has discovered nothing yet,
finds them too (the intake answered 500 in the production web process when it did not)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django
django.setup()
from celery import current_app
from pipeline.services import queueing
before = "pipeline.tasks.events_drain_task" in current_app.tasks
names = [queueing._task(f"pipeline.tasks.{name}").name for name in ("events_drain_task", "events_process_task")]
print(before, *names)
"""


def test_a_fresh_process_finds_the_tasks_the_services_name():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "badges_service.settings.test", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()

    assert out == ["False", "pipeline.tasks.events_drain_task", "pipeline.tasks.events_process_task"]
