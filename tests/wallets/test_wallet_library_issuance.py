"""OpenID4VCI 1.0 issuance driven by an independent wallet-side library, the OpenWallet Foundation's
``@openid4vc/openid4vci`` (pinned in interop/package.json), over real HTTP against the live server: the offer
printed by ``manage.py credential_offer``, metadata, token (pre-authorized code and transaction code), nonce and
credential endpoints. The credentials it receives verify in our verifier, in Digital Bazaar's (ldp_vc) and in
panva's ``jose`` (jwt_vc_json). Refusals carry the specification's error codes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from badges_service.openbadges import jws
from issuers import services as issuer_services
from issuers.models import CredentialCopy
from issuers.permissions import SYSTEM
from tests.interop.documents import verifier_documents
from tests.interop.node import dbz_verify, node_available, run_node
from tests.issuers.factories import AchievementFactory, IssuerFactory
from verification.services import credential_jwt_verify, credential_verify

pytestmark = [pytest.mark.interop, pytest.mark.skipif(not node_available(), reason="interop/node_modules missing")]


@pytest.fixture
def live(live_server, settings, transactional_db):
    settings.BADGES_PUBLIC_URL = live_server.url
    issuer = IssuerFactory(slug="drh", name="Direction des ressources humaines")
    achievement = AchievementFactory(issuer=issuer, slug="accueil-usagers", name="Accueil des usagers",
                                     validity_days=730)
    credential = issuer_services.credential_issue(achievement=achievement,
                                                  recipient_email="camille.dupont@ville-exemple.fr", actor=SYSTEM)
    return {"url": live_server.url, "credential": credential}


def offer(credential, *, same_device: bool = False) -> dict:
    out = io.StringIO()
    call_command("credential_offer", "--credential", str(credential.public_id),
                 *(["--same-device"] if same_device else []), stdout=out)
    return json.loads(out.getvalue())


def wallet(made: dict, **options) -> dict:
    return run_node("openid4vci_wallet.mjs", {"offer_uri": made["offer_uri"], "tx_code": made["tx_code"], **options})


@pytest.mark.parametrize("holder", ["did:key", "did:jwk"])
def test_a_wallet_receives_both_formats_bound_to_its_key(live, holder):
    credential = live["credential"]
    got = wallet(offer(credential), holder=holder)
    assert got["version"] == "V1", "the library reads our metadata as OpenID4VCI 1.0 final"
    assert got["errors"] == []
    ldp = got["credentials"]["accueil-usagers.ldp_vc"]
    token = got["credentials"]["accueil-usagers.jwt_vc_json"]
    assert ldp["credentialSubject"]["id"] == got["holder"]
    assert ldp["credentialSubject"]["achievement"] == json.loads(credential.document)["credentialSubject"][
        "achievement"]
    assert credential_verify(document=ldp).valid
    claims = json.loads(jws.decode_unverified(token, max_payload_bytes=10**6).payload)
    assert claims["sub"] == got["holder"] == claims["vc"]["credentialSubject"]["id"]
    assert credential_jwt_verify(token=token).valid
    assert CredentialCopy.objects.filter(credential=credential).count() == 2
    [in_digital_bazaar] = dbz_verify([ldp], verifier_documents(credential.issuer))
    assert in_digital_bazaar["verified"], in_digital_bazaar


def test_a_bare_jwk_holder_is_bound_as_its_did_jwk(live):
    got = wallet(offer(live["credential"]), holder="jwk", configurations=["accueil-usagers.ldp_vc"])
    assert got["errors"] == []
    subject = got["credentials"]["accueil-usagers.ldp_vc"]["credentialSubject"]["id"]
    assert subject.startswith("did:jwk:")


def test_a_same_device_offer_needs_no_transaction_code(live):
    made = offer(live["credential"], same_device=True)
    assert made["tx_code"] is None
    got = wallet(made, configurations=["accueil-usagers.ldp_vc"])
    assert got["errors"] == [] and list(got["credentials"]) == ["accueil-usagers.ldp_vc"]


def test_the_offer_uri_says_nothing_about_the_learner(live):
    made = offer(live["credential"])
    assert made["offer_uri"].startswith("openid-credential-offer://?credential_offer=")
    for secret in ("camille", "dupont", str(live["credential"].public_id), made["tx_code"]):
        assert secret not in made["offer_uri"].lower()


def test_a_reused_pre_authorized_code_is_refused(live):
    got = wallet(offer(live["credential"]), scenario="reuse_code", configurations=["accueil-usagers.ldp_vc"])
    assert {"step": "token_again", "error": "invalid_grant", "status": 400} in got["errors"]


def test_a_wrong_transaction_code_is_refused(live):
    made = offer(live["credential"])
    made["tx_code"] = "000000" if made["tx_code"] != "000000" else "111111"
    got = wallet(made)
    assert got["errors"] == [{"step": "token", "error": "invalid_grant", "status": 400}]


def test_an_expired_offer_is_refused(live, settings):
    settings.WALLETS_OFFER_TTL = 0
    got = wallet(offer(live["credential"]))
    assert got["errors"] == [{"step": "token", "error": "invalid_grant", "status": 400}]


def test_a_tampered_proof_is_refused(live):
    got = wallet(offer(live["credential"]), scenario="tamper_proof", configurations=["accueil-usagers.ldp_vc"])
    assert got["errors"] == [{"step": "credential:accueil-usagers.ldp_vc", "error": "invalid_proof", "status": 400}]
    assert not CredentialCopy.objects.exists()


def test_a_proof_for_another_issuer_is_refused(live):
    got = wallet(offer(live["credential"]), scenario="wrong_audience", configurations=["accueil-usagers.ldp_vc"])
    assert got["errors"][0]["error"] == "invalid_proof"


def test_a_proof_with_a_used_nonce_is_refused(live):
    got = wallet(offer(live["credential"]), scenario="reuse_nonce")
    assert got["errors"] == [{"step": "credential:accueil-usagers.jwt_vc_json", "error": "invalid_nonce",
                              "status": 400}]
    assert list(got["credentials"]) == ["accueil-usagers.ldp_vc"]
