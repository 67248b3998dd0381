"""Which WSGI server for the ``web`` process: gunicorn (sync workers), gunicorn (gthread workers) and granian
(WSGI), each started by ``badges_service.web`` exactly as the Procfile starts it (production settings, same
process count), measured with wrk (Debian's ``wrk``) over loopback on two paths:

* the public credential page (``GET /credentials/<uuid>``, HTML, as a phone opening a QR code);
* the intake (``POST /api/v1/events/moodle``, a distinct completion each time, authenticated by the source's
  token in the body: parse, INSERT, wake a drainer in Redis; no worker runs, events stay pending).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/server.py [--seconds 10] [--rounds 3] [--connections 16] \\
            [--servers gunicorn-sync,gunicorn,granian]

It works in its own database (``<name>_server``, dropped and created again) and its own queue. Printed per
server and path: requests/s, median and p99 latency, and the ratio of requests/s to gunicorn sync's (the peer),
measured in the same run. It stops if any answer is not a 200 (page) or 202 (intake).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import stack as bench_stack  # noqa: E402

HOST = "127.0.0.1"
PAGE_HEADERS = ("Accept: text/html", "X-Forwarded-Proto: https")
INTAKE_LUA = r"""
local counter = 0
local headers = {["Content-Type"] = "application/json", ["X-Forwarded-Proto"] = "https"}
local template = [[{"eventname":"\\core\\event\\course_completed","objectid":%d,"courseid":"101",]]
  .. [["relateduserid":"%d","timecreated":1767954600,"token":"%s"}]]
local thread_id = 0
local threads = {}
function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
request = function()
  counter = counter + 1
  local body = string.format(template, RUN + tid * 100000000 + counter, counter, "TOKEN")
  return wrk.format("POST", "/api/v1/events/moodle", headers, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare() -> tuple[str, str]:
    """The data: an issuer, an achievement, one credential; a source and its rule. (credential id, token)"""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.http_fixture import city_and_hr, cybersecurity
    from issuers import services as issuer_services
    from issuers.permissions import SYSTEM
    from pipeline import services

    call_command("migrate", verbosity=0)
    ville, _drh = city_and_hr()
    achievement = cybersecurity(ville)
    credential = issuer_services.credential_issue(achievement=achievement, recipient_email="agent@ville-exemple.fr",
                                                  recipient_name="Camille Martin", actor=SYSTEM)
    issuer_services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)  # shared
    new = services.lms_source_create(name="moodle-ville", issuer=ville)
    services.award_rule_create(source=new.source, course="101", achievement=achievement)
    connection.close()
    return str(credential.public_id), new.secret


class Server:
    def __init__(self, name: str, env: dict[str, str], log: Path):
        self.name, self.port, self.log = name, free_port(), log
        self.env = {**env, "BADGES_WEB_SERVER": name, "HOST": HOST, "PORT": str(self.port),
                    "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="bench-metrics-")}

    def __enter__(self) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "badges_service.web"], cwd=ROOT, env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/healthz", timeout=2):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"{self.name} exited; see {self.log}")
                time.sleep(0.3)
        sys.exit(f"{self.name} did not answer; see {self.log}")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, *, seconds: int, connections: int, script: Path | None = None,
        headers: tuple[str, ...] = ()) -> dict:
    command = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{seconds}s", "--latency",
               "--timeout", "30s"]
    for header in headers:
        command += ["--header", header]
    if script:
        command += ["--script", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": _ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
            "p99": _ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "bad": int(bad.group(1)) if bad else 0, "errors": errors.group(1) if errors else "", "raw": output}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per server, path and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--servers", default="gunicorn-sync,gunicorn,granian")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each server on each path (median kept)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (redis://...).")
    admin_url, bench_url = bench_stack.database_urls(os.environ["DATABASE_URL"], "server")
    bench_stack.database_recreate(admin_url, bench_url)
    from cryptography.fernet import Fernet

    kek, queue = Fernet.generate_key().decode(), f"bench-server-{uuid.uuid4().hex[:8]}"
    os.environ.update({"DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "bench.campaign_settings",
                       "BADGES_KEY_ENCRYPTION_KEYS": kek, "BADGES_PIPELINE_QUEUE": queue})
    public_id, token = prepare()

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "DJANGO_SETTINGS_MODULE": "badges_service.settings.production",
        "DJANGO_SECRET_KEY": Fernet.generate_key().decode(), "DJANGO_ALLOWED_HOSTS": HOST,
        "BADGES_PUBLIC_URL": "https://badges.example.test", "LOG_LEVEL": "WARNING",
        # One client address sends everything: the per-client limits would measure the 429 path.
        "BADGES_RATE_LIMIT_PAGES": "100000000/minute", "BADGES_RATE_LIMIT_DOCUMENTS": "100000000/minute"}
    (ROOT / "var").mkdir(exist_ok=True)
    names = args.servers.split(",")
    samples: dict[str, dict[str, list[dict]]] = {name: {"page": [], "intake": []} for name in names}
    with contextlib.ExitStack() as stack:
        # All servers run at once (an idle one costs nothing) and take turns, round after round, so that the
        # load of the machine, which others share, weighs on each alike; the median round is reported.
        servers = [stack.enter_context(Server(name, env, ROOT / "var" / f"bench-server-{name}.log"))
                   for name in names]
        for server in servers:
            base = f"http://{HOST}:{server.port}"
            wrk(f"{base}/credentials/{public_id}", seconds=2, connections=args.connections, headers=PAGE_HEADERS)
        for round_number in range(args.rounds):
            for server in servers[round_number % len(servers):] + servers[:round_number % len(servers)]:
                base = f"http://{HOST}:{server.port}"
                samples[server.name]["page"].append(wrk(f"{base}/credentials/{public_id}", seconds=args.seconds,
                                                        connections=args.connections, headers=PAGE_HEADERS))
                script = Path(tempfile.mkstemp(suffix=".lua")[1])
                run = 10**10 * (1 + round_number * len(servers) + servers.index(server))  # distinct event ids
                script.write_text(INTAKE_LUA.replace("RUN", str(run)).replace("TOKEN", token))
                samples[server.name]["intake"].append(wrk(base + "/api/v1/events/moodle", seconds=args.seconds,
                                                          connections=args.connections, script=script))
                script.unlink()
    results: dict[str, dict[str, dict]] = {}
    for name, paths in samples.items():
        results[name] = {}
        for path, runs in paths.items():
            for result in runs:
                if result["bad"] or result["errors"]:
                    sys.exit(f"{name} {path}: {result['bad']} answers not 2xx, socket errors {result['errors']!r}\n"
                             f"{result['raw']}")
            results[name][path] = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]

    from badges_service.web import cpu_count, threads, workers

    load = os.getloadavg()
    print(f"WSGI servers over loopback, wrk 2 threads x {args.connections} connections, median of {args.rounds} "
          f"rounds of {args.seconds} s, servers taking turns; "
          f"{workers()} worker processes ({threads()} threads where the server has threads), {cpu_count()} CPU(s), "
          f"Python {platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    peer = results.get("gunicorn-sync")
    for path, label in (("page", "credential page (GET, HTML)"), ("intake", "intake (POST, Moodle webhook)")):
        print(f"  {label}")
        for name, rows in results.items():
            r = rows[path]
            ratio = f"{r['rps'] / peer[path]['rps']:.2f}x gunicorn sync" if peer else ""
            print(f"    {name:14s} {r['rps']:8.0f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  {ratio}")


if __name__ == "__main__":
    main()
