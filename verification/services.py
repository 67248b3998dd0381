"""Verification of any credential, ours or foreign: one entry point for the page, the API and the command line.

Accepted input (``credential_verify_raw``), recognised from its bytes: an OB 3.0 credential (JSON, or a
VC-JWT), an OB 2.0 assertion (JSON, or a compact JWS for a signed one), a URL (this service's own credentials
and hosted assertions are resolved locally; any other URL is fetched once, SSRF-safe, by ``remote``), or a
baked PNG or SVG image, whose content is then verified as above. Every answer is the same report of named
checks; input that cannot be read at all gives a report whose ``json`` check failed with a precise code.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings

from badges_service.errors import ApplicationError, PayloadTooLarge
from badges_service.fetch import FetchError
from badges_service.openbadges import baking, jws, presentations, vc_jwt
from badges_service.openbadges import bitstring_status_list as bsl
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.report import (
    FAILED,
    PASSED,
    SKIPPED,
    Check,
    Report,
    ReportBuilder,
    parse_document,
    report_unreadable,
)
from badges_service.openbadges.schema import schema_errors
from badges_service.openbadges.verify_ob2 import verify_assertion
from badges_service.openbadges.verify_ob3 import verify_credential
from issuers import selectors

from . import foreign_status, ob2_documents, own_records, remote
from .key_resolution import resolve_jwt_key, resolve_key

if TYPE_CHECKING:
    from issuers.models import Credential, CredentialCopy, StatusList

DEFAULT_MAX_IMAGE_BYTES = 4 * 1024 * 1024
logger = logging.getLogger(__name__)


def _proof_values(document: dict) -> list:
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p.get("proofValue") if isinstance(p, dict) else None for p in proofs]


def _own_list(url) -> tuple[StatusList, dict | None] | None:
    """The status list of ours published at ``url`` and its signed document (None: not signed yet), or None."""
    prefix = settings.BADGES_PUBLIC_URL + "/issuers/"
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    slug, _, rest = url[len(prefix):].partition("/status/")
    return own_records.status_list(url=url, issuer_slug=slug, public_id=rest)


def _listed_status(document: dict, credential: Credential) -> Check | None:
    """Read the credential's entries in the status lists this service publishes (the signed list itself)."""
    for entry in bsl.entries_of(document):
        own = _own_list(entry.get("statusListCredential"))
        if own is None:
            return Check("status", FAILED, "unknown_status_list",
                         "The credential points at a status list this service does not publish.")
        status_list, published = own
        if published is None:
            selectors.status_list_document(status_list=status_list)  # raises StatusListUnsigned
        try:
            is_set = bsl.entry_status(entry, published, credential_issuer=status_list.controller)
        except OpenBadgesError as exc:
            return Check("status", FAILED, exc.code, str(exc))
        if is_set and entry.get("statusPurpose") == bsl.REVOCATION:
            when = credential.revoked_at.date().isoformat() if credential.revoked_at else "?"
            reason = f": {credential.revocation_reason}" if credential.revocation_reason else ""
            return Check("status", FAILED, "revoked", f"Revoked on {when}{reason} (status list {entry['id']}).")
    return None


def _copy_as_issued(copy: CredentialCopy, document: dict) -> bool:
    """True when ``document`` is the wallet copy as this service signed it (its proof value for ``ldp_vc``; the
    credential its JWT carries for ``jwt_vc_json``, whose signature the caller has checked)."""
    if copy.format == copy.JWT_VC_JSON:
        try:
            stored = vc_jwt.parse(copy.document, max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES).credential
        except OpenBadgesError:
            return False
        return stored == document
    return _proof_values(document) == _proof_values(json.loads(copy.document))


