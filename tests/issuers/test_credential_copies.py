"""Copies of an award delivered to a wallet: same award, the holder's DID as subject, verified by our verifier,
revoked with the award."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.errors import Conflict
from badges_service.openbadges import did_key, vc_jwt
from issuers import copies, services
from issuers.models import CredentialCopy
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory
from verification.services import credential_jwt_verify, credential_verify

pytestmark = pytest.mark.django_db


def _holder() -> str:
    return did_key.did_key_from_public_key(Ed25519PrivateKey.generate().public_key().public_bytes_raw())


@pytest.fixture
def award():
    achievement = AchievementFactory(validity_days=365)
    return services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                     actor=SYSTEM)


def test_an_ldp_vc_copy_keeps_the_award_and_binds_the_holder(award):
    holder = _holder()
    copy = copies.credential_copy_issue(credential=award, holder=holder, format=CredentialCopy.LDP_VC, actor=SYSTEM)
    original, delivered = json.loads(award.document), json.loads(copy.document)
    assert delivered["id"] == f"urn:uuid:{copy.public_id}" != original["id"]
    assert delivered["credentialSubject"]["id"] == holder
    for name in ("validFrom", "validUntil", "awardedDate", "credentialStatus", "name", "issuer"):
        assert delivered[name] == original[name], name
    assert delivered["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    assert delivered["proof"]["proofValue"] != original["proof"]["proofValue"]
    report = credential_verify(document=delivered)
    assert report.valid, report.as_json()


def test_a_jwt_vc_json_copy_verifies_as_a_vc_jwt(award):
    holder = _holder()
    copy = copies.credential_copy_issue(credential=award, holder=holder, format=CredentialCopy.JWT_VC_JSON,
                                        actor=SYSTEM)
    parsed = vc_jwt.parse(copy.document, max_bytes=10**6)
    assert parsed.header["alg"] == "EdDSA" and parsed.claims["sub"] == holder
    assert parsed.claims["jti"] == f"urn:uuid:{copy.public_id}"
    report = credential_jwt_verify(token=copy.document)
    assert report.valid, report.as_json()


def test_revoking_the_award_revokes_every_copy(award):
    ldp = copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC, actor=SYSTEM)
    jwt = copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.JWT_VC_JSON,
                                       actor=SYSTEM)
    services.credential_revoke(credential=award, reason="Erreur de saisie", actor=SYSTEM)
    assert credential_verify(document=json.loads(ldp.document)).status == "revoked"
    assert credential_jwt_verify(token=jwt.document).status == "revoked"


def test_suspending_the_award_suspends_its_copies(award):
    ldp = copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC, actor=SYSTEM)
    services.credential_suspend(credential=award, reason="Vérification en cours", actor=SYSTEM)
    assert credential_verify(document=json.loads(ldp.document)).status == "suspended"


def test_an_altered_copy_is_not_as_issued(award):
    copy = copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC, actor=SYSTEM)
    document = json.loads(copy.document)
    document["credentialSubject"]["id"] = _holder()
    assert not credential_verify(document=document).valid


def test_a_copy_with_an_unknown_id_is_not_taken_for_ours(award):
    copy = copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC, actor=SYSTEM)
    document = json.loads(copy.document)
    copy.delete()
    assert not credential_verify(document=document).valid


def test_a_revoked_award_gets_no_new_copy(award):
    services.credential_revoke(credential=award, reason="Erreur", actor=SYSTEM)
    with pytest.raises(Conflict) as exc:
        copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC, actor=SYSTEM)
    assert exc.value.code == "credential_revoked"


def test_only_the_system_the_holder_or_issuer_staff_may_copy(award):
    from badges_service.errors import PermissionDenied
    from tests.issuers.factories import UserFactory

    with pytest.raises(PermissionDenied):
        copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC,
                                     actor=UserFactory(username="quelqu-un"))
    learner = UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")
    assert copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC,
                                        actor=learner).credential == award
