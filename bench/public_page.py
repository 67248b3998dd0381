"""A public credential under load: its HTML page and its JSON, next to the same server's ``/healthz`` (the
floor: a request that touches nothing), with wrk at 100 concurrent connections, on the production stack
(bench/stack.py: ``make serve``'s web process, production settings, rate limits out of reach).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/public_page.py [--seconds 20] [--connections 100] [--web-workers 3]

Target (issue 11): the page and the JSON each at least half of /healthz's requests/s, a p99 at most twice
/healthz's, no error or time-out. Also checked: a conditional request (If-None-Match) answers 304.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
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
    if args.returning_visitor:  # a browser that has the CSRF cookie of an earlier visit (not part of the target)
        targets.append(("page, cookie", page, {"Accept": "text/html", "Cookie": "csrftoken=" + "k" * 32}))
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
            # As a browser: the cookie it was given comes back (the page's form token is for that CSRF cookie).
            cookie = (answer.getheader("Set-Cookie") or "").split(";", 1)[0]
            if etag:
                connection.request("GET", path, headers={**headers, "If-None-Match": etag,
                                                         **({"Cookie": cookie} if cookie else {})})
                again = connection.getresponse()
                again.read()
                status = again.status
            conditional[label] = status
        for label, path, headers in targets:
            # Untimed warm-up: each process has imported and loaded what this address needs before the clock runs.
            stack.wrk(base + path, connections=args.connections, seconds=3, headers=headers)
            results[label] = stack.wrk_with_cpu(running, env["DATABASE_URL"], base + path,
                                                connections=args.connections, seconds=args.seconds, headers=headers)

    floor = results["/healthz"]
    print(f"wrk, {args.connections} connections, {args.seconds} s each, web {args.web_workers}x{args.web_threads}, "
          f"production settings; {os.cpu_count()} CPU(s)")
    print(f"{'':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'non-2xx':>8} {'/healthz rps':>13} "
          f"{'p99 ratio':>10} {'web CPU ms':>10} {'db CPU ms':>9}  load")
    for label, r in results.items():
        print(f"{label:14} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:7d} {r['non_2xx']:8d} "
              f"{r['rps'] / floor['rps']:13.2f} {r['p99'] / floor['p99']:10.2f} {r['web_cpu_ms']:10.2f} "
              f"{r['db_cpu_ms']:9.2f}  {r['load']}")
    print("If-None-Match with the ETag just served: " +
          ", ".join(f"{label} -> {status or 'no ETag'}" for label, status in conditional.items()))
    for label in ("page (HTML)", "JSON"):
        r = results[label]
        ok = (r["rps"] >= floor["rps"] / 2 and r["p99"] <= 2 * floor["p99"] and not r["errors"] and not r["non_2xx"])
        print(f"public_page: {label.split()[0].lower()} rps_ratio={r['rps'] / floor['rps']:.2f} "
              f"p99_ratio={r['p99'] / floor['p99']:.2f} errors={r['errors'] + r['non_2xx']} "
              f"target={'met' if ok else 'missed'}")


if __name__ == "__main__":
    main()