def _copy_status(document: dict, public_id: str) -> Check | None:
    """A copy delivered to a wallet (``urn:uuid:`` id): on record, as issued, and the status of its award. None
    when no copy has this id (a foreign credential's ``urn:uuid``)."""
    copy = selectors.credential_copy_find(public_id=public_id)
    if copy is None:
        return None
    if not _copy_as_issued(copy, document):
        return Check("status", FAILED, "not_as_issued",
                     "This document differs from the credential this service issued under this id.")
    listed = _listed_status(document, copy.credential)
    return listed if listed is not None else ob2_documents.credential_status(copy.credential)


def _status_check(document: dict) -> Check | None:
    """Revocation and suspension as this service publishes them, for credentials it issued (and their copies
    delivered to wallets, which share the award's status entry)."""
    credential_id = document.get("id")
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if isinstance(credential_id, str) and credential_id.startswith("urn:uuid:") and len(credential_id) <= 45:
        copy_check = _copy_status(document, credential_id[len("urn:uuid:"):])
        if copy_check is not None:
            return copy_check
        if any(_own_list(entry.get("statusListCredential")) for entry in bsl.entries_of(document)):
            return Check("status", FAILED, "unknown_credential", "This service has no record of this credential.")
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return foreign_status.status_check(document)
    credential = own_records.credential_record(public_id=credential_id[len(prefix):])
    if credential is None:
        return Check("status", FAILED, "unknown_credential", "This service has no record of this credential.")
    # A valid signature with one of our keys is not enough: a stolen key could sign an altered copy
    # (back-dated before its revocation). What this service issued is on record; anything else is not it.
    if _proof_values(document) != _proof_values(json.loads(credential.document)):
        return Check("status", FAILED, "not_as_issued",
                     "This document differs from the credential this service issued under this id.")
    listed = _listed_status(document, credential)
    if listed is not None:
        return listed
    # Credentials issued before status lists, and suspension (which OB 3.0 credentials cannot carry).
    return ob2_documents.credential_status(credential)


def credential_verify(*, document: dict, now: datetime | None = None) -> Report:
    report = verify_credential(document, resolve_key=resolve_key, now=now, check_status=_status_check,
                               schema_errors=schema_errors)
    report.summary["format"] = "ob3"
    return report


def presentation_verify(*, document, challenge: str | None = None, domain: str | None = None,
                        now: datetime | None = None) -> Report:
    """A Verifiable Presentation (the learner space's export, or another wallet's): its proof (authentication,
    and the expected challenge and domain when given) and each credential inside, verified on its own."""
    return presentations.verify_presentation(
        document, resolve_key=resolve_key, verify_credential=lambda d: credential_verify(document=d, now=now),
        challenge=challenge, domain=domain)


def clr_verify(*, document, now: datetime | None = None) -> Report:
    """A CLR 2.0 ``ClrCredential``: its proof and dates, and each credential inside, verified on its own."""
    return presentations.verify_clr(
        document, resolve_key=resolve_key, verify_credential=lambda d: credential_verify(document=d, now=now),
        now=now)


def credential_jwt_verify(*, token: str, now: datetime | None = None) -> Report:
    """An OB 3.0 credential secured as a VC-JWT (either form, see ``vc_jwt``)."""
    return vc_jwt.verify_vc_jwt(token, resolve_key=resolve_jwt_key, max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES,
                                now=now, check_status=_status_check, schema_errors=schema_errors)


def assertion_verify(*, assertion: dict | str, now: datetime | None = None,
                     recipient_email: str | None = None) -> Report:
    """An OB 2.0 assertion: a JSON object (hosted) or a compact JWS (signed), ours or foreign (its BadgeClass,
    issuer, key, hosted original and revocation list fetched SSRF-safe). ``recipient_email``: also check that
    it was issued to this email."""
    return verify_assertion(assertion, fetch=ob2_documents.fetch, now=now, check_status=ob2_documents.status_check,
                            max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES, recipient_email=recipient_email)


def _not_fetched(url: str) -> Report:
    run = ReportBuilder()
    run.report.summary = {"id": url}
    run.add("json", SKIPPED, "not_fetched", f"{url} is not published by this service; nothing is fetched "
            "from the network. Send the credential itself.")
    run.add("key", FAILED, "key_unresolvable", "The issuer's documents could not be obtained.")
    return run.skip_rest("Not fetched.")


