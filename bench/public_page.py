"""A public credential under load: its HTML page and its JSON, next to the same server's ``/healthz`` (the
floor: a request that touches nothing), with wrk at 100 concurrent connections, on the production stack
(bench/stack.py: ``make serve``'s web process, production settings, rate limits out of reach).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/public_page.py [--seconds 20] [--connections 100] [--web-workers 3]

Target (issue 11): the page and the JSON each at least half of /healthz's requests/s, a p99 at most twice
/healthz's, no error or time-out. Also checked: a conditional request (If-None-Match) answers 304.

The addresses take turns, ``--rounds`` times (each run is ``--seconds`` long), so that a slower minute of a shared
machine falls on all of them rather than on one. Each round is printed, and the totals (all requests over all
the time; the p99s averaged); the target is met only if it is met in every round, each against that round's
/healthz. The last lines give the worst round's ratios.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each address, taking turns")
    parser.add_argument("--returning-visitor", action="store_true",
                        help="also measure the page for a visitor who sends the CSRF cookie of an earlier visit")
    args = parser.parse_args()
    port, env = stack.django_on_fresh_database("public_page", "page")
    from django.db import connections

    from bench.http_fixture import public_credential

    credential, _issuer = public_credential()
    connections.close_all()
    base = f"http://127.0.0.1:{port}"
    page = f"/credentials/{credential.public_id}"
    targets = [("/healthz", "/healthz", {}), ("page (HTML)", page, {"Accept": "text/html"}),
               ("JSON", page, {"Accept": "application/ld+json"})]
    if args.returning_visitor:  # a browser with the cookies of the site's other pages (not part of the target)
        targets.append(("page, cookies", page, {"Accept": "text/html",
                                                "Cookie": f"csrftoken={'k' * 32}; django_language=fr"}))
    results = {}
    running = stack.Stack(env, web_workers=args.web_workers, web_threads=args.web_threads, log_name="public-page")
    with running:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conditional = {}
        for label, path, headers in targets[1:]:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                sys.exit(f"{label}: {answer.status}")
            etag = answer.getheader("ETag")
            status = None
            if etag:
                connection.request("GET", path, headers={**headers, "If-None-Match": etag})
                again = connection.getresponse()
                again.read()
                status = again.status
            conditional[label] = status
        for _label, path, headers in targets:
            # Untimed warm-up: each process has imported and loaded what this address needs before the clock runs.
            stack.wrk(base + path, connections=args.connections, seconds=3, headers=headers)
        time.sleep(5)  # the worker and its scheduler finish starting before the first round
        rounds = [{label: stack.wrk_with_cpu(running, env["DATABASE_URL"], base + path, connections=args.connections,
                                             seconds=args.seconds, headers=headers)
                   for label, path, headers in targets} for _ in range(args.rounds)]
    results = {label: _total([r[label] for r in rounds]) for label, _path, _headers in targets}

    print(f"wrk, {args.connections} connections, {args.seconds} s each, {args.rounds} round(s) taking turns, "
          f"web {args.web_workers}x{args.web_threads}, production settings; {os.cpu_count()} CPU(s)")
    print(f"{'':20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'non-2xx':>8} {'/healthz rps':>13} "
          f"{'p99 ratio':>10} {'web CPU ms':>10} {'db CPU ms':>9}  load")
    for name, table in [*((f"round {i + 1}", r) for i, r in enumerate(rounds)), ("all rounds", results)]:
        floor = table["/healthz"]
        for label, r in table.items():
            print(f"{name + ', ' + label:20} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:7d} "
                  f"{r['non_2xx']:8d} {r['rps'] / floor['rps']:13.2f} {r['p99'] / floor['p99']:10.2f} "
                  f"{r['web_cpu_ms']:10.2f} {r['db_cpu_ms']:9.2f}  {r['load']}")
    print("If-None-Match with the ETag just served: " +
          ", ".join(f"{label} -> {status or 'no ETag'}" for label, status in conditional.items()))
    for label in ("page (HTML)", "JSON"):
        rps_ratio = min(r[label]["rps"] / r["/healthz"]["rps"] for r in rounds)
        p99_ratio = max(r[label]["p99"] / r["/healthz"]["p99"] for r in rounds)
        errors = results[label]["errors"] + results[label]["non_2xx"]
        ok = rps_ratio >= 0.5 and p99_ratio <= 2 and not errors
        print(f"public_page: {label.split()[0].lower()} rps_ratio={rps_ratio:.2f} p99_ratio={p99_ratio:.2f} "
              f"errors={errors} target={'met' if ok else 'missed'} (worst of {len(rounds)} round(s))")


def _total(runs: list[dict]) -> dict:
    """Several runs of one address as one: requests over time, time-weighted CPU, p50 and p99 averaged."""
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["requests"] / r["rps"] for r in runs if r["rps"])
    return {"rps": requests / seconds if seconds else 0.0, "requests": requests,
            "p50": sum(r["p50"] for r in runs) / len(runs), "p99": sum(r["p99"] for r in runs) / len(runs),
            "errors": sum(r["errors"] for r in runs), "non_2xx": sum(r["non_2xx"] for r in runs),
            "web_cpu_ms": sum(r["web_cpu_ms"] * r["requests"] for r in runs) / max(requests, 1),
            "db_cpu_ms": sum(r["db_cpu_ms"] * r["requests"] for r in runs) / max(requests, 1),
            "load": runs[-1]["load"]}


if __name__ == "__main__":
    main()
