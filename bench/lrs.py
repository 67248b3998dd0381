"""The xAPI LRS against the signed webhook intake, over real HTTP, in the same run: Moodle's log store posts
batches of 30 statements (its usual batch) to ``/api/v1/xapi/statements`` with Basic credentials; the webhook
plugin posts one signed event per request to ``/api/v1/events/moodle``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/lrs.py [--batches 100] [--repeats 3]

It works in its own database (``<name>_lrs_bench``, dropped and created again) and its own Celery queue (no
worker: this measures intake, up to the commit and the queueing of what the rules name). The production web
process (``bench/stack.py``: ``python -m badges_service.web``, gunicorn with gthread workers, production settings)
serves every side; a client in this process sends one request at a time, a new connection per request as the
plugins' curl does.
Printed: statements/s through the LRS, statements/s through the signed xAPI route with the same batches, events/s
through the signed webhook, and the ratios. Each side is measured ``--repeats`` times, alternating; the median
counts.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import platform
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402 (after the path is set)

SHAPES = ["user_enrolment_created", "course_viewed", "quiz_viewed", "quiz_attempt_submitted", "quiz_question_answered",
          "quiz_attempt_reviewed", "lesson_ended", "scorm_scoreraw_submitted", "module_completion_updated",
          "course_completed"]
ACTED_ON = {"quiz_attempt_submitted", "lesson_ended", "scorm_scoreraw_submitted", "module_completion_updated",
            "course_completed"}  # the verbs the pipeline reads (completed)
BATCH = 30


def _statements(count: int, offset: int) -> list[dict]:
    """``count`` distinct statements in the plugin's shapes (its mix of views, attempts and completions)."""
    fixtures = ROOT / "tests/fixtures/xapi/moodle_logstore"
    shapes = [json.loads((fixtures / f"{name}.json").read_text()) for name in SHAPES]
    out = []
    for n in range(offset, offset + count):
        statement = copy.deepcopy(shapes[n % len(shapes)])
        statement["actor"]["account"]["name"] = str(10_000 + n)
        statement["timestamp"] = f"2026-01-12T09:{n // 60 % 60:02d}:{n % 60:02d}+01:00"
        out.append(statement)
    return out


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json",
                                                                              **headers})
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
        return answer.status


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as answer:
        answer.read()
        return answer.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100, help="batches of 30 statements per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (gthread)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (redis://...).")
    admin_url, bench_url = stack.database_urls(os.environ["DATABASE_URL"], "lrs_bench")
    stack.database_recreate(admin_url, bench_url)
    queue = f"lrs-bench-{stack.run_id()}"
    env = stack.environment(database_url=bench_url, port=stack.free_port(), queue=queue)
    os.environ.update({k: v for k, v in env.items() if k not in ("HOST", "PORT")})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from badges_service.celery import app
    from bench.http_fixture import city_and_hr, cybersecurity
    from pipeline import services, signatures
    from pipeline.models import InboundEvent

    call_command("migrate", verbosity=0)
    _ville, drh = city_and_hr()
    achievement = cybersecurity(drh)
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    services.award_rule_create(source=new.source, course="102", achievement=achievement)
    connection.close()

    running = stack.Stack(env, web_workers=args.web_workers, log_name="lrs-bench").start()
    url = f"http://127.0.0.1:{running.port}"
    basic = base64.b64encode(f"{new.source.lrs_username}:{new.lrs_password}".encode()).decode()
    lrs_headers = {"Authorization": f"Basic {basic}", "X-Experience-API-Version": "1.0.3"}
    secret = new.secret.encode()
    template = (ROOT / "tests/fixtures/moodle/course_completed.json").read_text()
    offset = 0

    def rate(path: str, bodies: list[bytes], headers, expected: int, items: int) -> float:
        """POST each body to ``path`` (``headers``: a function of the body), timed: items per second."""
        start = time.perf_counter()
        for body in bodies:
            assert _post(url + path, body, headers(body)) == expected
        return items / (time.perf_counter() - start)

    def signed(body: bytes) -> dict:
        return {signatures.HEADER: signatures.sign(secret, body)}

    def statement_batches(warm_up: bool) -> tuple[list[bytes], int]:
        nonlocal offset
        batches = 2 if warm_up else args.batches
        bodies = [json.dumps(_statements(BATCH, offset + b * BATCH)).encode() for b in range(batches)]
        offset += BATCH * batches
        return bodies, BATCH * batches

    def lrs_run(warm_up: bool = False) -> float:
        bodies, count = statement_batches(warm_up)
        return rate("/api/v1/xapi/statements", bodies, lambda _body: lrs_headers, 200, count)

    def signed_xapi_run(warm_up: bool = False) -> float:
        bodies, count = statement_batches(warm_up)
        return rate("/api/v1/events/xapi", bodies, signed, 202, count)

    def webhook_run(warm_up: bool = False) -> float:
        nonlocal offset
        count = BATCH * (2 if warm_up else args.batches)
        bodies = [(template.replace('"8812"', f'"{offset + n}"').replace('"45"', f'"{10_000 + offset + n}"')
                   .replace('"101"', '"102"')).encode() for n in range(count)]
        offset += count
        return rate("/api/v1/events/moodle", bodies, signed, 202, count)

    rates: dict[str, list[float]] = {"lrs": [], "signed_xapi": [], "webhook": []}
    try:
        # Warm-up, not timed: each gunicorn worker imports the application on its first request.
        for _ in range(4 * args.web_workers):
            assert _get(url + "/api/v1/xapi/about") == 200
        for run in (lrs_run, signed_xapi_run, webhook_run):
            run(warm_up=True)
        for _ in range(args.repeats):
            rates["lrs"].append(lrs_run())
            rates["signed_xapi"].append(signed_xapi_run())
            rates["webhook"].append(webhook_run())
    finally:
        running.stop()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
    # Both sides did the same work: the LRS stored every statement, the signed route the ones it acts on (it
    # answers the others "ignored" without storing them), the webhook intake every event.
    per = BATCH * args.batches
    acted_on = sum(1 for n in range(per) if SHAPES[n % len(SHAPES)] in ACTED_ON)
    stored = InboundEvent.objects.count()
    warm = 2 * BATCH  # the warm-up's two batches per side
    warm_acted_on = sum(1 for n in range(warm) if SHAPES[n % len(SHAPES)] in ACTED_ON)
    assert stored == args.repeats * (per + acted_on + per) + warm + warm_acted_on + warm, (stored, per, acted_on)

    lrs, xapi_signed, webhook = (statistics.median(rates[k]) for k in ("lrs", "signed_xapi", "webhook"))
    print(f"Intake over HTTP (badges_service.web: gunicorn, {args.web_workers} gthread workers; one client, a new "
          f"connection per request), PostgreSQL + Redis, {stack.load()}; "
          f"{os.cpu_count()} CPU(s), Python {platform.python_version()}; median of {args.repeats} runs of {per} "
          f"statements or events each")
    print(f"  xAPI LRS, batches of {BATCH} (Basic)          {lrs:8.0f} statements/s   "
          f"({', '.join(f'{r:.0f}' for r in rates['lrs'])})")
    print(f"  signed xAPI route, same batches (HMAC)     {xapi_signed:8.0f} statements/s   "
          f"({', '.join(f'{r:.0f}' for r in rates['signed_xapi'])})")
    print(f"  signed webhook, one event per request      {webhook:8.0f} events/s       "
          f"({', '.join(f'{r:.0f}' for r in rates['webhook'])})")
    print(f"  LRS / webhook: {lrs / webhook:.1f}x    LRS / signed xAPI route: {lrs / xapi_signed:.2f}x")


if __name__ == "__main__":
    main()