def _names_private_credential(url: str) -> bool:
    """True when ``url`` is (or is under) the URL of one of our credentials that its learner keeps private.
    A URL alone is not a presented document: verifying it would publish what the learner has not."""
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if not url.startswith(prefix):
        return False
    raw = url[len(prefix):].split("/", 1)[0]
    if len(raw) > 40:
        return False
    return selectors.credential_is_private(public_id=raw)


def _verify_url(url: str, now: datetime | None, follow: bool = True, recipient_email: str | None = None) -> Report:
    if _names_private_credential(url):
        return _not_fetched(url)  # the same answer as for an unknown credential
    try:
        return assertion_verify(assertion=ob2_documents.own_fetch(url), now=now, recipient_email=recipient_email)
    except OpenBadgesError:
        pass
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if url.startswith(prefix):
        credential = selectors.credential_find(public_id=url[len(prefix):].strip("/")) \
            if len(url) - len(prefix) <= 40 else None
        if credential is not None:
            return credential_verify(document=json.loads(credential.document), now=now)
    if url.startswith(settings.BADGES_PUBLIC_URL + "/") or not follow:
        return _not_fetched(url)
    return _verify_remote(url, now, recipient_email)


def _verify_remote(url: str, now: datetime | None, recipient_email: str | None = None) -> Report:
    """Fetch ``url`` (SSRF-safe) and verify what it holds; a URL found there is not followed again."""
    try:
        fetched = remote.document_get(url)
    except FetchError as exc:
        report = report_unreadable(exc)
        report.summary = {"id": url}
        return report
    report = credential_verify_raw(raw=fetched.body, content_type=fetched.content_type, now=now, follow_urls=False,
                                   recipient_email=recipient_email)
    report.summary["fetched_from"] = fetched.url
    return report


def _is_ob2(document: dict) -> bool:
    context = document.get("@context")
    types = document.get("type")
    return "https://w3id.org/openbadges/v2" in (context if isinstance(context, list) else [context]) or \
        "Assertion" in (types if isinstance(types, list) else [types])


def _verify_text(text: str, now: datetime | None, follow_urls: bool = True, *, challenge: str | None = None,
                 domain: str | None = None, recipient_email: str | None = None) -> Report:
    stripped = text.strip()
    if jws.looks_like_compact_jws(stripped):
        try:
            payload = json.loads(jws.decode_unverified(stripped, max_payload_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES)
                                 .payload)
        except (OpenBadgesError, ValueError, RecursionError) as exc:
            return report_unreadable(OpenBadgesError(f"Not a readable JWS: {exc}", code="not_jws"))
        if isinstance(payload, dict) and not _is_ob2(payload) and (isinstance(payload.get("vc"), dict)
                                                                  or "@context" in payload):
            return credential_jwt_verify(token=stripped, now=now)
        return assertion_verify(assertion=stripped, now=now, recipient_email=recipient_email)
    if stripped.startswith(("https://", "http://")) and len(stripped) < 2048 and not any(c.isspace() for c in stripped):
        return _verify_url(stripped, now, follow=follow_urls, recipient_email=recipient_email)
    try:
        document = parse_document(text, max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES)
    except OpenBadgesError as exc:
        return report_unreadable(exc)
    if _is_ob2(document):
        return assertion_verify(assertion=document, now=now, recipient_email=recipient_email)
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiablePresentation" in types:
        return presentation_verify(document=document, now=now, challenge=challenge, domain=domain)
    if "ClrCredential" in types:
        return clr_verify(document=document, now=now)
    return credential_verify(document=document, now=now)


