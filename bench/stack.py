"""The production stack for the load benchmarks: the web process of the Procfile and Celery workers, with
production settings (``bench/stack_settings.py``), on a fresh PostgreSQL database and a Redis DB of the
caller's, on a free loopback port.

The web process is ``python -m badges_service.web`` (what ``make serve`` runs) when it exists, else gunicorn
with the same kind of workers. Rate limits are raised out of reach: the benchmarks measure the service, not
its flood protection. Helpers sample processes' memory from ``/proc``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SCOPES = ("verify", "api", "pages", "documents", "oauth", "registration")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_urls(url: str, suffix: str) -> tuple[str, str]:
    """(admin URL, benchmark URL): the benchmark's database is ``<name>_<suffix>`` on the same server."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL (the benchmarks measure the production set-up).")
    name = parts.path.lstrip("/") or "badges"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def database_recreate(admin_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def environment(*, database_url: str, port: int, queue: str) -> dict[str, str]:
    """The environment of ``make serve`` for this run (secrets generated for the run)."""
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.stack_settings",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": Fernet.generate_key().decode(),
        "BADGES_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BADGES_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "BADGES_PIPELINE_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    env.update({f"BADGES_RATE_LIMIT_{scope.upper()}": "100000000/minute" for scope in SCOPES})
    return env


def django_on_fresh_database(suffix: str, queue_prefix: str) -> tuple[int, dict[str, str]]:
    """Refuse to run without PostgreSQL and Redis; recreate ``<name>_<suffix>``, point this process at it with the
    stack's environment, set Django up and migrate. Returns the free port the stack's web process is to use, and
    its environment."""
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (redis://...).")
    admin_url, url = database_urls(os.environ["DATABASE_URL"], suffix)
    database_recreate(admin_url, url)
    port = free_port()
    env = environment(database_url=url, port=port, queue=f"{queue_prefix}-{run_id()}")
    os.environ.update({k: v for k, v in env.items() if k not in ("HOST", "PORT")})

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return port, env


def web_command(port: int, workers: int, threads: int) -> list[str]:
    if (ROOT / "badges_service" / "web.py").exists():
        return [sys.executable, "-m", "badges_service.web"]
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "5",
            "badges_service.wsgi:application"]


class Stack:
    """Web and worker processes, started in their own process groups and stopped together."""

    def __init__(self, env: dict[str, str], *, web_workers: int, web_threads: int = 4, worker_concurrency: int = 0,
                 log_name: str = "stack"):
        self.env = {**env, "WEB_CONCURRENCY": str(web_workers), "WEB_THREADS": str(web_threads)}
        self.port = int(env["PORT"])
        self.processes: dict[str, subprocess.Popen] = {}
        self.log_dir = ROOT / "var"
        self.log_dir.mkdir(exist_ok=True)
        self.log_name = log_name
        self.web_workers, self.web_threads, self.worker_concurrency = web_workers, web_threads, worker_concurrency

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        out = (self.log_dir / f"{self.log_name}-{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def start(self) -> Stack:
        # As `make serve` does before starting the processes: the manifest the production storage reads.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT,
                       env=self.env, check=True)
        if self.worker_concurrency:
            queue = self.env["BADGES_PIPELINE_QUEUE"]
            self._start("worker", [str(Path(sys.executable).with_name("celery")), "-A", "badges_service", "worker",
                                   "--pool", "prefork", "--concurrency", str(self.worker_concurrency),
                                   "--queues", queue, "--hostname", f"{queue}@%h", "--without-gossip",
                                   "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"])
        self._start("web", web_command(self.port, self.web_workers, self.web_threads))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise SystemExit(f"The {name} process exited; see var/{self.log_name}-{name}.log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("The web process did not listen within 60 s.")
        time.sleep(2)  # the other web workers and the pool children finish starting
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


class MemoryProbe(threading.Thread):
    """Samples the RSS of a process and all its descendants (a Celery worker and its pool), twice a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop_flag = pid, threading.Event()
        self.peak_total = self.peak_child = 0
        self.samples: list[tuple[float, int, int]] = []  # (time, total, largest descendant)

    def run(self) -> None:
        while not self.stop_flag.is_set():
            children = [rss_kib(c) for c in descendants(self.pid)]
            total = rss_kib(self.pid) + sum(children)
            largest = max(children, default=0)
            self.samples.append((time.monotonic(), total, largest))
            self.peak_total, self.peak_child = max(self.peak_total, total), max(self.peak_child, largest)
            self.stop_flag.wait(0.5)

    def at(self, moment: float) -> tuple[int, int]:
        for t, total, largest in self.samples:
            if t >= moment:
                return total, largest
        return self.samples[-1][1:] if self.samples else (0, 0)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of live processes (clock ticks from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def tree(pid: int) -> list[int]:
    return [pid, *descendants(pid)]


def database_backends(url: str) -> list[int]:
    """PostgreSQL server processes connected to the database of ``url`` (same machine)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])]


