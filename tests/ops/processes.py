"""The Procfile's processes under ``badges_service.supervise`` (honcho), as ``make serve`` starts them, on the
test run's PostgreSQL database and Redis, a free port and a queue of their own, with production settings."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings

from tests.pipeline.workers import database_url, wait_for

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://badges.example.test"  # as the test settings, so that credentials verify in the test


def free_port(count: int = 1) -> int:
    """A port with ``count`` free ports from it (honcho gives instance n of a process type PORT + n - 1)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + count < 65535 and all(_free(port + i) for i in range(count)):
            return port
    raise AssertionError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def production_env(queue: str, **extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "badges_service.settings.production",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY, "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "BADGES_KEY_ENCRYPTION_KEYS": ",".join(settings.BADGES_KEY_ENCRYPTION_KEYS),
            "BADGES_PUBLIC_URL": PUBLIC_URL, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false", "BADGES_PIPELINE_QUEUE": queue,
            "WEB_CONCURRENCY": "2", "CELERY_WORKER_CONCURRENCY": "2", "PYTHONPATH": str(ROOT),
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}", **extra}


class Stack:
    """``python -m badges_service.supervise start [process types]`` in its own session."""

    def __init__(self, tmp_path: Path, *, queue: str, processes: tuple[str, ...] = ("web", "worker", "beat"),
                 concurrency: str = "", node: str = "", env: dict[str, str] | None = None, web_instances: int = 1):
        self.port = free_port(web_instances)
        self.processes, self.concurrency = processes, concurrency
        self.env = production_env(queue, CELERY_NODE_NAME=node or f"node-{uuid.uuid4().hex[:6]}",
                                  CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / f"beat-{uuid.uuid4().hex[:6]}"),
                                  PROMETHEUS_MULTIPROC_DIR=str(tmp_path / f"metrics-{uuid.uuid4().hex[:6]}"),
                                  **(env or {}))
        self.log = tmp_path / f"stack-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen | None = None
        self.web_instances = web_instances

    def url(self, instance: int = 0) -> str:
        return f"http://127.0.0.1:{self.port + instance}"

    def start(self, *, wait_web: bool = True, wait_worker: bool = True) -> Stack:
        command = [sys.executable, "-m", "badges_service.supervise", "start", "--no-colour", "--procfile",
                   str(ROOT / "Procfile"), "--port", str(self.port)]
        if self.concurrency:
            command += ["--concurrency", self.concurrency]
        command += list(self.processes)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        if wait_web and "web" in self.processes:
            for instance in range(self.web_instances):
                wait_for(lambda i=instance: self._answers(i) or self.process.poll() is not None, timeout=90,
                         what=f"the web process {instance}", interval=0.3)
        if wait_worker and "worker" in self.processes:
            wait_for(lambda: b" ready." in self.log.read_bytes() or self.process.poll() is not None, timeout=90,
                     what="the worker to be ready", interval=0.3)
        if self.process.poll() is not None:
            raise AssertionError(f"The processes exited:\n{self.output()}")
        return self

    def _answers(self, instance: int) -> bool:
        try:
            with urllib.request.urlopen(self.url(instance) + "/healthz", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-8000:]

    def pid(self, process: str) -> int:
        """The pid honcho reported for ``process`` (``worker.1``...): the leader of that process's group."""
        for line in self.log.read_text(errors="replace").splitlines():
            if f"{process} started (pid=" in line:
                return int(line.split("pid=")[1].rstrip(")"))
        raise AssertionError(f"{process} never started:\n{self.output()}")

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM to honcho, as a process manager or Ctrl-C would; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill9(self) -> None:
        """SIGKILL to honcho and to every process it started: a machine lost at once."""
        for pid in [*_descendants(self.process.pid), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.terminate(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill9()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb into a temporary directory, a free port), which the test may
    stop and start again: the shared server is never touched. Run as the ``postgres`` user when root."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise AssertionError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = found[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="badges-drill-pg-"))
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
        self.dir.chmod(0o700)

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> PrivatePostgres:
        self._run(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust",
                  "--no-sync")
        return self.start()

    def start(self) -> PrivatePostgres:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-o", options, "-l",
                  str(self.dir / "server.log"), "-w", "start")
        return self

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres").replace("postgres://", "postgresql://", 1), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
