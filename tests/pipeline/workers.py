"""Real Celery workers for the pipeline tests: separate processes on the real broker (Redis) and the test
run's PostgreSQL database, each test on its own queue so that nothing else consumes its tasks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def require_services() -> None:
    """Skip (with the reason) without PostgreSQL and Redis; under CI they are required, so fail instead."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL=postgres://...)")
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        missing.append("Redis (CELERY_BROKER_URL=redis://...)")
    elif not _reachable(broker):
        missing.append(f"a Redis server answering at {broker}")
    if missing:
        reason = "needs " + " and ".join(missing) + ": a worker process must share the database and the broker"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def database_url() -> str:
    """The test database (``test_<name>``) of this run, for the worker processes."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}.")


class Worker:
    """``celery -A badges_service worker`` in its own process group (so a kill takes its children too)."""

    def __init__(self, tmp_path: Path, *, queue: str, broker_url: str | None = None, pool: str = "solo",
                 concurrency: int = 1, beat: bool = False, env: dict[str, str] | None = None):
        self.tmp_path, self.queue, self.pool, self.concurrency, self.beat = tmp_path, queue, pool, concurrency, beat
        self.broker_url = broker_url or settings.CELERY_BROKER_URL
        self.extra_env = env or {}
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.pipeline.worker_settings",
               "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url(), "CELERY_BROKER_URL": self.broker_url,
               "BADGES_KEY_ENCRYPTION_KEYS": ",".join(settings.BADGES_KEY_ENCRYPTION_KEYS),
               "BADGES_PIPELINE_QUEUE": self.queue, "LOG_LEVEL": "INFO", **self.extra_env}
        hostname = f"{self.queue}-{uuid.uuid4().hex[:6]}@%h"
        command = [CELERY, "-A", "badges_service", "worker", "--pool", self.pool, "--concurrency",
                   str(self.concurrency), "--queues", self.queue, "--hostname", hostname,
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
        if self.beat:
            command += ["--beat", "--schedule", str(self.tmp_path / f"beat-{uuid.uuid4().hex[:6]}")]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_for(lambda: b"ready." in self.log.read_bytes() or self.process.poll() is not None, timeout=60,
                 what="the worker to be ready")
        if self.process.poll() is not None:
            raise AssertionError(f"The worker exited:\n{self.output()}")
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def kill9(self) -> None:
        """SIGKILL to the whole process group: no shutdown, no ack, no rollback message to the database."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen | None) -> None:
    """SIGTERM to a process group started with ``start_new_session``, SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def purge(queue: str) -> None:
    from badges_service.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test may stop and start again."""

    def __init__(self, tmp_path: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.tmp_path = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _reachable(self.url), timeout=10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
