"""Everything a learner holds, at once: a Verifiable Presentation and a CLR 2.0 ``ClrCredential``, both signed by
the platform (the root issuer of kind "city", with its active Ed25519 key), and their verification.

The credentials inside are the signed documents exactly as stored, so each keeps verifying on its own, with
its own issuer's key.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from badges_service import key_encryption
from badges_service.openbadges import eddsa_rdfc_2022, ob3, presentations
from issuers import identifiers
from issuers import selectors as issuer_selectors
from issuers.documents import issuer_profile
from issuers.models import Issuer, SigningKey
from issuers.services import signing_key_active
from learners.selectors import foreign_badges_exported, learner_email_of


def _platform_signer() -> tuple[Issuer, SigningKey, str]:
    issuer = issuer_selectors.platform_issuer()
    key = signing_key_active(issuer=issuer)
    return issuer, key, identifiers.issuer_id_for_key(issuer, key)


def default_domain() -> str:
    """The presentation's intended audience when the verifier named none: this service's host."""
    return urlsplit(settings.BADGES_PUBLIC_URL).netloc


def _documents(*, user, now: datetime) -> list[dict]:
    email = learner_email_of(user=user)
    # Valid ones only: what a learner moves to another civil service is what still stands.
    issued = [json.loads(d) for d in issuer_selectors.credential_documents_valid(recipient_email=email, now=now)] \
        if email else []
    # Badges from elsewhere only when the learner chose to include them, as they were (their own proofs).
    # VC-JWT ones stay out: a presentation and a CLR carry credentials secured with embedded proofs.
    foreign = [json.loads(b.document) for b in foreign_badges_exported(user=user).filter(format="ob3")]
    return issued + foreign


def presentation_export(*, user, challenge: str | None = None, domain: str | None = None,
                        now: datetime | None = None) -> dict:
    """A VC Data Model 2.0 presentation of the learner's valid credentials, signed by the platform with a
    DataIntegrityProof (eddsa-rdfc-2022), proofPurpose ``authentication``, for ``challenge`` and ``domain``
    (a verifier's own when it gave them; otherwise a fresh random challenge and this service's host)."""
    now = now or timezone.now()
    issuer, key, holder = _platform_signer()
    unsigned = presentations.verifiable_presentation(
        presentation_id=f"urn:uuid:{uuid.uuid4()}", holder=holder, credentials=_documents(user=user, now=now))
    return _sign(unsigned, issuer, key, now, purpose=presentations.AUTHENTICATION,
                 extra={"challenge": challenge or secrets.token_urlsafe(16), "domain": domain or default_domain()})


def clr_export(*, user, now: datetime | None = None) -> dict:
    """A CLR 2.0 ``ClrCredential`` of the learner's valid credentials, issued and signed by the platform."""
    now = now or timezone.now()
    issuer, key, issuer_id = _platform_signer()
    email = learner_email_of(user=user)
    unsigned = presentations.clr_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuer_profile(issuer, issuer_id=issuer_id).as_json(),
        name=f"Relevé de compétences — {issuer.name}",
        valid_from=now, credentials=_documents(user=user, now=now),
        identity=ob3.email_identity(email, secrets.token_hex(16)) if email else None,
    )
    return _sign(unsigned, issuer, key, now, purpose=presentations.ASSERTION_METHOD)


def _sign(unsigned: dict, issuer: Issuer, key: SigningKey, now: datetime, *, purpose: str,
          extra: dict | None = None) -> dict:
    signed = eddsa_rdfc_2022.proof_create(
        unsigned, private_key=key_encryption.decrypt_private_key(key.private_key_encrypted),
        verification_method=identifiers.verification_method_id(issuer, key), created=now, proof_purpose=purpose,
        extra=extra)
    return signed
