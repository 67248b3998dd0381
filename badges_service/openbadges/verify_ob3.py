"""Verification of an Open Badges 3.0 credential as a report of named checks.

Each check is a separate step: parse -> context -> type -> schema -> key -> proof -> validity -> status.
A failed structural step skips the steps that depend on it, so a report always lists every check
and says why one did not run. Key resolution and credential status are passed in by the caller
(the service knows its own issuers and status lists); nothing here touches the network.
The key, proof and validity steps are public (``check_key_and_proof``, ``check_signing_key``,
``check_validity``): presentations, CLRs and VC-JWTs (``presentations``, ``vc_jwt``) report them the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from . import contexts
from .eddsa_rdfc_2022 import proof_inspect, proof_verify, proofs_of
from .errors import OpenBadgesError
from .report import (
    ASSERTION_METHOD,
    FAILED,
    KEY_UNRESOLVED,
    OB_CONTEXT_PREFIX,
    OB_TYPES,
    PASSED,
    SKIPPED,
    KeyResolver,
    Report,
    ReportBuilder,
    SignerKey,
    StatusChecker,
    as_list,
    issuer_id_of,
    parse_datetime,
    summarise,
)


def check_context(document: dict) -> tuple[str, str]:
    ctx = document.get("@context")
    if not isinstance(ctx, list) or not ctx:
        return "missing_context", "@context must be a non-empty list."
    if ctx[0] not in (contexts.VC_V2, contexts.VC_V1):
        return "bad_context", f"The first @context must be {contexts.VC_V2} (or the VC 1.1 context)."
    for item in ctx:
        if not isinstance(item, str):
            return "inline_context", "Inline @context objects are not accepted in credentials."
        if not contexts.is_bundled(item):
            return "unknown_context", f"@context {item!r} is not a known context; remote contexts are not loaded."
    if not any(item.startswith(OB_CONTEXT_PREFIX) and "extensions" not in item for item in ctx):
        return "missing_ob_context", "No Open Badges 3.0 context in @context."
    return "", ""


def verify_credential(document: dict, *, resolve_key: KeyResolver, now: datetime | None = None,
                      check_status: StatusChecker | None = None,
                      schema_errors: Callable[[dict], list[str]] | None = None,
                      key_and_proof: Callable[[ReportBuilder, dict], None] | None = None) -> Report:
    """Verify ``document`` (already parsed). Never raises for bad input: problems become failed checks.

    ``key_and_proof`` replaces the embedded Data Integrity proof check (the ``key`` and ``proof`` steps) for
    credentials secured otherwise, e.g. as a VC-JWT (``vc_jwt``); it must add both checks."""
    now = now or datetime.now(UTC)
    run = ReportBuilder()
    run.report.summary = summarise(document)
    run.report.documents = {"credential": document}
    run.add("json", PASSED, "ok", "The document is a JSON object.")

    code, message = check_context(document)
    if code:
        run.add("context", FAILED, code, message)
        return run.skip_rest("The JSON-LD context is not acceptable.")
    run.add("context", PASSED, "ok", "Known, bundled JSON-LD contexts.")

    types = as_list(document.get("type"))
    if "VerifiableCredential" not in types or not OB_TYPES & set(types):
        run.add("type", FAILED, "bad_type", "type must include VerifiableCredential and OpenBadgeCredential.")
        return run.skip_rest("Not an Open Badges credential.")
    run.add("type", PASSED, "ok", "An Open Badges 3.0 credential.")

    errors = schema_errors(document) if schema_errors else []
    if errors:
        run.add("schema", FAILED, "schema_invalid", "; ".join(errors))
    else:
        run.add("schema", PASSED if schema_errors else SKIPPED, "ok" if schema_errors else "skipped",
                "Conforms to the Open Badges 3.0 data model." if schema_errors else "No schema given.")

    if key_and_proof is None:
        check_key_and_proof(run, document, resolve_key=resolve_key, controller_id=issuer_id_of(document))
    else:
        key_and_proof(run, document)
    check_validity(run, document, now)
    status = check_status(document) if check_status else None
    if status is None:
        run.add("status", SKIPPED, "no_status", "The credential declares no status to check.")
    else:
        run.report.checks.append(status)
    return run.report


def check_signing_key(run: ReportBuilder, key: SignerKey, *, controller_id: str | None, signed_at: datetime | None,
                      key_label: str | None, signer: str = "the issuer",
                      mismatch_code: str = "issuer_mismatch") -> bool:
    """The ``key`` check of a resolved key: controlled by the signer, and not revoked when the signature was made
    (an unknown signing time counts as after a revocation). On failure the ``proof`` check is added as skipped
    and False returned; on success the caller checks the signature and adds ``proof``."""
    if key.controller != controller_id:
        run.add("key", FAILED, mismatch_code,
                f"The key is controlled by {key.controller!r}, not by {signer} {controller_id!r}.")
        run.add("proof", SKIPPED, "skipped", f"The key does not belong to {signer}.")
        return False
    if key.revoked_after and (signed_at is None or signed_at > key.revoked_after):
        run.add("key", FAILED, "key_revoked",
                f"The signing key was revoked: signatures made after {key.revoked_after.isoformat()} are refused.")
        run.add("proof", SKIPPED, "skipped", "The key is revoked.")
        return False
    run.add("key", PASSED, "ok", f"Key {key_label} belongs to {signer}.")
    return True


def check_key_and_proof(run: ReportBuilder, document: dict, *, resolve_key: KeyResolver, controller_id: str | None,
                        purpose: str = ASSERTION_METHOD, challenge: str | None = None, domain: str | None = None,
                        signer: str = "the issuer", mismatch_code: str = "issuer_mismatch") -> None:
    """The ``key`` and ``proof`` checks of a document secured by one embedded Data Integrity proof, made for
    ``purpose`` by a key that ``controller_id`` controls (and, when given, for ``challenge`` and ``domain``)."""
    try:
        proofs = proofs_of(document)
        if len(proofs) != 1:
            raise OpenBadgesError("Exactly one proof is expected.", code="multiple_proofs")
        proof = proofs[0]
        info = proof_inspect(proof)
    except OpenBadgesError as exc:
        run.add("key", SKIPPED, "skipped", "No usable proof.")
        run.add("proof", FAILED, exc.code, str(exc))
        return
    if info.proof_purpose != purpose:
        run.add("key", SKIPPED, "skipped", "Wrong proof purpose.")
        run.add("proof", FAILED, "wrong_purpose", f"proofPurpose must be {purpose}.")
        return
    # VC Data Integrity §4.2 (verify proof), steps on challenge and domain: they must match what was asked.
    if challenge is not None and proof.get("challenge") != challenge:
        run.add("key", SKIPPED, "skipped", "Wrong challenge.")
        run.add("proof", FAILED, "wrong_challenge", "The proof's challenge is not the one expected.")
        return
    if domain is not None and proof.get("domain") != domain:
        run.add("key", SKIPPED, "skipped", "Wrong domain.")
        run.add("proof", FAILED, "wrong_domain", "The proof's domain is not the one expected.")
        return
    try:
        key = resolve_key(info.verification_method)
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, str(exc))
        run.add("proof", SKIPPED, "skipped", KEY_UNRESOLVED)
        return
    if not check_signing_key(run, key, controller_id=controller_id, signed_at=parse_datetime(info.created),
                             key_label=info.verification_method, signer=signer, mismatch_code=mismatch_code):
        return
    try:
        proof_verify(document, proof, public_key=key.public_key)
    except OpenBadgesError as exc:
        run.add("proof", FAILED, exc.code, str(exc))
        return
    run.add("proof", PASSED, "ok", f"Valid {info.cryptosuite or info.type} signature.")


def check_validity(run: ReportBuilder, document: dict, now: datetime, *, start_required: bool = False) -> None:
    """The ``validity`` check: ``validFrom``/``validUntil`` (VC 1.1: ``issuanceDate``/``expirationDate``) are dates
    with a time zone and ``now`` lies between them; ``start_required`` when the start must be given."""
    start_raw = document.get("validFrom", document.get("issuanceDate"))
    end_raw = document.get("validUntil", document.get("expirationDate"))
    start, end = parse_datetime(start_raw), parse_datetime(end_raw)
    if ((start_raw is not None or start_required) and start is None) or (end_raw is not None and end is None):
        run.add("validity", FAILED, "bad_date", "validFrom/validUntil must be dates with a time zone.")
    elif start and start > now:
        run.add("validity", FAILED, "not_yet_valid", f"Valid from {start_raw}.")
    elif end and end <= now:
        run.add("validity", FAILED, "expired", f"Expired on {end_raw}.")
    else:
        run.add("validity", PASSED, "ok", "Within its validity period.")
