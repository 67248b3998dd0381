"""The production ``web`` process (``python -m badges_service.web``: gunicorn with gthread workers, as the
Procfile runs it) for tests and benchmarks that must go through real HTTP: ``badges_service.wsgi`` on
127.0.0.1 and a free port, with the settings of the caller's environment."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(rb"Listening at: (http://127\.0\.0\.1:\d+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebServer:
    """The server in its own process group, its output in a log file; ``url`` once it listens."""

    kind = "badges_service.web (gunicorn, gthread workers)"

    def __init__(self, log_dir: Path, env: dict[str, str], workers: int = 2):
        self.env, self.workers = env, workers
        self.log = log_dir / f"web-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, wait_for) -> WebServer:
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(_free_port()), "WEB_CONCURRENCY": str(self.workers),
               "PYTHONPATH": str(ROOT), **self.env}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "badges_service.web"], cwd=ROOT, env=env,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        found = wait_for(lambda: _LISTENING.search(self.log.read_bytes()) or self.process.poll() is not None,
                         timeout=60, what="the web server to listen")
        if self.process.poll() is not None or found is True:
            raise AssertionError(f"The web server exited:\n{self.output()}")
        self.url = found.group(1).decode()
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        from tests.pipeline.workers import stop_group

        stop_group(self.process)
