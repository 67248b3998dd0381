"""Credentials delivered to a wallet (OpenID4VCI copies of an award) in independent verifiers: the ``ldp_vc`` in
Digital Bazaar's ``@digitalbazaar/vc`` (eddsa-rdfc-2022, bitstring status list), the ``jwt_vc_json`` in panva's
``jose`` (EdDSA signature and registered claims). Revoking the award shows in Digital Bazaar's status check too."""

from __future__ import annotations

import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import did_key, jws
from issuers import copies, services
from issuers.models import CredentialCopy
from issuers.permissions import SYSTEM
from issuers.selectors import issuer_did_document
from tests.issuers.factories import AchievementFactory, IssuerFactory

from .documents import verifier_documents
from .node import dbz_verify, node_available, run_node

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(not node_available() and not os.environ.get("CI"),
                       reason="node or interop/node_modules missing (cd interop && npm ci)"),
    pytest.mark.django_db,
]


@pytest.fixture
def award():
    issuer = IssuerFactory(slug="drh")
    achievement = AchievementFactory(issuer=issuer, validity_days=365)
    return services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                     actor=SYSTEM)


def _holder() -> str:
    return did_key.did_key_from_public_key(Ed25519PrivateKey.generate().public_key().public_bytes_raw())


def test_an_ldp_vc_copy_verifies_in_digital_bazaar_until_the_award_is_revoked(award):
    copy = copies.credential_copy_issue(credential=award, holder=_holder(), format=CredentialCopy.LDP_VC, actor=SYSTEM)
    document = json.loads(copy.document)
    tampered = json.loads(copy.document)
    tampered["credentialSubject"]["id"] = _holder()
    good, bad = dbz_verify([document, tampered], verifier_documents(award.issuer))
    assert good["verified"], good
    assert good["status"] == [{"statusPurpose": "revocation", "status": False}]
    assert not bad["verified"]

    services.credential_revoke(credential=award, reason="Erreur de saisie", actor=SYSTEM)
    [after] = dbz_verify([document], verifier_documents(award.issuer))
    assert after["status"] == [{"statusPurpose": "revocation", "status": True}], after


def test_a_jwt_vc_json_copy_verifies_in_jose(award):
    holder = _holder()
    copy = copies.credential_copy_issue(credential=award, holder=holder, format=CredentialCopy.JWT_VC_JSON,
                                        actor=SYSTEM)
    header = jws.decode_unverified(copy.document, max_payload_bytes=10**6).header
    method = next(m for m in issuer_did_document(issuer=award.issuer)["verificationMethod"]
                  if m["id"] == header["kid"])
    raw = did_key.public_key_from_did_key("did:key:" + method["publicKeyMultibase"])
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": jws.b64url_encode(raw)}
    other = {"kty": "OKP", "crv": "Ed25519", "x": jws.b64url_encode(
        Ed25519PrivateKey.generate().public_key().public_bytes_raw())}
    ok, wrong_key = run_node("vc_jwt_sign.mjs", {"jobs": [
        {"op": "verify", "jwk": jwk, "alg": "EdDSA", "token": copy.document},
        {"op": "verify", "jwk": other, "alg": "EdDSA", "token": copy.document}]})["results"]
    assert ok["verified"], ok
    assert ok["payload"]["sub"] == holder and ok["payload"]["jti"] == f"urn:uuid:{copy.public_id}"
    assert ok["payload"]["vc"]["credentialSubject"]["id"] == holder
    assert not wrong_key["verified"]