class CpuMeter:
    """CPU seconds spent by the web and worker process trees and the database's server processes between
    ``start`` and ``stop``. With ``sample_every`` (seconds), the processes are also read meanwhile, so that one that
    exits in between counts up to its last reading: over a campaign gunicorn replaces its workers (``max_requests``),
    and their database connections end with them. Without it, processes that exit in between are not counted."""

    def __init__(self, running: Stack, database_url: str, *, sample_every: float | None = None):
        self.running, self.database_url, self.sample_every = running, database_url, sample_every
        self.before: dict[int, float] = {}
        self.by_role: dict[str, float] = {}
        self._seen: dict[int, tuple[str, float]] = {}  # pid -> (role, CPU seconds at its last reading)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _pids(self) -> dict[str, list[int]]:
        pids = {name: tree(p.pid) for name, p in self.running.processes.items()}
        pids["postgres"] = database_backends(self.database_url)
        return pids

    def _read(self) -> None:
        for role, pids in self._pids().items():
            for pid in pids:
                seconds = cpu_seconds([pid])
                if seconds or pid not in self._seen:
                    self._seen[pid] = (role, seconds)

    def _sample(self) -> None:
        while not self._stop.wait(self.sample_every):
            self._read()

    def start(self) -> None:
        self.before = {pid: cpu_seconds([pid]) for pids in self._pids().values() for pid in pids}
        if self.sample_every:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    def stop(self) -> dict[str, float]:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        self._read()
        self.by_role = {name: 0.0 for name in [*self.running.processes, "postgres"]}
        for pid, (role, seconds) in self._seen.items():
            self.by_role[role] = self.by_role.get(role, 0.0) + seconds - self.before.get(pid, 0.0)
        return self.by_role


WRK_POST = """wrk.method = "POST"
wrk.headers["Content-Type"] = "{content_type}"
local f = assert(io.open("{body}", "rb"))
wrk.body = f:read("*all")
f:close()
"""


def wrk(url: str, *, connections: int, seconds: int, threads: int = 2, headers: dict | None = None,
        body_file: Path | None = None, content_type: str = "application/json") -> dict:
    """Run wrk (Debian's package) against ``url``: requests/s, p50/p99 latency (ms), errors (socket errors,
    time-outs and non-2xx/3xx answers)."""
    import re
    import shutil
    import tempfile

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    command = ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as tmp:
        if body_file is not None:
            script = Path(tmp) / "post.lua"
            script.write_text(WRK_POST.format(content_type=content_type, body=body_file))
            command += ["-s", str(script)]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = re.search(r"(\d+) requests in", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"), "p99": latency("99"),
        "requests": int(requests.group(1)) if requests else 0,
        "errors": sum(int(g) for g in socket.groups()) if socket else 0,
        "timeouts": int(socket.group(4)) if socket else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "raw": out,
    }


def load() -> str:
    """The machine's load averages, to print next to absolute figures (the machine is shared)."""
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run_id() -> str:
    return uuid.uuid4().hex[:8]


def wrk_with_cpu(running: Stack, database_url: str, url: str, **options) -> dict:
    """``wrk`` on ``url``, with the CPU the web processes and the database's server processes spent per request
    meanwhile (from /proc: what the code costs, whatever else the machine runs), and the load average."""
    meter = CpuMeter(running, database_url)
    meter.start()
    result = wrk(url, **options)
    spent = meter.stop()
    requests = max(result["requests"], 1)
    return {**result, "load": load(), "web_cpu_ms": spent.get("web", 0.0) * 1000 / requests,
            "db_cpu_ms": spent.get("postgres", 0.0) * 1000 / requests}
