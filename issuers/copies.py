"""Copies of an award for a holder's wallet: the award's signed document, re-bound to the holder's DID and signed
again by the issuer's key, through the same core as every issuance (``eddsa_rdfc_2022`` for ``ldp_vc``, ``vc_jwt``
for ``jwt_vc_json``).

What the copy keeps from the award, unchanged: achievement, issuer profile, name, dates (``validFrom``,
``validUntil``, ``awardedDate``), evidence, results, schema and ``credentialStatus`` (the award's status list entry:
revoking or suspending the award flips the one bit every copy points at). What changes: ``id`` (``urn:uuid:``),
``credentialSubject.id`` (the holder), the proof. The copy carries the award's hashed email identifier as the award
does, nothing more about the learner.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from badges_service import key_encryption
from badges_service.errors import Conflict
from badges_service.openbadges import eddsa_rdfc_2022, vc_jwt
from badges_service.openbadges.report import parse_datetime

from . import identifiers
from .models import EXPIRED, REVOKED, SUSPENDED, Credential, CredentialCopy, SigningKey
from .permissions import ISSUE, SYSTEM, ensure_can_act

FORMATS = (CredentialCopy.LDP_VC, CredentialCopy.JWT_VC_JSON)
JWT_ALG = vc_jwt.EDDSA


def _signing_key(credential: Credential) -> SigningKey:
    """The award's own key while it is active (the copy then names the very issuer id of the award), else the
    issuer's active key."""
    if credential.signing_key.status == SigningKey.Status.ACTIVE:
        return credential.signing_key
    from .services import signing_key_active

    return signing_key_active(issuer=credential.issuer)


def _numeric(value) -> int | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return int(parsed.timestamp()) if parsed else None


def copy_document(award: dict, *, copy_id: str, holder: str, issuer_id: str) -> dict:
    """The unsigned copy of an award's signed document (pure: see the module's docstring)."""
    unsigned = {name: value for name, value in award.items() if name != "proof"}
    unsigned["id"] = copy_id
    if isinstance(unsigned.get("issuer"), dict):
        unsigned["issuer"] = {**unsigned["issuer"], "id": issuer_id}
    else:
        unsigned["issuer"] = issuer_id
    subject = unsigned["credentialSubject"]
    unsigned["credentialSubject"] = {"id": holder, **{k: v for k, v in subject.items() if k != "id"}}
    return unsigned


# A credential in one of these states has no new copies, nor offers of one (``Credential.state``).
_NOT_COPYABLE = {
    REVOKED: ("credential_revoked", "A revoked badge cannot be added to a wallet."),
    SUSPENDED: ("credential_suspended", "A suspended badge cannot be added to a wallet."),
    EXPIRED: ("credential_expired", "An expired badge cannot be added to a wallet."),
}


def ensure_copyable(credential: Credential, *, now: datetime) -> None:
    """``Conflict`` when ``credential`` is revoked, suspended or expired at ``now``: the wallet offer and the copy
    itself refuse it alike."""
    refusal = _NOT_COPYABLE.get(credential.state(now))
    if refusal is not None:
        code, message = refusal
        raise Conflict(message, code=code)


@transaction.atomic
def credential_copy_issue(*, credential: Credential, holder: str, format: str, actor,
                          now: datetime | None = None) -> CredentialCopy:
    """Sign and store a copy of ``credential`` bound to ``holder`` (a DID), in ``format`` (``FORMATS``).
    ``actor``: ``SYSTEM`` (the OpenID4VCI credential endpoint, on a redeemed offer that the learner who holds the
    credential made: ``learners.policy.is_credential_owner`` is checked there), or its issuer's staff. A revoked,
    suspended or expired award has no new copies (``Conflict``)."""
    if format not in FORMATS:
        raise ValueError(format)
    if actor is not SYSTEM:
        ensure_can_act(actor, credential.issuer, ISSUE)
    now = now or timezone.now()
    credential = Credential.objects.select_for_update(of=("self",)).select_related("issuer", "signing_key").get(
        pk=credential.pk)
    ensure_copyable(credential, now=now)
    key = _signing_key(credential)
    issuer_id = identifiers.issuer_id_for_key(credential.issuer, key)
    method = identifiers.verification_method_id(credential.issuer, key)
    public_id = uuid.uuid4()
    unsigned = copy_document(json.loads(credential.document), copy_id=f"urn:uuid:{public_id}", holder=holder,
                             issuer_id=issuer_id)
    private_key = key_encryption.decrypt_private_key(key.private_key_encrypted)
    if format == CredentialCopy.LDP_VC:
        signed = eddsa_rdfc_2022.proof_create(unsigned, private_key=private_key, verification_method=method,
                                              created=now)
        document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    else:
        # OB 3.0 §8.2 / VC Data Model 1.1 §6.3.1: the registered claims stand for the credential's properties.
        claims = {"iss": issuer_id, "sub": holder, "jti": unsigned["id"], "iat": int(now.timestamp()),
                  "nbf": _numeric(unsigned.get("validFrom")), "exp": _numeric(unsigned.get("validUntil")),
                  "vc": unsigned}
        document = vc_jwt.sign({k: v for k, v in claims.items() if v is not None}, private_key=private_key,
                               alg=JWT_ALG, kid=method, typ="JWT")
    return CredentialCopy.objects.create(public_id=public_id, credential=credential, format=format, holder=holder,
                                         document=document, signing_key=key, issued_at=now)


def copies_of(*, credential: Credential):
    return CredentialCopy.objects.filter(credential=credential)


def copies_of_credentials(*, credentials):
    """The wallet copies of these credentials, oldest first (a person's data export lists them)."""
    return CredentialCopy.objects.filter(credential__in=credentials).select_related("credential").order_by(
        "issued_at", "id")
