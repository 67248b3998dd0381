"""Getting stored events to the workers.

With a Redis broker, intake does not send a task per event: it wakes a *drainer*. A drainer
(``tasks.events_drain_task``) processes the oldest pending events in batches (``batch.events_process``,
which skips rows another worker holds) until none is left, so the workers share the backlog and each
batch costs a few statements whatever its size.

Waking is cheap and loses nothing. A flag in Redis (``SET NX`` with an expiry) marks "a drainer is queued
and has not looked yet"; intake queues a drainer only when it sets the flag. A drainer clears the flag
before each look for pending events, so an event committed after a look finds the flag clear and
queues a new drainer. A flag whose drainer was lost (worker killed) expires; the periodic re-drive
(``events_redrive``) wakes the drainers for events left pending in any case, for example after a broker
outage. Without Redis (another broker, or tasks run in-process), events go to the worker as
``events_process_task`` batches of ids.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from badges_service import shutdown

from .. import selectors
from ..models import InboundEvent

logger = logging.getLogger(__name__)

Status = InboundEvent.Status
FLAG_SECONDS = 60  # a lost drainer's flag blocks waking for at most this long
_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
_clients: dict[str, object] = {}


def _redis():
    url = settings.CELERY_BROKER_URL
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return _clients[url]


def _flag() -> str:
    return f"badges:pipeline:drainer:{settings.BADGES_PIPELINE_QUEUE}"


def drains() -> bool:
    """Whether events go through drainers (a Redis broker, tasks not run in-process)."""
    url = settings.CELERY_BROKER_URL or ""
    return url.startswith(("redis://", "rediss://")) and not settings.CELERY_TASK_ALWAYS_EAGER


_discovery = threading.Lock()


def _task(name: str):
    """A registered task by its name: the tasks call these services, so the services name them rather than
    import them (no cycle between ``pipeline.tasks`` and ``pipeline.services``). Outside a worker (the web
    process) Celery discovers the apps' task modules only when asked: ask on first use, one thread at a time (a
    thread arriving during another's discovery would find the registry still empty)."""
    if name not in current_app.tasks:
        with _discovery:
            if name not in current_app.tasks:
                current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue(event_ids: list[int]) -> None:
    """Get events to a worker. Called on commit; a broker outage is logged, not raised: the events are
    stored, and the re-drive gets them going when the broker is back."""
    if not event_ids:
        return
    if drains():
        drainer_wake()
        return
    events_process_task = _task("pipeline.tasks.events_process_task")
    size = settings.BADGES_PIPELINE_BATCH
    for start in range(0, len(event_ids), size):
        try:
            events_process_task.apply_async((event_ids[start:start + size],), queue=settings.BADGES_PIPELINE_QUEUE,
                                            retry=True, retry_policy=_RETRY)
        except Exception:
            logger.warning("Broker unavailable: %d event(s) stay stored for the re-drive.",
                           len(event_ids) - start, exc_info=True)
            return


def drainer_wake() -> bool:
    """Queue a drainer unless one is queued that has not looked for pending events yet."""
    events_drain_task = _task("pipeline.tasks.events_drain_task")
    try:
        client = _redis()
        if not client.set(_flag(), "1", nx=True, ex=FLAG_SECONDS):
            return False
        try:
            events_drain_task.apply_async(queue=settings.BADGES_PIPELINE_QUEUE, retry=True, retry_policy=_RETRY)
        except Exception:
            client.delete(_flag())
            raise
        return True
    except Exception:
        logger.warning("Broker unavailable: events stay stored for the re-drive.", exc_info=True)
        return False


def events_drain(*, max_batches: int = 500) -> int:
    """Process pending events, batch after batch, until none is left. Returns how many were taken.

    Before a look that may find few events (its first, and any after a batch smaller than the claim), a drainer
    waits ``BADGES_PIPELINE_DRAIN_PAUSE`` seconds: webhooks that trickle in one by one are then processed in
    batches, whose cost is mostly per batch (the reads of the rules, the statements), instead of one look per
    event. Before the first look the flag is still set, so the events arriving meanwhile wake no other drainer;
    a backlog (full batches) is drained without pauses, in batches that double (``BADGES_PIPELINE_BATCH_MAX`` at
    most) while they come back full: most of a batch's cost is per batch. An event waits at most that long more.

    After ``max_batches``, or once the process is asked to stop (SIGTERM: ``badges_service.shutdown``) with
    its current batch committed, it wakes another drainer (on this host's successor or on another host) and
    returns, so that no task runs for ever and a stopping worker hands the backlog back."""
    from .batch import events_process

    taken = 0
    base = claim = settings.BADGES_PIPELINE_BATCH
    largest = max(base, settings.BADGES_PIPELINE_BATCH_MAX)
    pause = settings.BADGES_PIPELINE_DRAIN_PAUSE if drains() else 0
    short = True  # the first look may find few events
    for _ in range(max_batches):
        if pause and short:
            shutdown.wait(pause)  # cut short by a stop request: the look below still takes one batch
        if drains():
            _redis().delete(_flag())  # before looking: an event committed after the look wakes a new drainer
        count = events_process(claim=claim)
        if not count:
            return taken
        taken += count
        short = count < claim
        claim = base if short else min(2 * claim, largest)  # a backlog: larger batches, cheaper per event
        if shutdown.requested():
            logger.info("Stopping: %d event(s) processed, the rest handed to another drainer.", taken)
            break
    if drains():
        drainer_wake()
    return taken


def events_requeue(*, events: QuerySet[InboundEvent]) -> int:
    """Send events back to ``received`` and queue them (admin re-process, a mapping that arrived)."""
    now = timezone.now()
    ids = list(events.exclude(status=Status.RECEIVED).values_list("pk", flat=True))
    ids += list(events.filter(status=Status.RECEIVED).values_list("pk", flat=True))
    InboundEvent.objects.filter(pk__in=ids).update(status=Status.RECEIVED, reason="", detail="", queued_at=now)
    if ids:
        transaction.on_commit(partial(enqueue, ids))
    return len(ids)


def events_redrive(*, older_than_seconds: int | None = None, limit: int = 2000) -> int:
    """Queue again the events left ``received`` longer than the threshold: lost by a broker outage, or by
    a worker killed after taking them (the broker gives those back only after its visibility timeout)."""
    seconds = settings.BADGES_PIPELINE_REDRIVE_AFTER if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        ids = list(selectors.events_pending(older_than=now - timedelta(seconds=seconds), limit=limit)
                   .values_list("pk", flat=True))
        if ids:
            InboundEvent.objects.filter(pk__in=ids).update(queued_at=now)
            transaction.on_commit(partial(enqueue, ids))
    if ids:
        logger.info("Re-drive: %d pending event(s) queued again.", len(ids))
    return len(ids)