def credential_verify_raw(*, raw: bytes | str, content_type: str | None = None,
                          now: datetime | None = None, follow_urls: bool = True, challenge: str | None = None,
                          domain: str | None = None, recipient_email: str | None = None) -> Report:
    """Verify what was sent: JSON, a compact JWS or VC-JWT, a URL, or a baked PNG/SVG (see the module doc).
    ``follow_urls=False``: a URL is not fetched (what a fetched document holds is not followed again).
    ``recipient_email``: an OB 2.0 assertion is also checked to have been issued to this email."""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    kind = (content_type or "").split(";")[0].strip().lower()
    image = kind in ("image/png", "image/svg+xml") or data.startswith(baking.PNG_SIGNATURE) or baking.is_svg(data)
    if not image:
        if len(data) > settings.BADGES_MAX_CREDENTIAL_BYTES:
            return report_unreadable(OpenBadgesError(
                f"The document is {len(data)} bytes; the limit is {settings.BADGES_MAX_CREDENTIAL_BYTES}.",
                code="too_large"))
        try:
            return _verify_text(data.decode("utf-8"), now, follow_urls, challenge=challenge, domain=domain,
                                recipient_email=recipient_email)
        except UnicodeDecodeError:
            return report_unreadable(OpenBadgesError("Not UTF-8 text, nor a PNG or SVG image.", code="not_json"))
    try:
        baked = baking.unbake(data, max_bytes=getattr(settings, "BADGES_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES))
    except OpenBadgesError as exc:
        return report_unreadable(exc)
    if baked is None:
        return report_unreadable(OpenBadgesError("The image carries no Open Badges credential.",
                                                 code="no_baked_credential"))
    report = _verify_text(baked.text, now, follow_urls, recipient_email=recipient_email)
    report.summary["baked"] = {"image": "png" if data.startswith(baking.PNG_SIGNATURE) else "svg",
                               "version": baked.version}
    return report


TOO_LARGE = "too_large"  # the code of the report's ``json`` check for the same refusal


def max_input_bytes() -> int:
    """The largest input the verifier reads: a baked image, or a credential as text."""
    return max(getattr(settings, "BADGES_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES),
               settings.BADGES_MAX_CREDENTIAL_BYTES)


def form_input_read(*, upload=None, url: str | None = None, text: str | None = None) -> tuple[bytes, str]:
    """What a form (the API's multipart upload, the /verifier page) asks to verify: ``upload`` (a file), else
    ``url``, else ``text``, as (bytes, media type). Over the size limit: ``PayloadTooLarge``; nothing given:
    ``ApplicationError`` ``missing_input``."""
    if upload is not None and hasattr(upload, "read"):
        if upload.size > max_input_bytes():
            raise PayloadTooLarge(f"The file is larger than {max_input_bytes()} bytes.", code=TOO_LARGE)
        return upload.read(), upload.content_type or ""
    for value in (url, text):
        if isinstance(value, str) and value.strip():
            return value.encode("utf-8"), "text/plain"
    raise ApplicationError("A form upload carries one of the fields file, url or credential.",
                           code="missing_input")


def own_credential_id(report: Report) -> int | None:
    """The primary key of ``own_credential_of(report)``: what a verification is counted under (from memory for an
    OB 3.0 id, ``own_records``)."""
    credential_id = report.summary.get("id")
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if isinstance(credential_id, str) and credential_id.startswith(prefix):
        return own_records.credential_pk(public_id=credential_id[len(prefix):].removesuffix("/ob2"))
    credential = own_credential_of(report)
    return credential.pk if credential is not None else None


def own_credential_of(report: Report) -> Credential | None:
    """The credential of ours a report is about (OB 3.0 id, or OB 2.0 assertion id), if any."""
    credential_id = report.summary.get("id")
    if not isinstance(credential_id, str):
        return None
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if credential_id.startswith(prefix):
        return selectors.credential_find(public_id=credential_id[len(prefix):].removesuffix("/ob2"))
    return ob2_documents.own_credential(credential_id)


__all__ = ["PASSED", "assertion_verify", "credential_jwt_verify", "credential_verify", "credential_verify_raw",
           "form_input_read", "max_input_bytes", "own_credential_id", "own_credential_of"]
