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
passed in by the caller; nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from . import contexts, jws, ob2_jsonld
from .errors import OpenBadgesError
from .report import (
    ALTERED,
    FAILED,
    KEY_UNRESOLVED,
    PASSED,
    SKIPPED,
    Check,
    DocumentGone,
    KeyResolutionError,
    Report,
    ReportBuilder,
    as_list,
    id_of,
    parse_datetime,
)

# URL -> OB 2.0 document; KeyResolutionError when it cannot be had, DocumentGone when it answers 410 Gone
Fetch = Callable[[str], dict]
StatusChecker = Callable[[dict, str | None], Check | None]  # (assertion, compact JWS or None)
KeyRevokedAfter = Callable[[str], datetime | None]
VERIFICATION_TYPES = {"HostedBadge": "hosted", "hosted": "hosted", "SignedBadge": "signed", "signed": "signed"}
LIVE_FIELDS = ("revoked", "revocationReason")  # what a host may add to its copy once revoked


def _origin(url: str | None) -> tuple[str, str | None, int | None] | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port) if parts.scheme in ("http", "https") else None


def _alignments(badge: dict) -> list[dict]:
    return [{k: a.get(k) for k in ("targetName", "targetUrl", "targetCode", "targetFramework") if a.get(k)}
            for a in as_list(badge.get("alignment")) if isinstance(a, dict)]


def summarise(assertion: dict, badge: dict | None = None, issuer: dict | None = None, *, signed: bool) -> dict:
    badge = badge or (assertion.get("badge") if isinstance(assertion.get("badge"), dict) else {})
    issuer = issuer or (badge.get("issuer") if isinstance(badge.get("issuer"), dict) else {})
    return {
        "id": assertion.get("id"),
        "name": badge.get("name"),
        "issuer": {"id": id_of(badge.get("issuer")), "name": issuer.get("name"), "url": id_of(issuer.get("url"))},
        "achievement": {"id": id_of(assertion.get("badge")), "name": badge.get("name"),
                        "description": badge.get("description"), "alignment": _alignments(badge)},
        "validFrom": assertion.get("issuedOn"),
        "validUntil": assertion.get("expires"),
        "format": "ob2-signed" if signed else "ob2-hosted",
    }


def schema_errors(assertion: dict) -> list[str]:
    """The OB 2.0 required properties of an Assertion and of an embedded BadgeClass (compacted documents)."""
    errors = [f"{name}: required property missing" for name in ("id", "recipient", "badge", "verification",
                                                                 "issuedOn") if name not in assertion]
    recipient = assertion.get("recipient")
    if "recipient" in assertion and (not isinstance(recipient, dict) or not isinstance(recipient.get("identity"), str)
                                     or not isinstance(recipient.get("type"), str)):
        errors.append("recipient: must be an IdentityObject with type and identity")
    verification = assertion.get("verification")
    if "verification" in assertion and (not isinstance(verification, dict)
                                        or _method(verification) is None):
        errors.append("verification.type: must be HostedBadge or SignedBadge")
    for name in ("issuedOn", "expires"):
        if name in assertion and parse_datetime(assertion[name]) is None:
            errors.append(f"{name}: not a valid date-time with a time zone")
    if "id" in assertion and not isinstance(assertion["id"], str):
        errors.append("id: must be an IRI")
    badge = assertion.get("badge")
    if isinstance(badge, dict):
        errors += [f"badge.{n}: required property missing" for n in ("name", "description", "image", "criteria",
                                                                       "issuer") if n not in badge]
    elif "badge" in assertion and not isinstance(badge, str):
        errors.append("badge: must be a BadgeClass or its IRI")
    return errors


def _method(verification) -> str | None:
    if not isinstance(verification, dict):
        return None
    kinds = {VERIFICATION_TYPES.get(t) for t in as_list(verification.get("type")) if isinstance(t, str)}
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None


