"""The Celery application. Tasks are discovered in each app's ``tasks`` module."""

import os
import signal

from celery import Celery, bootsteps
from celery.signals import task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.development")

app = Celery("badges_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

PRESENCE_EVERY = 15.0  # seconds between two "this worker is alive" marks (readiness wants one within a minute)


_pool_child = False


@worker_process_init.connect
def _in_pool_child(**_kwargs) -> None:
    global _pool_child
    _pool_child = True


@task_prerun.connect
def _finish_the_batch_on_sigterm(**_kwargs) -> None:
    """A prefork pool child asked to stop finishes its current batch (see badges_service.shutdown); the main
    process, which received the same SIGTERM, waits for it (Celery's warm shutdown). Set before a task, in the
    pool child only (billiard resets a child's signals after ``worker_process_init``; a solo pool runs tasks
    in the main process, whose SIGTERM handler is Celery's own)."""
    from badges_service import shutdown

    if _pool_child and signal.getsignal(signal.SIGTERM) is not shutdown.request:
        signal.signal(signal.SIGTERM, shutdown.request)


class WorkerPresence(bootsteps.StartStopStep):
    """Marks the worker as alive in Redis every PRESENCE_EVERY seconds (``GET /readyz`` reads the marks)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        from badges_service import health

        health.worker_mark(worker.hostname)
        self.tref = worker.timer.call_repeatedly(PRESENCE_EVERY, health.worker_mark, (worker.hostname,),
                                                 priority=10)

    def stop(self, worker):
        from badges_service import health

        if self.tref is not None:
            self.tref.cancel()
        health.worker_unmark(worker.hostname)


app.steps["worker"].add(WorkerPresence)
