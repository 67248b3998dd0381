"""Documents that carry several credentials at once: a Verifiable Presentation (VC Data Model 2.0 §4.13) and a
1EdTech Comprehensive Learner Record 2.0 ``ClrCredential``, and their verification as reports of named checks.

Pure: no Django. Signing and key resolution are passed in by the caller, as for single credentials
(``verify.py``). The embedded credentials are kept exactly as issued, so each one still verifies on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from . import contexts
from .eddsa_rdfc_2022 import format_datetime
from .report import (
    ASSERTION_METHOD,
    FAILED,
    PASSED,
    SKIPPED,
    KeyResolver,
    Report,
    ReportBuilder,
    as_list,
    id_of,
    issuer_id_of,
)
from .verify_ob3 import check_key_and_proof, check_validity

AUTHENTICATION = "authentication"
SIGNER_MISMATCH = "signer_mismatch"
CLR_CONTEXTS = [contexts.VC_V2, contexts.CLR_V2, contexts.OB_V3]

CredentialVerifier = Callable[[dict], Report]


def verifiable_presentation(*, presentation_id: str, holder: str, credentials: Sequence[dict]) -> dict:
    """An unsigned ``VerifiablePresentation`` embedding ``credentials`` as issued."""
    return {
        "@context": [contexts.VC_V2],
        "id": presentation_id,
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": list(credentials),
    }


def clr_credential(*, credential_id: str, issuer: dict, name: str, valid_from: datetime, credentials: Sequence[dict],
                   identity: dict | None = None, description: str = "") -> dict:
    """An unsigned CLR 2.0 ``ClrCredential`` (CLR 2.0 §B.1.2): its ``ClrSubject`` lists the credentials and the
    achievements they attest (each achievement once)."""
    achievements: dict[str, dict] = {}
    for credential in credentials:
        achievement = (credential.get("credentialSubject") or {}).get("achievement")
        if isinstance(achievement, dict) and achievement.get("id") not in achievements:
            achievements[achievement.get("id")] = achievement
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if identity:
        subject["identifier"] = [identity]
    subject["achievement"] = list(achievements.values())
    subject["verifiableCredential"] = list(credentials)
    document: dict[str, Any] = {
        "@context": list(CLR_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "name": name,
    }
    if description:
        document["description"] = description
    document["validFrom"] = format_datetime(valid_from)
    document["credentialSubject"] = subject
    return document


def embedded_credentials(document: dict) -> list:
    """The credentials a presentation or a ClrCredential carries ([] when the shape is wrong)."""
    if "ClrCredential" in as_list(document.get("type")):
        subject = document.get("credentialSubject")
        return as_list(subject.get("verifiableCredential")) if isinstance(subject, dict) else []
    return as_list(document.get("verifiableCredential"))


def _check_contexts(document: dict, required: Sequence[str]) -> str:
    ctx = document.get("@context")
    if not isinstance(ctx, list) or not ctx or ctx[0] != contexts.VC_V2:
        return f"@context must be a list starting with {contexts.VC_V2}."
    for item in ctx:
        if not isinstance(item, str) or not contexts.is_bundled(item):
            return f"@context {item!r} is not a known, bundled context."
    missing = [url for url in required if url not in ctx]
    return f"@context lacks {', '.join(missing)}." if missing else ""


def _check_embedded(run: ReportBuilder, document: dict, verify_credential: CredentialVerifier) -> list[dict]:
    reports = []
    for item in embedded_credentials(document):
        report = verify_credential(item) if isinstance(item, dict) else None
        reports.append({"id": item.get("id") if isinstance(item, dict) else None,
                        "valid": bool(report and report.valid),
                        "status": report.status if report else "invalid"})
    bad = [r for r in reports if not r["valid"]]
    if not reports:
        run.add("credentials", FAILED, "no_credentials", "No credential is embedded.")
    elif bad:
        run.add("credentials", FAILED, "credential_invalid",
                f"{len(bad)} of {len(reports)} embedded credentials do not verify: "
                + ", ".join(f"{r['id']} ({r['status']})" for r in bad))
    else:
        run.add("credentials", PASSED, "ok", f"All {len(reports)} embedded credentials verify.")
    return reports


def verify_presentation(document: Any, *, resolve_key: KeyResolver, verify_credential: CredentialVerifier,
                        challenge: str | None = None, domain: str | None = None) -> Report:
    """A presentation signed by its holder (``authentication``), and every credential it carries."""
    run = ReportBuilder()
    if not isinstance(document, dict):
        run.add("json", FAILED, "not_object", "The presentation is not a JSON object.")
        return run.skip_rest("Not a presentation.")
    run.report.summary = {"id": document.get("id"), "holder": document.get("holder"), "format": "vp"}
    run.add("json", PASSED, "ok", "The document is a JSON object.")
    problem = _check_contexts(document, [])
    if problem:
        run.add("context", FAILED, "bad_context", problem)
        return run.skip_rest("The JSON-LD context is not acceptable.")
    run.add("context", PASSED, "ok", "Known, bundled JSON-LD contexts.")
    if "VerifiablePresentation" not in as_list(document.get("type")):
        run.add("type", FAILED, "bad_type", "type must include VerifiablePresentation.")
        return run.skip_rest("Not a presentation.")
    run.add("type", PASSED, "ok", "A Verifiable Presentation.")
    check_key_and_proof(run, document, resolve_key=resolve_key, controller_id=id_of(document.get("holder")),
                        purpose=AUTHENTICATION, challenge=challenge, domain=domain, signer="the holder",
                        mismatch_code=SIGNER_MISMATCH)
    run.add("validity", SKIPPED, "no_validity", "A presentation has no validity period of its own.")
    run.report.summary["credentials"] = _check_embedded(run, document, verify_credential)
    run.add("status", SKIPPED, "no_status", "The embedded credentials' statuses are checked with them.")
    return run.report


def verify_clr(document: Any, *, resolve_key: KeyResolver, verify_credential: CredentialVerifier,
               now: datetime | None = None) -> Report:
    """A ``ClrCredential`` signed by its issuer (``assertionMethod``), and every credential it carries."""
    now = now or datetime.now(UTC)
    run = ReportBuilder()
    if not isinstance(document, dict):
        run.add("json", FAILED, "not_object", "The document is not a JSON object.")
        return run.skip_rest("Not a ClrCredential.")
    run.report.summary = {"id": document.get("id"), "issuer": issuer_id_of(document), "format": "clr"}
    run.add("json", PASSED, "ok", "The document is a JSON object.")
    problem = _check_contexts(document, [contexts.CLR_V2])
    if problem:
        run.add("context", FAILED, "bad_context", problem)
        return run.skip_rest("The JSON-LD context is not acceptable.")
    run.add("context", PASSED, "ok", "Known, bundled JSON-LD contexts.")
    types = as_list(document.get("type"))
    if "VerifiableCredential" not in types or "ClrCredential" not in types:
        run.add("type", FAILED, "bad_type", "type must include VerifiableCredential and ClrCredential.")
        return run.skip_rest("Not a ClrCredential.")
    run.add("type", PASSED, "ok", "A CLR 2.0 ClrCredential.")
    check_key_and_proof(run, document, resolve_key=resolve_key, controller_id=issuer_id_of(document),
                        purpose=ASSERTION_METHOD, mismatch_code=SIGNER_MISMATCH)
    # CLR 2.0 §B.1.2: a ClrCredential's validFrom is required.
    check_validity(run, document, now, start_required=True)
    run.report.summary["credentials"] = _check_embedded(run, document, verify_credential)
    run.add("status", SKIPPED, "no_status", "The embedded credentials' statuses are checked with them.")
    return run.report
