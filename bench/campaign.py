"""A training campaign for the whole workforce over real HTTP: 52,000 course completions, one badge each,
through the production stack (``bench/stack.py``: the web process ``make serve`` runs, Celery workers,
PostgreSQL, Redis), as an LMS would send them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/campaign.py [--events 52000] [--mode moodle|xapi|both] [--senders 8]

Modes: ``moodle``, one signed webhook per completion (``POST /api/v1/events/moodle``), posted by several
concurrent senders over keep-alive connections, as a Moodle cron sends in parallel; ``xapi``, the same
completions as batches of 30 xAPI statements to the LRS (``POST /api/v1/xapi/statements``, Basic credentials,
as Moodle's xAPI log store posts them). Each mode runs on a fresh
database (``<name>_campaign``) with one issuer, one achievement, one rule and the HR directory mapped
beforehand. The clock runs from the first request to the last signed credential; then the script checks that
every event was processed once (as many credentials and awards as events, no event left or failed), that
the OB 2.0 twins of a sample are served, and measures the peer: ``issuers.services.credential_issue`` in a
loop in one process, on the same database. Last line (one per mode when several run):

    campaign: events=N seconds=S events_per_s=R intake=http[ mode=xapi]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402

XAPI_BATCH = 30
COURSE = "102"


def moodle_body(template: str, n: int) -> bytes:
    return (template.replace('"8812"', f'"{500_000 + n}"').replace('"45"', f'"{10_000 + n}"')
            .replace('"101"', f'"{COURSE}"')).encode()


def xapi_statement(n: int) -> dict:
    return {
        "id": str(uuid.UUID(int=0x5EED_0000_0000_4000_8000_000000000000 + n)),
        "actor": {"objectType": "Agent", "name": f"Agent {n}",
                  "account": {"homePage": "https://formation.ville-exemple.fr", "name": str(10_000 + n)}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"fr-FR": "a terminé"}},
        "object": {"objectType": "Activity", "id": f"https://formation.ville-exemple.fr/course/view.php?id={COURSE}",
                   "definition": {"type": "http://adlnet.gov/expapi/activities/course",
                                  "name": {"fr-FR": "Cybersécurité : les essentiels"}}},
        "result": {"completion": True, "success": True},
        "context": {"platform": "Moodle", "language": "fr-FR"},
        "timestamp": "2026-11-30T10:30:00+01:00",
        "version": "1.0.3",
    }


def send(args: tuple) -> tuple[int, int]:
    """One sender: its share of the events over one keep-alive connection. (requests, events accepted)"""
    mode, port, secret, numbers, source_name, lrs_basic = args
    from pipeline import signatures

    template = (ROOT / "tests/fixtures/moodle/course_completed.json").read_text()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    requests = accepted = 0
    step = XAPI_BATCH if mode == "xapi" else 1
    for start in range(0, len(numbers), step):
        chunk = numbers[start:start + step]
        if mode == "xapi":  # the LRS (issue 10), as Moodle's xAPI log store posts: Basic credentials
            body = json.dumps([xapi_statement(n) for n in chunk]).encode()
            path, expected = "/api/v1/xapi/statements", 200
            headers = {"Content-Type": "application/json", "Authorization": f"Basic {lrs_basic}",
                       "X-Experience-API-Version": "1.0.3"}
        else:
            body, path, expected = moodle_body(template, chunk[0]), "/api/v1/events/moodle", 202
            headers = {"Content-Type": "application/json", signatures.HEADER: signatures.sign(secret, body),
                       "X-Badges-Source": source_name}
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != expected:
            raise SystemExit(f"Intake refused a request: {response.status} {payload[:300]!r}")
        if mode == "xapi":
            accepted += len(json.loads(payload))  # the ids of the statements stored
        else:
            accepted += json.loads(payload).get("status") == "received"
        requests += 1
    connection.close()
    return requests, accepted


def setup(events: int):
    """Issuer, achievement, rule, and the HR directory mapped beforehand (LMS user n is agent n)."""
    from bench.http_fixture import city_and_hr, cybersecurity
    from learners.models import Learner
    from pipeline import services
    from pipeline.models import LearnerMapping

    _ville, drh = city_and_hr()
    achievement = cybersecurity(drh)
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    services.award_rule_create(source=new.source, course=COURSE, achievement=achievement, validity_days=3 * 365)
    learners = Learner.objects.bulk_create(
        [Learner(email=f"agent.{n:05d}@ville-exemple.fr") for n in range(events)], batch_size=5000)
    LearnerMapping.objects.bulk_create(
        [LearnerMapping(source=new.source, lms_user_id=str(10_000 + n), learner=lr) for n, lr in enumerate(learners)],
        batch_size=5000)
    return achievement, new


def run_mode(mode: str, args, base_url: str) -> dict:
    admin_url, url = stack.database_urls(base_url, "campaign")
    stack.database_recreate(admin_url, url)
    port = stack.free_port()
    env = stack.environment(database_url=url, port=port, queue=f"campaign-{stack.run_id()}")
    os.environ.update({k: v for k, v in env.items() if k not in ("HOST", "PORT")})

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count

    from issuers import services as issuer_services
    from issuers.models import Credential
    from issuers.permissions import SYSTEM
    from pipeline.models import Award, InboundEvent

    call_command("migrate", verbosity=0)
    achievement, new = setup(args.events)
    connections.close_all()

    numbers = list(range(args.events))
    shares = [numbers[i::args.senders] for i in range(args.senders)]
    with stack.Stack(env, web_workers=args.web_workers, web_threads=args.web_threads,
                     worker_concurrency=args.concurrency, log_name=f"campaign-{mode}") as running:
        probe = stack.MemoryProbe(running.processes["worker"].pid)
        probe.start()
        meter = stack.CpuMeter(running, url, sample_every=1.0)
        meter.start()
        first_thousand = None
        start = time.monotonic()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with multiprocessing.get_context("fork").Pool(args.senders) as pool:
            basic = base64.b64encode(f"{new.source.lrs_username}:{new.lrs_password}".encode()).decode()
            pending = pool.map_async(send, [(mode, port, new.secret.encode(), share, new.source.name, basic)
                                            for share in shares])
            while not pending.ready():
                pending.wait(0.5)
            sent = pending.get()
        intake_seconds = time.monotonic() - start
        # The senders (the pool's processes, reaped when it closes): the LMS's side, on the same two cores.
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        senders_cpu = (children_after.ru_utime + children_after.ru_stime
                       - children_before.ru_utime - children_before.ru_stime)
        while True:
            done = InboundEvent.objects.exclude(status="received").count()
            if first_thousand is None and done >= min(1000, args.events):
                first_thousand = time.monotonic()
            if done >= args.events:
                break
            for name, process in running.processes.items():
                if process.poll() is not None:
                    raise SystemExit(f"The {name} process died; see var/campaign-{mode}-{name}.log")
            time.sleep(0.25)
        seconds = time.monotonic() - start
        cpu = {**meter.stop(), "senders": senders_cpu}
        time.sleep(1)
        probe.stop_flag.set()

    # The OB 2.0 twins of a sample, as the /ob2 and /ob2.jws views get them (not timed).
    from issuers import ob2

    for credential in Credential.objects.select_related("issuer", "achievement")[:: max(1, args.events // 50)]:
        twin = ob2.hosted_assertion(credential)
        assert twin.jws.count(".") == 2 and json.loads(twin.document)["type"] == "Assertion", credential.pk
    statuses = dict(InboundEvent.objects.values_list("status").annotate(n=Count("pk")))
    credentials, awards = Credential.objects.count(), Award.objects.count()
    assert sum(a for _, a in sent) == args.events, sent
    assert statuses == {"processed": args.events}, statuses
    assert credentials == awards == args.events, (credentials, awards)
    assert Credential.objects.values("recipient_email").distinct().count() == args.events

    peer_start = time.monotonic()
    for n in range(args.peer):
        issuer_services.credential_issue(achievement=achievement, recipient_email=f"peer.{n}@ville-exemple.fr",
                                         actor=SYSTEM)
    peer_rate = args.peer / (time.monotonic() - peer_start)
    connections.close_all()
    early_total, early_child = probe.at(first_thousand or start)
    end_total, end_child = probe.samples[-1][1:] if probe.samples else (0, 0)
    return {"mode": mode, "seconds": seconds, "intake_seconds": intake_seconds, "credentials": credentials,
            "requests": sum(r for r, _ in sent), "peer_rate": peer_rate, "peak_total": probe.peak_total,
            "peak_child": probe.peak_child, "growth_total": end_total - early_total,
            "growth_child": end_child - early_child, "load": stack.load(), "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=52_000)
    parser.add_argument("--mode", choices=("moodle", "xapi", "both"), default="moodle")
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders (processes, one connection each)")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (prefork)")
    parser.add_argument("--web-workers", type=int, default=2, help="web worker processes")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per web worker")
    parser.add_argument("--peer", type=int, default=1_000, help="credentials issued by the in-process peer")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one mode's result, for "both"
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (redis://...).")
    base_url = os.environ["DATABASE_URL"]
    if args.mode == "both":
        # Django is set up once per process, on one database: each mode runs in a fresh interpreter.
        results = []
        for mode in ("moodle", "xapi"):
            argv = [a for a in sys.argv[1:] if a not in ("--mode", "both")]
            out = subprocess.run([sys.executable, __file__, *argv, "--mode", mode, "--json"], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    else:
        results = [run_mode(args.mode, args, base_url)]
        if args.json:
            print(json.dumps(results[0]))
            return
    for r in results:
        rate = args.events / r["seconds"]
        print(f"Campaign ({r['mode']}): {args.events} completions -> {r['credentials']} signed OB 3.0 credentials "
              f"(OB 2.0 twins of a sample checked), {r['requests']} HTTP requests from {args.senders} senders; "
              f"web {args.web_workers}x{args.web_threads}, {args.concurrency} worker process(es); "
              f"{os.cpu_count()} CPU(s), Python {platform.python_version()}; {r['load']} at the end")
        print(f"  intake over HTTP                  {args.events / r['intake_seconds']:8.0f} events/s "
              f"({r['intake_seconds']:.1f} s)")
        print(f"  end to end (first POST -> last signed row) {rate:8.0f} events/s  total {r['seconds']:.1f} s")
        print(f"  worker RSS peak {r['peak_total'] / 1024:.0f} MiB (largest child {r['peak_child'] / 1024:.0f} MiB); "
              f"growth from the first 1,000 events to the end {r['growth_total'] / 1024:+.0f} MiB "
              f"(largest child {r['growth_child'] / 1024:+.0f} MiB)")
        cpu_ms = {role: 1000 * value / args.events for role, value in r["cpu"].items()}
        print("  CPU per event: " + ", ".join(f"{role} {ms:.2f} ms" for role, ms in cpu_ms.items()) +
              f"; in all {sum(cpu_ms.values()):.2f} ms, so {os.cpu_count()} idle cores would sustain about "
              f"{os.cpu_count() * 1000 / sum(cpu_ms.values()):.0f} events/s (Redis not counted)")
        print(f"  peer: credential_issue in a loop, one process: {r['peer_rate']:8.0f} credentials/s; "
              f"pipeline / peer {rate / r['peer_rate']:.2f}")
    for r in results:
        suffix = f" mode={r['mode']}" if args.mode == "both" else ""
        print(f"campaign: events={args.events} seconds={r['seconds']:.1f} "
              f"events_per_s={args.events / r['seconds']:.0f} intake=http{suffix}")


if __name__ == "__main__":
    main()