def parse(raw: dict | str, *, max_bytes: int) -> tuple[dict, str | None]:
    """(assertion, compact JWS or None) from a JSON object or a compact JWS whose payload is one."""
    if isinstance(raw, dict):
        return raw, None
    _, assertion = jws.decode_json_object(raw, max_payload_bytes=max_bytes)
    return assertion, raw.strip()


def recipient_matches(recipient: dict, email: str) -> bool:
    """OB 2.0 IdentityObject: ``identity`` is ``<algorithm>$<hex digest of email + salt>`` when ``hashed``
    (sha256 or md5, as the spec allows), else the email itself. Emails compare case-insensitively."""
    identity = recipient.get("identity")
    if not isinstance(identity, str) or not isinstance(email, str):
        return False
    email = email.strip().lower()
    if not recipient.get("hashed"):
        return hmac.compare_digest(identity.strip().lower().encode(), email.encode())
    algorithm, _, digest = identity.partition("$")
    if algorithm.lower() not in ("sha256", "md5"):
        return False
    salt = recipient.get("salt") if isinstance(recipient.get("salt"), str) else ""
    expected = hashlib.new(algorithm.lower(), (email + salt).encode("utf-8")).hexdigest()
    return hmac.compare_digest(expected, digest.strip().lower())


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
    method = _method(assertion.get("verification"))
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
        return _hosted(run, assertion, issuer, issuer_id, fetch)
    _signed(run, assertion, token, issuer, issuer_id, fetch, key_revoked_after)
    return None


def _origin_allowed(assertion_id: str, issuer: dict, issuer_id: str | None) -> bool:
    """OB 2.0 "Hosted verification": without a policy, the assertion's id shares the issuer Profile id's
    origin; the issuer's own VerificationObject may instead list ``allowedOrigins`` (hosts) and ``startsWith``
    (URL prefixes). The assertion's VerificationObject cannot authorise itself."""
    policy = issuer.get("verification") if isinstance(issuer.get("verification"), dict) else {}
    origins = [o for o in as_list(policy.get("allowedOrigins")) if isinstance(o, str)]
    prefixes = [p for p in as_list(policy.get("startsWith")) if isinstance(p, str)]
    parts = urlsplit(assertion_id)
    hosts = {parts.netloc.lower(), (parts.hostname or "").lower()}  # "example.org" or "example.org:8443"
    if origins and not hosts & {o.lower() for o in origins}:
        return False
    if prefixes and not any(assertion_id.startswith(p) for p in prefixes):
        return False
    if origins or prefixes:
        return True
    return _origin(assertion_id) == _origin(issuer_id)


