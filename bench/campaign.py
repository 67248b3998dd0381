"""A training campaign for the whole workforce: 52,000 Moodle course completions, one badge each, through
the whole pipeline: signed webhooks into the intake view (Django's test client: middleware, signature
check, validation, INSERT), Redis, real Celery worker processes (prefork), rule evaluation, signing
(eddsa-rdfc-2022) and storage in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/campaign.py [--events 52000] [--concurrency 2] [--peer 2000]

It works in its own database (``<name>_campaign``, dropped and created again) and its own queue. Printed:
intake rate, end-to-end events per second and total time, the worker processes' peak memory (RSS) and
its growth from the first thousand events to the end, and, measured in the same run, a peer: the same
credentials issued by calling ``issuers.services.credential_issue`` in a loop in one process.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from issuers.permissions import SYSTEM

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _database(url: str) -> tuple[str, str]:
    """(admin URL, campaign URL): the campaign database is ``<name>_campaign`` on the same server."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL (the campaign measures the production set-up).")
    name = parts.path.lstrip("/") or "badges"
    return (urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}_campaign")))


def _recreate(admin_url: str, campaign_url: str) -> None:
    import psycopg

    name = urlsplit(campaign_url).path.lstrip("/")
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class MemoryProbe(threading.Thread):
    """Samples the RSS of the worker's main process and of each pool child, twice a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop_flag = pid, threading.Event()
        self.peak_total = self.peak_child = 0
        self.samples: list[tuple[float, int, int]] = []  # (time, total, largest child)

    def run(self) -> None:
        while not self.stop_flag.is_set():
            children = [_rss_kib(c) for c in _children(self.pid)]
            total = _rss_kib(self.pid) + sum(children)
            largest = max(children, default=0)
            self.samples.append((time.monotonic(), total, largest))
            self.peak_total, self.peak_child = max(self.peak_total, total), max(self.peak_child, largest)
            self.stop_flag.wait(0.5)

    def at(self, moment: float) -> tuple[int, int]:
        for t, total, largest in self.samples:
            if t >= moment:
                return total, largest
        return self.samples[-1][1:] if self.samples else (0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=52_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--peer", type=int, default=2_000, help="credentials issued by the in-process peer")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (redis://...).")
    admin_url, campaign_url = _database(os.environ["DATABASE_URL"])
    _recreate(admin_url, campaign_url)
    from cryptography.fernet import Fernet

    queue = f"campaign-{uuid.uuid4().hex[:8]}"
    os.environ.update({"DATABASE_URL": campaign_url, "DJANGO_SETTINGS_MODULE": "bench.campaign_settings",
                       "BADGES_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "BADGES_PIPELINE_QUEUE": queue})

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from issuers import services as issuer_services
    from issuers.models import Credential
    from learners.models import Learner
    from pipeline import services, signatures
    from pipeline.models import Award, InboundEvent, LearnerMapping

    call_command("migrate", verbosity=0)
    ville = issuer_services.issuer_create(slug="ville", name="Ville de Paris-Exemple", kind="city",
                                          url="https://www.ville-exemple.fr", email="badges@ville-exemple.fr")
    drh = issuer_services.issuer_create(slug="drh", name="Direction des ressources humaines", parent=ville,
                                        email="formation.drh@ville-exemple.fr")
    achievement = issuer_services.achievement_create(
        issuer=drh, slug="cybersecurite-essentiels", name="Cybersécurité : les essentiels",
        description="Reconnaître un hameçonnage, protéger ses mots de passe et les données des usagers.",
        criteria_narrative="Avoir terminé le module en ligne « Cybersécurité : les essentiels ».", tags=["numérique"],
                                                     actor=SYSTEM)
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    services.award_rule_create(source=new.source, course="102", achievement=achievement, validity_days=3 * 365)
    # The HR directory is mapped beforehand (as an import would): LMS user n is agent n.
    learners = Learner.objects.bulk_create(
        [Learner(email=f"agent.{n:05d}@ville-exemple.fr") for n in range(args.events)], batch_size=5000)
    LearnerMapping.objects.bulk_create(
        [LearnerMapping(source=new.source, lms_user_id=str(10_000 + n), learner=lr) for n, lr in enumerate(learners)],
        batch_size=5000)
    connection.close()

    log = ROOT / "var" / "campaign-worker.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "badges_service", "worker", "--pool", "prefork",
             "--concurrency", str(args.concurrency), "--queues", queue, "--hostname", f"{queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    probe = MemoryProbe(worker.pid)
    try:
        time.sleep(3)  # the pool children start
        probe.start()
        client = Client()
        template = Path(ROOT / "tests/fixtures/moodle/course_completed.json").read_text()
        secret = new.secret.encode()
        first_thousand_done = None
        start = time.monotonic()
        for n in range(args.events):
            body = (template.replace('"8812"', f'"{500_000 + n}"').replace('"45"', f'"{10_000 + n}"')
                    .replace('"101"', '"102"')).encode()
            response = client.post("/api/v1/events/moodle", data=body, content_type="application/json",
                                   HTTP_X_BADGES_SIGNATURE=signatures.sign(secret, body))
            if response.status_code != 202:
                sys.exit(f"Intake refused event {n}: {response.status_code} {response.content[:300]!r}")
        intake_seconds = time.monotonic() - start
        while True:
            done = InboundEvent.objects.exclude(status="received").count()
            if first_thousand_done is None and done >= min(1000, args.events):
                first_thousand_done = time.monotonic()
            if done >= args.events:
                break
            if worker.poll() is not None:
                sys.exit(f"The worker died; see {log}")
            time.sleep(0.5)
        total_seconds = time.monotonic() - start
        time.sleep(1)
    finally:
        probe.stop_flag.set()
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
    early_total, early_child = probe.at(first_thousand_done or start)
    end_total, end_child = probe.samples[-1][1:] if probe.samples else (0, 0)

    statuses = dict(InboundEvent.objects.values_list("status").annotate(n=django.db.models.Count("pk")))
    credentials = Credential.objects.count()
    assert statuses == {"processed": args.events}, statuses
    assert credentials == args.events == Award.objects.count(), (credentials, Award.objects.count())

    # The peer: the same credential issued in a loop, in this one process, on the same database.
    peer_start = time.monotonic()
    for n in range(args.peer):
        issuer_services.credential_issue(achievement=achievement, recipient_email=f"peer.{n}@ville-exemple.fr",
                                         actor=SYSTEM)
    peer_seconds = time.monotonic() - peer_start
    peer_rate = args.peer / peer_seconds
    rate = args.events / total_seconds

    print(f"Campaign: {args.events} Moodle completions -> {credentials} signed credentials, PostgreSQL + Redis, "
          f"{args.concurrency} prefork worker process(es); {os.cpu_count()} CPU(s), Python {platform.python_version()}")
    print(f"  intake (HTTP view, signature, INSERT, queue) {args.events / intake_seconds:8.0f} events/s "
          f"({intake_seconds:.1f} s)")
    print(f"  end to end (intake -> worker -> signed row)  {rate:8.0f} events/s  total {total_seconds:.1f} s "
          f"({total_seconds / 60:.1f} min)")
    print(f"  worker RSS peak: {probe.peak_total / 1024:.0f} MiB in all (main + {args.concurrency} children), "
          f"{probe.peak_child / 1024:.0f} MiB for the largest child")
    print(f"  worker RSS growth from the first 1,000 events to the end: {(end_total - early_total) / 1024:+.0f} MiB "
          f"in all, {(end_child - early_child) / 1024:+.0f} MiB for the largest child")
    print(f"  peer: credential_issue in a loop, one process: {peer_rate:8.0f} credentials/s ({args.peer} issued)")
    print(f"  pipeline / peer throughput: {rate / peer_rate:.2f} (the pipeline runs {args.concurrency} worker "
          f"process(es) and the intake on {os.cpu_count()} core(s); the peer does no intake, queueing or rules)")


if __name__ == "__main__":
    main()
