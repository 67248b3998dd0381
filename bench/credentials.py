"""Issue and verify one Open Badges 3.0 credential: this service's Python core against Digital Bazaar (Node).

Both sides sign the same credential with the same Ed25519 key and proof date, so the signed documents must
be identical (Ed25519 is deterministic): the script checks that before printing any number.

    .venv/bin/python bench/credentials.py [--iterations 50] [--repeats 5] [--no-django]

See bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from badges_service.openbadges import did_key, eddsa_rdfc_2022, ob3, rdfc  # noqa: E402
from badges_service.openbadges.report import ResolvedKey  # noqa: E402
from badges_service.openbadges.schema import schema_errors  # noqa: E402
from badges_service.openbadges.verify_ob3 import verify_credential  # noqa: E402
from tests.interop.node import node_available, run_node  # noqa: E402

WARMUP = 5
CREATED = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
BASE = "https://badges.example.test"


def unsigned_credential(issuer_id: str, n: int = 0) -> dict:
    """A credential shaped like ``credential_issue``'s: profile, achievement with creator, hashed email.
    ``n`` > 0 changes what differs between two credentials of a campaign: id, recipient, salt and dates."""
    issuer = ob3.IssuerProfile(
        id=issuer_id, name="Direction des ressources humaines", url="https://www.ville-exemple.fr/drh",
        email="drh@ville-exemple.fr", description="Formation des agent·es de la Ville.",
        image=ob3.Image(f"{BASE}/issuers/drh/image"))
    achievement = ob3.AchievementDefinition(
        id=f"{BASE}/achievements/accueil-1", name="Accueil des usager·es, niveau 1",
        description="Accueillir, informer et orienter le public avec l'aide d'outils « simples ».",
        criteria_narrative="Suivre le module de formation et réussir l'évaluation finale.",
        tags=("accueil", "relation usager"), image=ob3.Image(f"{BASE}/achievements/accueil-1/image", "Accueil"),
        creator=issuer)
    return ob3.open_badge_credential(
        credential_id=f"{BASE}/credentials/7d1c2a8e-3f4b-4c6d-9e0f-112233445566", issuer=issuer,
        achievement=achievement, identity=ob3.email_identity("camille.dupont@ville-exemple.fr", "5a1t" * 8),
        valid_from=CREATED, awarded=CREATED,
        evidence=[ob3.Evidence(name="Évaluation finale", narrative="Réussie le 12 janvier.")]) if n == 0 else \
        ob3.open_badge_credential(
            credential_id=f"{BASE}/credentials/{uuid.UUID(int=n)}", issuer=issuer, achievement=achievement,
            identity=ob3.email_identity(f"agent.{n}@ville-exemple.fr", f"{n:032x}"),
            valid_from=CREATED + timedelta(seconds=n), awarded=CREATED + timedelta(seconds=n),
            evidence=[ob3.Evidence(name="Évaluation finale", narrative=f"Réussie le {n % 28 + 1} janvier.")])


def ms_per_call(fn: Callable[[], object], iterations: int, repeats: int) -> list[float]:
    """Milliseconds per call, one value per repetition, after WARMUP untimed calls."""
    for _ in range(WARMUP):
        fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        runs.append((time.perf_counter() - start) * 1000 / iterations)
    return runs


def django_issue_runs(iterations: int, repeats: int) -> list[float]:
    """``services.credential_issue`` end to end (key decryption, build, sign, INSERT) on a throwaway SQLite."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.test")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from issuers import services
        from issuers.permissions import SYSTEM  # after django.setup(): it imports models

        call_command("migrate", verbosity=0)
        issuer = services.issuer_create(slug="drh", name="Direction des ressources humaines")
        achievement = services.achievement_create(
            issuer=issuer, slug="accueil-1", name="Accueil des usager·es, niveau 1",
            description="Accueillir, informer et orienter le public.", criteria_narrative="Réussir l'évaluation.",
                                                  actor=SYSTEM)
        runs = ms_per_call(lambda: services.credential_issue(
            achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                                             actor=SYSTEM), iterations, repeats)
        connections.close_all()
        return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50, help="calls per timed repetition")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions (the median is reported)")
    parser.add_argument("--no-django", action="store_true", help="skip the credential_issue + SQLite row")
    args = parser.parse_args()
    n, r = args.iterations, args.repeats
    if not node_available():
        sys.exit("node or interop/node_modules missing: run `make interop` (cd interop && npm ci).")

    seed = os.urandom(32)  # a fresh key, shared with the Node side so both sign the same bytes
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    public_key = private_key.public_key().public_bytes_raw()
    did = did_key.did_key_from_public_key(public_key)
    method = did_key.verification_method_id(did)

    def issue() -> dict:
        return eddsa_rdfc_2022.proof_create(unsigned_credential(did), private_key=private_key,
                                            verification_method=method, created=CREATED)

    def resolve(verification_method: str) -> ResolvedKey:
        return ResolvedKey(did_key.public_key_from_did_key(verification_method), verification_method.split("#")[0])

    counter = iter(range(1, 10**9))

    def issue_distinct() -> dict:
        return eddsa_rdfc_2022.proof_create(unsigned_credential(did, next(counter)), private_key=private_key,
                                            verification_method=method, created=CREATED)

    def issue_general() -> dict:
        fast = rdfc.canonicalize
        eddsa_rdfc_2022.canonicalize = rdfc.canonicalize_general
        try:
            return issue()
        finally:
            eddsa_rdfc_2022.canonicalize = fast

    signed = issue()
    if issue_general() != signed:
        sys.exit("the general canonicalisation path signed different bytes")
    report = verify_credential(signed, resolve_key=resolve, schema_errors=schema_errors)
    if not report.valid:
        sys.exit(f"our credential does not verify: {report.as_json()}")

    theirs = run_node("bench.mjs", {"credential": unsigned_credential(did), "iterations": n, "repeats": r,
                                    "seed": seed.hex(), "created": eddsa_rdfc_2022.format_datetime(CREATED)})
    if theirs["signed"] != signed:
        sys.exit("Digital Bazaar signed a different credential; the timings would not compare the same work.")

    rows = [
        ("issue: build + canonicalise + sign", ms_per_call(issue, n, r), theirs["issue_ms_per_credential"]),
        ("issue: a different credential each call", ms_per_call(issue_distinct, n, r),
         theirs["issue_ms_per_credential"]),
        ("issue: general path only (pyld, no templates)", ms_per_call(issue_general, n, r),
         theirs["issue_ms_per_credential"]),
        ("verify: signature only (proof_verify)",
         ms_per_call(lambda: eddsa_rdfc_2022.proof_verify(signed, signed["proof"], public_key=public_key), n, r),
         theirs["verify_ms_per_credential"]),
        ("verify: full report (verify_credential)",
         ms_per_call(lambda: verify_credential(signed, resolve_key=resolve, schema_errors=schema_errors), n, r),
         theirs["verify_ms_per_credential"]),
    ]
    if not args.no_django:
        try:
            rows.append(("issue: services.credential_issue + SQLite", django_issue_runs(n, r), None))
        except Exception as exc:  # optional row: a broken project state must not hide the comparison
            print(f"(services.credential_issue row skipped: {type(exc).__name__}: {exc})\n")

    print(f"Python {platform.python_version()} ({platform.python_implementation()}), Node {theirs['node']}; "
          f"{WARMUP} warm-up calls, then {r} repetitions x {n} calls, median of the repetitions.")
    print("Same credential, key and proof date on both sides: Digital Bazaar's proofValue is identical to ours.\n")
    print(f"{'ms per credential':46} {'ours':>8} {'Digital Bazaar':>15} {'theirs/ours':>12}")
    for label, runs, their_ms in rows:
        ours = statistics.median(runs)
        ratio = f"{their_ms / ours:.2f}" if their_ms is not None else "-"
        their = f"{their_ms:.3f}" if their_ms is not None else "-"
        print(f"{label:46} {ours:8.3f} {their:>15} {ratio:>12}")
    print("\ntheirs/ours > 1: this service is faster. Digital Bazaar's verify is vc.verifyCredential (did:key "
          "resolution, proof, dates), compared with both of our verify rows.")


if __name__ == "__main__":
    main()
