"""Reading an Open Badges 2.0 assertion: the assertion out of a JSON object or a compact JWS (``parse``), the
properties OB 2.0 requires (``schema_errors``), how it is to be verified (``verification_method``: hosted or
signed), the summary a report shows (``summarise``), and whether it was issued to an email
(``recipient_matches``: the OB 2.0 IdentityObject). The checks themselves are ``verify_ob2``'s."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from . import jws
from .report import as_list, id_of, parse_datetime

# URL -> OB 2.0 document; KeyResolutionError when it cannot be had, DocumentGone when it answers 410 Gone
Fetch = Callable[[str], dict]
VERIFICATION_TYPES = {"HostedBadge": "hosted", "hosted": "hosted", "SignedBadge": "signed", "signed": "signed"}


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
                                        or verification_method(verification) is None):
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


def verification_method(verification) -> str | None:
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
