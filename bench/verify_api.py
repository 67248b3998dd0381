"""The verification API under load: ``POST /api/v1/verify`` with one of this service's credentials (every
check, the status list included), 50 concurrent connections (wrk), on the production stack (bench/stack.py),
next to Digital Bazaar's ``verifyCredential`` on the same credential with the same documents (its DID
document and signed status list), in one Node process, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/verify_api.py [--seconds 20] [--connections 50] [--web-workers 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    args = parser.parse_args()
    port, env = stack.django_on_fresh_database("verify_api", "verify")
    from django.db import connections

    from bench.http_fixture import public_credential
    from tests.interop.documents import verifier_documents
    from tests.interop.node import node_available, run_node

    credential, issuer = public_credential()
    document = json.loads(credential.document)
    documents = verifier_documents(issuer)
    connections.close_all()
    if not node_available():
        sys.exit("node or interop/node_modules missing: run `make interop`.")

    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as body:
        body.write(credential.document.encode("utf-8"))
    try:
        running = stack.Stack(env, web_workers=args.web_workers, web_threads=args.web_threads, log_name="verify-api")
        with running:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/api/v1/verify", body=credential.document.encode(),
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            report = json.loads(answer.read())
            checks = {c["name"]: c["result"] for c in report.get("checks", [])}
            if answer.status != 200 or not report.get("valid") or checks.get("status") != "passed":
                sys.exit(f"The API does not verify the credential: {answer.status} {report}")
            ours = stack.wrk_with_cpu(running, env["DATABASE_URL"], f"http://127.0.0.1:{port}/api/v1/verify",
                                      connections=args.connections, seconds=args.seconds, body_file=Path(body.name))
            load_ours = ours["load"]
        theirs = run_node("bench_verify.mjs", {"credential": document, "documents": documents,
                                                "seconds": args.seconds})
        load_theirs = stack.load()
    finally:
        os.unlink(body.name)

    print(f"POST /api/v1/verify, one credential of ours (checks: {', '.join(checks)}), {args.connections} "
          f"connections for {args.seconds} s, web {args.web_workers}x{args.web_threads}; {os.cpu_count()} CPU(s)")
    print(f"  ours: {ours['rps']:.0f} verifications/s, p50 {ours['p50']:.1f} ms, p99 {ours['p99']:.1f} ms, "
          f"{ours['requests']} requests, errors {ours['errors']} (time-outs {ours['timeouts']}), "
          f"non-2xx {ours['non_2xx']}; CPU per verification: web {ours['web_cpu_ms']:.2f} ms, PostgreSQL "
          f"{ours['db_cpu_ms']:.2f} ms; {load_ours}")
    print(f"  Digital Bazaar verifyCredential (Node {theirs['node']}, one process, same credential and documents): "
          f"{theirs['verifications_per_s']:.0f} verifications/s; {load_theirs}")
    print(f"verify_api: rps={ours['rps']:.0f} p99_ms={ours['p99']:.1f} errors={ours['errors'] + ours['non_2xx']} "
          f"peer_rps={theirs['verifications_per_s']:.0f} ours/peer={ours['rps'] / theirs['verifications_per_s']:.2f}")


if __name__ == "__main__":
    main()