def _hosted(run: ReportBuilder, assertion: dict, issuer: dict, issuer_id: str | None, fetch: Fetch) -> dict | None:
    origin = _origin(assertion["id"])
    if origin is None:
        run.add("key", FAILED, "bad_hosted_id", "A hosted assertion's id must be its HTTP(S) URL.")
        run.add("proof", SKIPPED, "skipped", "No hosted copy to compare with.")
        return None
    if not _origin_allowed(assertion["id"], issuer, issuer_id):
        run.add("key", FAILED, "origin_mismatch",
                f"The assertion is hosted at {origin[1]}, not on its issuer's origin ({issuer_id}).")
        run.add("proof", SKIPPED, "skipped", "The host does not speak for the issuer.")
        return None
    try:
        hosted = fetch(assertion["id"])
    except DocumentGone as exc:  # OB 2.0 "Hosted verification": a revoked assertion's URL answers 410 Gone
        hosted = {"id": assertion["id"], "revoked": True, "revocationReason": exc.reason}
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, f"The hosted assertion cannot be had: {exc}")
        run.add("proof", SKIPPED, "skipped", "The hosted copy was not compared (this does not mean it is forged).")
        return None
    if hosted.get("id") == assertion["id"] and hosted.get("revoked") is True \
            and "Assertion" not in as_list(hosted.get("type")):
        # OB 2.0 "Hosted verification": once revoked, the host may answer only {id, revoked, revocationReason}.
        run.add("key", PASSED, "ok", f"Hosted by its issuer at {assertion['id']}.")
        run.add("proof", PASSED, "ok", "Its issuer answers for this id, as revoked.")
        return hosted
    if hosted.get("id") != assertion["id"] or "Assertion" not in as_list(hosted.get("type")):
        run.add("key", FAILED, "hosted_mismatch", f"{assertion['id']} does not host this assertion.")
        run.add("proof", SKIPPED, "skipped", "No hosted copy to compare with.")
        return None
    run.add("key", PASSED, "ok", f"Hosted by its issuer at {assertion['id']}.")
    changed = ob2_jsonld.differing_fields(assertion, hosted, ignore=LIVE_FIELDS)
    if changed:
        run.add("proof", FAILED, ALTERED, "Altered: this copy differs from the original its issuer hosts in "
                + ", ".join(changed[:20]) + ". The original is shown.")
        try:  # the original's own BadgeClass and issuer, not the presented copy's
            badge = hosted["badge"] if isinstance(hosted.get("badge"), dict) else fetch(hosted["badge"])
            issuer = badge["issuer"] if isinstance(badge.get("issuer"), dict) else fetch(badge["issuer"])
            run.report.documents.update(achievement=badge, issuer=issuer)
        except (OpenBadgesError, KeyError, TypeError):
            badge = issuer = None
        run.report.summary = summarise(hosted, badge, issuer, signed=False)
        run.report.summary["presented_differs_in"] = changed[:20]
        run.report.documents["presented"] = assertion
        run.report.documents["assertion"] = run.report.documents["credential"] = hosted
    else:
        run.add("proof", PASSED, "ok", "Identical to the copy its issuer hosts.")
    return hosted


def _signed(run: ReportBuilder, assertion: dict, token: str, issuer: dict, issuer_id: str | None, fetch: Fetch,
            key_revoked_after: KeyRevokedAfter | None) -> None:
    creator = id_of(assertion["verification"].get("creator"))
    try:
        if not isinstance(creator, str):
            raise KeyResolutionError("verification.creator must be the signing key's URL.", code="no_creator")
        key = fetch(creator)
        if "CryptographicKey" not in as_list(key.get("type")) or not isinstance(key.get("publicKeyPem"), str):
            raise KeyResolutionError(f"{creator} is not a CryptographicKey with a publicKeyPem.", code="bad_key")
        public_key = load_pem_public_key(key["publicKeyPem"].encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        run.add("key", FAILED, "bad_key", f"The key is not a PEM public key: {exc}")
        run.add("proof", SKIPPED, "skipped", "No usable key.")
        return
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, str(exc))
        run.add("proof", SKIPPED, "skipped", KEY_UNRESOLVED)
        return
    if id_of(key.get("owner")) != issuer_id:
        run.add("key", FAILED, "issuer_mismatch", f"The key is owned by {key.get('owner')!r}, not by the issuer "
                f"{issuer_id!r}.")
        run.add("proof", SKIPPED, "skipped", "The key does not belong to the issuer.")
        return
    listed = as_list(issuer.get("publicKey")) if issuer.get("publicKey") else [creator]
    revoked_after = key_revoked_after(creator) if key_revoked_after else None
    issued = parse_datetime(assertion.get("issuedOn"))
    if creator not in [id_of(k) for k in listed] or (revoked_after and (issued is None or issued > revoked_after)):
        run.add("key", FAILED, "key_revoked", f"The issuer no longer lists the key {creator}.")
        run.add("proof", SKIPPED, "skipped", "The key is revoked.")
        return
    run.add("key", PASSED, "ok", f"Key {creator} belongs to the issuer.")
    try:
        jws.verify(token, public_key=public_key, algorithms=(jws.RS256,), max_payload_bytes=len(token))
    except OpenBadgesError as exc:
        run.add("proof", FAILED, exc.code, str(exc))
        return
    run.add("proof", PASSED, "ok", "Valid RS256 signature (JWS).")


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
