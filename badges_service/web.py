"""The ``web`` process of the Procfile: the WSGI server chosen by measurement (``bench/server.py``).

    python -m badges_service.web

Binds ``HOST:PORT`` (127.0.0.1:8000 by default, as ``make run``). ``BADGES_WEB_SERVER`` picks the server
(``gunicorn``, the measured default, with ``gthread`` workers that share out the connections,
``badges_service.balanced_worker``; ``gunicorn-sync``; ``granian``);
``WEB_CONCURRENCY`` the number of worker processes (default: one per CPU core plus one) and ``WEB_THREADS``
the threads per process. It replaces itself with the server (``exec``), so the supervisor's signals reach the
server directly: SIGTERM lets each worker finish the requests it holds, up to ``BADGES_WEB_GRACE_SECONDS``.

Request metrics of several processes are summed by prometheus_client's multiprocess mode: each process
writes into ``PROMETHEUS_MULTIPROC_DIR`` (``var/prometheus/web-<port>`` unless set), emptied at start.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("gunicorn", "gunicorn-sync", "granian")
DEFAULT_SERVER = "gunicorn"
THREADED_WORKER = "badges_service.balanced_worker.BalancedThreadWorker"  # gthread, taking its share of connections


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def workers() -> int:
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    return int(value) if value else cpu_count() + 1


def threads() -> int:
    value = os.environ.get("WEB_THREADS", "").strip()
    return int(value) if value else 4


def max_rss_mb() -> int:
    """The memory past which a web worker is replaced (``BADGES_WEB_MAX_RSS_MB``, 0: never); see
    ``badges_service.recycling``."""
    return int(os.environ.get("BADGES_WEB_MAX_RSS_MB", "512"))


def _granian_rss_bound() -> list[str]:
    return ["--workers-max-rss", str(max_rss_mb())] if max_rss_mb() > 0 else []


def command(server: str, *, host: str, port: str) -> list[str]:
    """The server's command line for ``server`` (one of ``SERVERS``)."""
    grace = os.environ.get("BADGES_WEB_GRACE_SECONDS", "20")
    if server.startswith("gunicorn"):
        line = [sys.executable, "-m", "gunicorn", "--config", "python:badges_service.gunicorn_conf",
                "--bind", f"{host}:{port}", "--workers", str(workers()), "--graceful-timeout", grace]
        if server == "gunicorn":
            line += ["--worker-class", THREADED_WORKER, "--threads", str(threads())]
        else:
            line += ["--worker-class", "sync"]
        return [*line, "badges_service.wsgi:application"]
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", port,
                "--workers", str(workers()), "--blocking-threads", str(threads()),
                "--workers-kill-timeout", grace, *_granian_rss_bound(), "--no-ws", "badges_service.wsgi:application"]
    raise SystemExit(f"BADGES_WEB_SERVER must be one of {', '.join(SERVERS)} (not {server!r}).")


def metrics_directory(port: str) -> Path:
    """An empty directory for this web process's metrics files (prometheus_client multiprocess mode)."""
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or ROOT / "var" / "prometheus" / f"web-{port}")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


def preflight() -> None:
    """Load the production settings once, so that a missing variable is one clear line, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.production")
    sys.path.insert(0, str(ROOT))
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"Cannot start: {exc}") from None


def main() -> None:
    if sys.argv[1:] == ["--preflight"]:
        preflight()
        return
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    server = os.environ.get("BADGES_WEB_SERVER", DEFAULT_SERVER)
    line = command(server, host=host, port=port)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_directory(port))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.production")
    os.chdir(ROOT)
    sys.stdout.flush()
    os.execv(line[0], line)  # noqa: S606 - a fixed command line, no shell


if __name__ == "__main__":
    main()
