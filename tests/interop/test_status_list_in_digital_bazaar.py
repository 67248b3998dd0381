"""Revocation seen by an independent implementation: Digital Bazaar's ``@digitalbazaar/vc-bitstring-status-list``
reads our signed BitstringStatusListCredential (its proof checked against our DID document) and refuses a
revoked credential, while our own verifier says the same."""

from __future__ import annotations

import json
import os

import pytest

from badges_service.openbadges import bitstring_status_list as bsl
from issuers import services, status_lists
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, CredentialFactory
from verification.services import credential_verify

from .documents import verifier_documents
from .node import dbz_verify, node_available

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(not node_available() and not os.environ.get("CI"),
                       reason="node or interop/node_modules missing (cd interop && npm ci)"),
]


@pytest.fixture(autouse=True)
def _node_required_under_ci():
    if not node_available():
        pytest.fail("CI is set but node or interop/node_modules is missing (cd interop && npm ci).")


def documents_of(*credentials) -> list[dict]:
    return [json.loads(c.document) for c in credentials]


@pytest.mark.parametrize("did_method", ["web", "key"])
def test_a_revoked_credential_fails_digital_bazaars_status_check_and_ours(db, settings, did_method):
    settings.BADGES_DID_METHOD = did_method
    achievement = AchievementFactory()
    kept, revoked = CredentialFactory(achievement=achievement), CredentialFactory(achievement=achievement)
    before = dbz_verify(documents_of(kept, revoked), verifier_documents(achievement.issuer))
    assert [r["verified"] for r in before] == [True, True], before
    assert before[1]["status"] == [{"statusPurpose": "revocation", "status": False}]

    services.credential_revoke(credential=revoked, reason="Délivré par erreur", actor=SYSTEM)

    after = dbz_verify(documents_of(kept, revoked), verifier_documents(achievement.issuer))
    assert after[0]["verified"] is True, after[0]["error"]
    assert after[1]["verified"] is False
    assert after[1]["status"] == [{"statusPurpose": "revocation", "status": True}]
    assert "revocation" in after[1]["error"]
    ours = credential_verify(document=json.loads(revoked.document))
    assert ours.status == "revoked" and "Délivré par erreur" in ours.check("status").message


def test_a_status_list_altered_without_its_issuers_key_is_refused(db):
    """Flipping a bit of the published list breaks its proof: the verifier cannot be made to see a revocation
    (or to miss one) by whoever serves the list."""
    achievement = AchievementFactory()
    credential = CredentialFactory(achievement=achievement)
    documents = verifier_documents(achievement.issuer)
    url = json.loads(credential.document)["credentialStatus"]["statusListCredential"]
    forged = documents[url]
    forged["credentialSubject"]["encodedList"] = bsl.encode(
        bsl.bitstring(bsl.MIN_LENGTH, {credential.status_entry.index}))
    [result] = dbz_verify(documents_of(credential), documents)
    assert result["verified"] is False
    assert "BitstringStatusListCredential" in result["error"]


def test_a_missing_status_list_is_an_error_for_digital_bazaar_not_a_pass(db):
    credential = CredentialFactory(achievement=AchievementFactory())
    documents = verifier_documents(credential.issuer)
    status_list = credential.status_entry.status_list
    del documents[status_lists.list_url(status_list)]
    [result] = dbz_verify(documents_of(credential), documents)
    assert result["verified"] is False and "offline loader refuses" in result["error"]
