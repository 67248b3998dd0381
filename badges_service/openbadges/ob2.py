"""Open Badges 2.0 documents (OB 2.0 "Open Badges Specification", IMS Final Release, 2018).

Assertion, BadgeClass, Profile (issuer), CryptographicKey and RevocationList, as JSON-LD with the
``https://w3id.org/openbadges/v2`` context. Builders are pure and omit empty values. The recipient is the
same salted SHA-256 identity as in the OB 3.0 credential (OB 2.0 IdentityObject: ``sha256$`` + hex).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from . import contexts
from .eddsa_rdfc_2022 import format_datetime
from .ob3 import compact

CONTEXT = contexts.OB_V2
HOSTED, SIGNED = "HostedBadge", "SignedBadge"


def recipient_from_identity(identity: dict) -> dict:
    """OB 2.0 IdentityObject from an OB 3.0 one (same hash, same salt)."""
    return {"type": "email", "hashed": bool(identity.get("hashed")), "salt": identity.get("salt"),
            "identity": identity.get("identityHash")}


def assertion(*, assertion_id: str, badge: str | dict, recipient: dict, issued_on: datetime | str,
              verification: dict, expires: datetime | str | None = None, image: str | None = None,
              evidence: Sequence[dict] = (), narrative: str | None = None) -> dict:
    """OB 2.0 Assertion: required ``id``, ``type``, ``recipient``, ``badge``, ``verification``, ``issuedOn``."""
    return compact({
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": recipient,
        "badge": badge,
        "verification": verification,
        "issuedOn": _date(issued_on),
        "expires": _date(expires) if expires else None,
        "image": image,
        "evidence": list(evidence),
        "narrative": narrative,
    })


def hosted_verification() -> dict:
    return {"type": HOSTED}


def signed_verification(creator: str) -> dict:
    """OB 2.0 VerificationObject for a signed badge: ``creator`` is the CryptographicKey's URL."""
    return {"type": SIGNED, "creator": creator}


def alignment(*, target_name: str, target_url: str, target_description: str | None = None,
              target_framework: str | None = None, target_code: str | None = None) -> dict:
    return compact({"targetName": target_name, "targetUrl": target_url, "targetDescription": target_description,
                    "targetFramework": target_framework, "targetCode": target_code})


def badge_class(*, badge_id: str, name: str, description: str, image: str, issuer: str,
                criteria_url: str | None = None, criteria_narrative: str | None = None,
                alignments: Sequence[dict] = (), tags: Sequence[str] = (), version: str | None = None) -> dict:
    """OB 2.0 BadgeClass: required ``name``, ``description``, ``image``, ``criteria``, ``issuer``."""
    return compact({
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_id,
        "name": name,
        "description": description,
        "image": image,
        "criteria": {"id": criteria_url, "narrative": criteria_narrative},
        "issuer": issuer,
        "alignment": list(alignments),
        "tags": list(tags),
        "version": version,
    })


def issuer_profile(*, profile_id: str, name: str, url: str, email: str | None, public_keys: Sequence[str] = (),
                   revocation_list: str | None = None, description: str | None = None,
                   image: str | None = None) -> dict:
    """OB 2.0 Profile of an issuer: ``name``, ``url``, ``email``, ``publicKey``, ``revocationList``."""
    return compact({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": profile_id,
        "name": name,
        "url": url,
        "email": email,
        "description": description,
        "image": image,
        "publicKey": list(public_keys),
        "revocationList": revocation_list,
    })


def cryptographic_key(*, key_id: str, owner: str, public_key_pem: str) -> dict:
    """OB 2.0 CryptographicKey: the RSA public key (PEM) of a signed badge's ``creator``."""
    return {"@context": CONTEXT, "type": "CryptographicKey", "id": key_id, "owner": owner,
            "publicKeyPem": public_key_pem}


def revocation_list(*, list_id: str, issuer: str, revoked: Sequence[tuple[str, str]]) -> dict:
    """OB 2.0 RevocationList: ``revokedAssertions`` as ``{"id", "revocationReason"}``."""
    return {"@context": CONTEXT, "type": "RevocationList", "id": list_id, "issuer": issuer,
            "revokedAssertions": [compact({"id": i, "revocationReason": reason}) for i, reason in revoked]}


def _date(value: datetime | str) -> str:
    return value if isinstance(value, str) else format_datetime(value)


def assertion_from_ob3(credential: dict, *, assertion_id: str, badge_url: str, verification: dict) -> dict:
    """The OB 2.0 Assertion for a signed OB 3.0 credential: same recipient hash and salt, same dates,
    same evidence; the badge is the achievement's OB 2.0 BadgeClass."""
    subject = credential["credentialSubject"]
    identity = next(i for i in subject["identifier"] if i.get("identityType") == "emailAddress")
    evidence = [compact({"id": e.get("id"), "name": e.get("name"), "narrative": e.get("narrative"),
                         "description": e.get("description"), "genre": e.get("genre")})
                for e in credential.get("evidence") or []]
    return assertion(assertion_id=assertion_id, badge=badge_url, recipient=recipient_from_identity(identity),
                     issued_on=credential.get("awardedDate") or credential["validFrom"], verification=verification,
                     expires=credential.get("validUntil"), evidence=evidence)
