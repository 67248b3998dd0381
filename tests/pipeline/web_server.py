"""A WSGI server process for tests and benchmarks that must go through real HTTP: gunicorn when it is
installed (the production server), else the standard library's threaded WSGI server. It serves
``badges_service.wsgi`` on 127.0.0.1 and a free port, and prints ``Listening at: http://127.0.0.1:<port>``.

Run as ``python -m tests.pipeline.web_server`` with the environment of the settings to use.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
_LISTENING = re.compile(rb"Listening at: (http://127\.0\.0\.1:\d+)")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def command(workers: int = 2) -> list[str]:
    """The server's command line: gunicorn's sync workers if installed, else this module."""
    if GUNICORN.exists() or shutil.which("gunicorn", path=str(GUNICORN.parent)):
        return [str(GUNICORN), "badges_service.wsgi:application", "--bind", "127.0.0.1:0", "--workers",
                str(workers), "--access-logfile", "-", "--log-level", "info"]
    return [sys.executable, "-m", "tests.pipeline.web_server"]


class WebServer:
    """The server in its own process group, its output in a log file; ``url`` once it listens."""

    def __init__(self, log_dir: Path, env: dict[str, str], workers: int = 2):
        self.env, self.workers = env, workers
        self.log = log_dir / f"web-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, wait_for) -> WebServer:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command(self.workers), cwd=ROOT, env={**os.environ, **self.env},
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        found = wait_for(lambda: _LISTENING.search(self.log.read_bytes()) or self.process.poll() is not None,
                         timeout=60, what="the web server to listen")
        if self.process.poll() is not None or found is True:
            raise AssertionError(f"The web server exited:\n{self.output()}")
        self.url = found.group(1).decode()
        return self

    @property
    def kind(self) -> str:
        return "gunicorn" if command(self.workers)[0] == str(GUNICORN) else "wsgiref (threaded)"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        from tests.pipeline.workers import stop_group

        stop_group(self.process)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from badges_service.wsgi import application

    server = make_server("127.0.0.1", 0, application, server_class=_ThreadingServer, handler_class=_QuietHandler)
    print(f"Listening at: http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
