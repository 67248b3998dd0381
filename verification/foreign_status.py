"""The status of a credential this service did not issue, from its issuer's Bitstring status list.

W3C Bitstring Status List v1.0 §3.3 (validate): fetch each entry's ``statusListCredential`` (SSRF-safe,
cached by ``remote``), verify that credential's own proof with the issuer's key, check its validity period,
then read the bit (``bitstring_status_list.entry_status``: same issuer, same purpose, index in range).

* a set revocation or suspension bit: ``failed`` (``revoked`` / ``suspended``);
* a list that cannot be had (network, size, time): ``skipped`` (``status_unchecked``), as before fetching
  existed: nothing is known either way;
* a list that can be had but does not verify (forged, another issuer's, expired): ``failed``
  (``status_list_invalid``): the issuer's answer cannot be trusted, so neither can the credential's status.
"""

from __future__ import annotations

from datetime import UTC, datetime

from badges_service.fetch import FetchError
from badges_service.openbadges import bitstring_status_list as bsl
from badges_service.openbadges.eddsa_rdfc_2022 import proof_inspect, proof_verify, proofs_of
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.report import FAILED, PASSED, SKIPPED, Check, issuer_id_of, parse_datetime

from . import remote
from .key_resolution import resolve_key


def _verified_list(url: str, now: datetime) -> dict:
    """The status list credential at ``url`` if its proof is its issuer's; ``OpenBadgesError`` otherwise."""
    document = remote.json_get(url, accept=remote.STATUS_LIST_TYPES)
    proofs = proofs_of(document)
    if len(proofs) != 1:
        raise OpenBadgesError("A status list credential has exactly one proof.", code="status_list_invalid")
    info = proof_inspect(proofs[0])
    key = resolve_key(info.verification_method)
    if key.controller != issuer_id_of(document):
        raise OpenBadgesError("The status list is not signed by its issuer.", code="status_list_invalid")
    proof_verify(document, proofs[0], public_key=key.public_key)
    start, end = parse_datetime(document.get("validFrom")), parse_datetime(document.get("validUntil"))
    if (start and start > now) or (end and end <= now):
        raise OpenBadgesError("The status list is outside its validity period.", code="status_list_invalid")
    return document


def status_check(document: dict, *, now: datetime | None = None) -> Check | None:
    """The ``status`` check of a foreign credential; None when it declares no Bitstring status list entry."""
    entries = bsl.entries_of(document)
    if not entries:
        if document.get("credentialStatus"):
            return Check("status", SKIPPED, "status_unchecked",
                         "The credential's status is of a kind this service does not read.")
        return None
    now = now or datetime.now(UTC)
    issuer_id = issuer_id_of(document)
    for entry in entries[:4]:  # a credential has one entry per purpose; more is not read
        url = entry.get("statusListCredential")
        try:
            status_list = _verified_list(url, now)
        except FetchError as exc:
            return Check("status", SKIPPED, "status_unchecked", f"The status list {url} cannot be had: {exc}")
        except OpenBadgesError as exc:
            if exc.code == "key_unresolvable":
                return Check("status", SKIPPED, "status_unchecked",
                             f"The status list's signing key cannot be had: {exc}")
            return Check("status", FAILED, "status_list_invalid", f"The status list {url} does not verify: {exc}")
        try:
            is_set = bsl.entry_status(entry, status_list, credential_issuer=issuer_id)
        except OpenBadgesError as exc:
            return Check("status", FAILED, exc.code, str(exc))
        if is_set:
            purpose = entry.get("statusPurpose")
            code = "revoked" if purpose == bsl.REVOCATION else "suspended"
            return Check("status", FAILED, code, f"{'Revoked' if code == 'revoked' else 'Suspended'} by its issuer "
                         f"(status list {url}, index {entry.get('statusListIndex')}).")
    return Check("status", PASSED, "ok", "Neither revoked nor suspended (the issuer's status list).")
