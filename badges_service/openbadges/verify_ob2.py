"""Verification of an Open Badges 2.0 assertion, hosted or signed, as the same report of named checks as 3.0.

OB 2.0 §"Verification" and the 1EdTech validator's steps, mapped onto ``verify.CHECK_ORDER``:

* ``json`` / ``context`` / ``type`` / ``schema``: a JSON object with the OB 2.0 context, read through it
  (``ob2_jsonld.compact``: ``verify`` is ``verification``, ``hosted`` is ``HostedBadge``, ...), ``type``
  Assertion and the required properties (``id``, ``recipient``, ``badge``, ``verification``, ``issuedOn``).
* ``key``: who vouches for it. Hosted: the assertion's ``id`` is on the issuer's origin, or allowed by the
  issuer Profile's own VerificationObject (``allowedOrigins``, ``startsWith``); never by the assertion's.
  Signed: the ``verification.creator`` CryptographicKey is owned by the BadgeClass's issuer.
* ``proof``: hosted, the copy the issuer hosts at ``id`` is this assertion (a presented copy that differs
  is "altered", with the differing properties named; the hosted original is what the summary then shows);
  signed, the RS256 JWS.
* ``validity``: ``issuedOn`` and ``expires``.
* ``status``: the hosted copy's ``revoked`` (or its URL answering 410 Gone), or the issuer's RevocationList.
* ``recipient`` (only when an email is given): OB 2.0 IdentityObject, ``sha256$``/``md5$`` of the email
  and ``salt``, or the email itself when not hashed.

Every document (the assertion, and each one fetched) is compacted against the bundled OB 2.0 context
before it is read. ``Report.documents`` keeps the compacted assertion, BadgeClass and issuer Profile.

Documents (hosted assertion, BadgeClass, Profile, CryptographicKey, RevocationList) come from ``fetch``,
passed in by the caller; nothing here touches the network. Reading the assertion is ``ob2_reading``'s, the
hosted and signed ``key``/``proof`` checks are ``ob2_hosted``'s and ``ob2_signed``'s; this module runs the
checks in the report's order and adds ``validity``, ``status`` and ``recipient``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from . import contexts, ob2_jsonld
from .errors import OpenBadgesError
from .ob2_hosted import check_hosted
from .ob2_reading import Fetch, parse, recipient_matches, schema_errors, summarise, verification_method
from .ob2_signed import KeyRevokedAfter, check_signed
from .report import FAILED, PASSED, SKIPPED, Check, Report, ReportBuilder, as_list, id_of, parse_datetime

StatusChecker = Callable[[dict, str | None], Check | None]  # (assertion, compact JWS or None)


def verify_assertion(raw: dict | str, *, fetch: Fetch, max_bytes: int, now: datetime | None = None,
                     check_status: StatusChecker | None = None,
                     key_revoked_after: KeyRevokedAfter | None = None,
                     recipient_email: str | None = None) -> Report:
    """Verify an OB 2.0 assertion (a parsed JSON object, or a compact JWS). Never raises for bad input.

    ``recipient_email``: also check that the assertion was issued to this email (the ``recipient`` check)."""
    now = now or datetime.now(UTC)
    run = ReportBuilder()
    try:
        assertion, token = parse(raw, max_bytes=max_bytes)
    except OpenBadgesError as exc:
        run.add("json", FAILED, exc.code, str(exc))
        return run.skip_rest("The input is not an Open Badges 2.0 assertion.")
    signed = token is not None
    run.report.summary = summarise(assertion, signed=signed)
    run.report.documents = {"credential": assertion}
    if isinstance(assertion.get("badge"), dict):
        run.report.documents["achievement"] = assertion["badge"]
    run.add("json", PASSED, "ok", "A signed assertion (compact JWS) with a JSON payload." if signed
            else "The assertion is a JSON object.")

    ctx = assertion.get("@context")
    if not all(isinstance(c, str) for c in as_list(ctx)) or contexts.OB_V2 not in as_list(ctx):
        run.add("context", FAILED, "bad_context", f"@context must be {contexts.OB_V2}.")
        return run.skip_rest("The JSON-LD context is not acceptable.")
    unknown = [c for c in as_list(ctx) if not contexts.is_bundled(c)]
    if unknown:
        run.add("context", FAILED, "unknown_context", f"@context {unknown[0]!r} is not a known context.")
        return run.skip_rest("The JSON-LD context is not acceptable.")
    try:
        assertion = ob2_jsonld.compact(assertion)
    except OpenBadgesError as exc:
        run.add("context", FAILED, exc.code, str(exc))
        return run.skip_rest("The document cannot be read under the Open Badges 2.0 context.")
    run.report.summary = summarise(assertion, signed=signed)
    run.report.documents["assertion"] = assertion
    run.add("context", PASSED, "ok", "The Open Badges 2.0 context (bundled); read through it.")

    if "Assertion" not in as_list(assertion.get("type")):
        run.add("type", FAILED, "bad_type", "type must be Assertion.")
        return run.skip_rest("Not an Open Badges 2.0 assertion.")
    run.add("type", PASSED, "ok", "An Open Badges 2.0 assertion.")

    errors = schema_errors(assertion)
    method = verification_method(assertion.get("verification"))
    if method == "signed" and not signed:
        errors.append("verification.type: SignedBadge, but the assertion was not given as a JWS")
    if method == "hosted" and signed:
        errors.append("verification.type: HostedBadge, but the assertion was given as a JWS")
    if errors:
        run.add("schema", FAILED, "schema_invalid", "; ".join(errors[:20]))
    else:
        run.add("schema", PASSED, "ok", "Has the properties Open Badges 2.0 requires.")
    read = _compacting(fetch)
    if errors or method is None:
        run.add("key", SKIPPED, "skipped", "The assertion is not well formed.")
        run.add("proof", FAILED, "schema_invalid", "Not checked: the assertion is not well formed.")
        _validity(run, assertion, now)
        run.add("status", SKIPPED, "skipped", "The assertion is not well formed.")
    else:
        hosted_copy = _key_and_proof(run, assertion, token, read, key_revoked_after)
        current = hosted_copy if hosted_copy is not None and "Assertion" in as_list(hosted_copy.get("type")) \
            else assertion
        _validity(run, current, now)
        _status(run, current, token, read, check_status, hosted_copy)
    if recipient_email is not None:
        _recipient(run, run.report.documents.get("assertion", assertion), recipient_email)
    return run.report


def _compacting(fetch: Fetch) -> Fetch:
    """``fetch``, each document read through the OB 2.0 context; each URL fetched once per verification."""
    seen: dict[str, dict] = {}

    def read(url: str) -> dict:
        if url not in seen:
            seen[url] = ob2_jsonld.compact(fetch(url), inject_context=True)
        return seen[url]
    return read


def _recipient(run: ReportBuilder, assertion: dict, email: str) -> None:
    recipient = assertion.get("recipient")
    if isinstance(recipient, dict) and recipient_matches(recipient, email):
        run.add("recipient", PASSED, "ok", "Issued to the email given.")
    else:
        run.add("recipient", FAILED, "recipient_mismatch", "Not issued to the email given.")


def _key_and_proof(run: ReportBuilder, assertion: dict, token: str | None, fetch: Fetch,
                   key_revoked_after: KeyRevokedAfter | None) -> dict | None:
    try:
        badge = assertion["badge"] if isinstance(assertion["badge"], dict) else fetch(assertion["badge"])
        issuer_ref = badge.get("issuer")
        issuer = issuer_ref if isinstance(issuer_ref, dict) else fetch(issuer_ref)
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, f"The BadgeClass or its issuer cannot be had: {exc}")
        run.add("proof", SKIPPED, "skipped", "The issuer is unknown, so the assertion was not checked "
                "(this does not mean it is forged).")
        return None
    run.report.summary = summarise(assertion, badge, issuer, signed=token is not None)
    run.report.documents.update(achievement=badge, issuer=issuer)
    issuer_id = id_of(issuer) or id_of(issuer_ref)
    if token is None:
        return check_hosted(run, assertion, issuer, issuer_id, fetch)
    check_signed(run, assertion, token, issuer, issuer_id, fetch, key_revoked_after)
    return None


def _validity(run: ReportBuilder, assertion: dict, now: datetime) -> None:
    issued, expires = parse_datetime(assertion.get("issuedOn")), parse_datetime(assertion.get("expires"))
    if issued is None or ("expires" in assertion and expires is None):
        run.add("validity", FAILED, "bad_date", "issuedOn/expires must be dates with a time zone.")
    elif issued > now:
        run.add("validity", FAILED, "not_yet_valid", f"Issued on {assertion['issuedOn']}, in the future.")
    elif expires and expires <= now:
        run.add("validity", FAILED, "expired", f"Expired on {assertion['expires']}.")
    else:
        run.add("validity", PASSED, "ok", "Within its validity period.")


def _status(run: ReportBuilder, assertion: dict, token: str | None, fetch: Fetch, check_status: StatusChecker | None,
            hosted: dict | None) -> None:
    if check_status is not None:
        check = check_status(assertion, token)
        if check is not None:
            run.report.checks.append(check)
            return
    if hosted and hosted.get("revoked") is True:
        reason = hosted.get("revocationReason")
        run.add("status", FAILED, "revoked", "Revoked by its issuer" + (f": {reason}" if reason else "."))
        return
    try:
        badge = assertion["badge"] if isinstance(assertion["badge"], dict) else fetch(assertion["badge"])
        issuer = badge["issuer"] if isinstance(badge["issuer"], dict) else fetch(badge["issuer"])
        url = issuer.get("revocationList")
        if not isinstance(url, str):
            run.add("status", PASSED if hosted else SKIPPED, "ok" if hosted else "no_status",
                    "Hosted and not revoked." if hosted else "The issuer publishes no revocation list.")
            return
        revocations = fetch(url)
    except OpenBadgesError as exc:
        run.add("status", SKIPPED, "status_unchecked", f"The revocation list cannot be had: {exc}")
        return
    for item in as_list(revocations.get("revokedAssertions")):
        if id_of(item) == assertion.get("id"):
            reason = item.get("revocationReason") if isinstance(item, dict) else None
            run.add("status", FAILED, "revoked", "Revoked by its issuer" + (f": {reason}" if reason else "."))
            return
    run.add("status", PASSED, "ok", "Not on the issuer's revocation list.")
