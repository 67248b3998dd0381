"""Run the Digital Bazaar interop scripts under ``interop/`` from Python tests and benchmarks.

Each call starts one ``node`` process that reads a JSON payload on stdin and prints one JSON object; the
scripts never touch the network (their document loader refuses unknown URLs). Standard library only, so it
works without Django.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

INTEROP_DIR = Path(__file__).resolve().parents[2] / "interop"
NODE = os.environ.get("NODE_BINARY", "node")
TIMEOUT_S = 120


class NodeScriptError(RuntimeError):
    """A script exited non-zero or printed something that is not JSON."""


def node_available() -> bool:
    """True when a node binary is on PATH and ``interop/node_modules`` has been installed."""
    installed = (INTEROP_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir()
    return installed and shutil.which(NODE) is not None


def run_node(script: str, payload: dict, *args: str) -> dict:
    """Run ``node interop/<script> [args]`` with ``payload`` as JSON on stdin; return its JSON output."""
    cmd = [NODE, str(INTEROP_DIR / script), *args]
    try:
        proc = subprocess.run(
            cmd,
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            cwd=INTEROP_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeScriptError(f"{script} timed out after {TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        raise NodeScriptError(f"{script} exited with {proc.returncode}:\n{proc.stderr.strip()}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise NodeScriptError(f"{script} printed non-JSON output: {proc.stdout[:500]!r}") from exc


def dbz_verify(credentials: list[dict], documents: dict | None = None, now: str | None = None) -> list[dict]:
    """Verify credentials with Digital Bazaar's verifier in one process.

    Returns one ``{"verified": bool, "error": str | None, "status": list | None}`` per credential, in order.
    ``documents`` maps URL -> JSON document (controller/DID documents, status list credentials); did:key
    is resolved locally. ``now`` (ISO 8601) overrides the clock for validFrom/validUntil checks.
    """
    payload: dict = {"credentials": credentials, "documents": documents or {}}
    if now is not None:
        payload["now"] = now
    return run_node("verify.mjs", payload)["results"]


def dbz_sign(credential: dict, seed_hex: str | None = None, suite: str | None = None) -> dict:
    """Sign with Digital Bazaar under a did:key issuer (seeded if ``seed_hex``, 32 bytes hex).

    ``suite`` is ``None``/``"eddsa-rdfc-2022"`` (DataIntegrityProof) or ``"Ed25519Signature2020"``.
    Returns ``{"credential": <signed>, "didDocument": <did:key document>}``.
    """
    payload: dict = {"credential": credential}
    if seed_hex is not None:
        payload["seed"] = seed_hex
    args = ("--suite", suite) if suite else ()
    return run_node("sign.mjs", payload, *args)


def dbz_bench(credential: dict, iterations: int = 100) -> dict:
    """Time Digital Bazaar issuing and verifying ``credential`` (ms per credential, warm process)."""
    return run_node("bench.mjs", {"credential": credential, "iterations": iterations})
