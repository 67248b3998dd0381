"""The OpenID4VCI endpoints through Django's test client, for the rules the wallet library cannot be made to break:
metadata shapes, token and credential request errors with the specification's codes, nonce expiry, one credential
per configuration and token, refused awards, the clean-up task."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time

from badges_service.openbadges import did_key, key_proof, vc_jwt
from issuers import services as issuer_services
from issuers.models import CredentialCopy
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, UserFactory
from wallets import services, tasks
from wallets.models import AccessToken, CredentialOffer, ProofNonce

pytestmark = pytest.mark.django_db
PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def learner():
    return UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")


@pytest.fixture
def award(learner):
    achievement = AchievementFactory(slug="accueil-usagers", name="Accueil des usagers")
    return issuer_services.credential_issue(achievement=achievement, recipient_email=learner.email, actor=SYSTEM)


def grant_of(offer: services.Offer) -> dict:
    query = parse_qs(urlsplit(offer.offer_uri).query)
    return json.loads(query["credential_offer"][0])["grants"][PRE]


def token(client, offer: services.Offer, tx_code: str | None = "same", **extra):
    data = {"grant_type": PRE, "pre-authorized_code": grant_of(offer)["pre-authorized_code"], **extra}
    tx = offer.tx_code if tx_code == "same" else tx_code
    if tx is not None:
        data["tx_code"] = tx
    return form(client, data)


def form(client, data: dict):
    return client.post("/openid4vci/token", urlencode(data), content_type="application/x-www-form-urlencoded")


def key_proof_jwt(*, nonce: str | None, private=None, aud: str | None = None) -> str:
    private = private or Ed25519PrivateKey.generate()
    did = did_key.did_key_from_public_key(private.public_key().public_bytes_raw())
    claims = {"aud": aud or settings.BADGES_PUBLIC_URL, "iat": int(timezone.now().timestamp()), "nonce": nonce}
    return vc_jwt.sign({k: v for k, v in claims.items() if v is not None}, private_key=private, alg="EdDSA",
                       typ=key_proof.PROOF_TYPE, kid=did_key.verification_method_id(did))


def credential(client, access_token: str | None, body) -> object:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {access_token}"} if access_token else {}
    return client.post("/openid4vci/credential", json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json", **headers)


def nonce(client) -> str:
    response = client.post("/openid4vci/nonce")
    assert response["Cache-Control"] == "no-store"
    return response.json()["c_nonce"]


def access(client, award) -> str:
    offer = services.offer_create(credential=award, actor=SYSTEM)
    return token(client, offer).json()["access_token"]


# --- metadata --------------------------------------------------------------------------------------------------


def test_issuer_metadata_lists_both_formats_of_each_achievement(client, award):
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == settings.BADGES_PUBLIC_URL
    assert metadata["nonce_endpoint"] == settings.BADGES_PUBLIC_URL + "/openid4vci/nonce"
    ldp = metadata["credential_configurations_supported"]["accueil-usagers.ldp_vc"]
    jwt = metadata["credential_configurations_supported"]["accueil-usagers.jwt_vc_json"]
    assert ldp["credential_definition"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in ldp["credential_definition"]["@context"]
    assert "@context" not in jwt["credential_definition"]
    assert ldp["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    assert jwt["credential_signing_alg_values_supported"] == ["EdDSA"]
    assert ldp["proof_types_supported"] == {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}}
    display = {d["locale"]: d for d in ldp["credential_metadata"]["display"]}
    assert set(display) == {"fr", "en"}
    assert display["fr"]["name"] == "Accueil des usagers"
    assert display["fr"]["logo"]["uri"].endswith("/achievements/accueil-usagers/image")
    labels = {c["path"][-1]: {d["locale"]: d["name"] for d in c["display"]}
              for c in ldp["credential_metadata"]["claims"]}
    assert labels["validFrom"] == {"fr": "Délivré le", "en": "Issued on"}


def test_authorization_server_metadata_offers_the_anonymous_pre_authorized_grant(client):
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == settings.BADGES_PUBLIC_URL
    assert metadata["grant_types_supported"] == [PRE]
    assert metadata["pre-authorized_grant_anonymous_access_supported"] is True


# --- offers and the token endpoint -----------------------------------------------------------------------------


def test_an_offer_is_only_for_the_learner_who_holds_the_badge(award):
    with pytest.raises(issuer_services.PermissionDenied):
        services.offer_create(credential=award, actor=UserFactory(username="autre"))


def test_secrets_are_not_stored_in_clear(award):
    offer = services.offer_create(credential=award, actor=SYSTEM)
    row = CredentialOffer.objects.get()
    assert grant_of(offer)["pre-authorized_code"] not in row.code_digest
    assert offer.tx_code not in row.tx_code_digest and len(offer.tx_code) == 6
    assert grant_of(offer)["tx_code"] == {"input_mode": "numeric", "length": 6,
                                          "description": services.TX_CODE_DESCRIPTION}


@pytest.mark.parametrize("case,error", [
    ("grant_type", "unsupported_grant_type"), ("no_code", "invalid_request"), ("no_tx_code", "invalid_request"),
    ("unknown_code", "invalid_grant"),
])
def test_token_request_errors(client, award, case, error):
    offer = services.offer_create(credential=award, actor=SYSTEM)
    if case == "grant_type":
        response = token(client, offer, grant_type="authorization_code")
    elif case == "no_code":
        response = form(client, {"grant_type": PRE})
    elif case == "no_tx_code":
        response = token(client, offer, tx_code=None)
    else:
        response = form(client, {"grant_type": PRE, "pre-authorized_code": "x" * 43, "tx_code": offer.tx_code})
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response["Cache-Control"] == "no-store"


def test_a_tx_code_sent_for_a_same_device_offer_is_an_invalid_request(client, award):
    offer = services.offer_create(credential=award, cross_device=False, actor=SYSTEM)
    assert offer.tx_code is None and "tx_code" not in grant_of(offer)
    assert token(client, offer, tx_code="123456").json()["error"] == "invalid_request"
    assert token(client, offer, tx_code=None).status_code == 200


def test_three_wrong_transaction_codes_void_the_offer(client, award):
    offer = services.offer_create(credential=award, actor=SYSTEM)
    wrong = "000000" if offer.tx_code != "000000" else "111111"
    for _ in range(settings.WALLETS_TX_CODE_ATTEMPTS):
        assert token(client, offer, tx_code=wrong).json()["error"] == "invalid_grant"
    assert token(client, offer).json()["error"] == "invalid_grant", "even the right code no longer works"


def test_an_expired_offer_is_refused(client, award):
    offer = services.offer_create(credential=award, actor=SYSTEM)
    with freeze_time(timezone.now() + timedelta(seconds=settings.WALLETS_OFFER_TTL + 1)):
        assert token(client, offer).json()["error"] == "invalid_grant"


def test_a_token_form_must_be_form_encoded(client):
    response = client.post("/openid4vci/token", json.dumps({"grant_type": PRE}), content_type="application/json")
    assert response.json()["error"] == "invalid_request"


# --- the credential endpoint -----------------------------------------------------------------------------------


def test_without_a_valid_access_token_the_answer_is_401(client, award):
    for value in (None, "not-a-token"):
        response = credential(client, value, {"credential_configuration_id": "accueil-usagers.ldp_vc"})
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_an_expired_access_token_is_refused(client, award):
    access_token = access(client, award)
    with freeze_time(timezone.now() + timedelta(seconds=settings.WALLETS_ACCESS_TOKEN_TTL + 1)):
        response = credential(client, access_token, {"credential_configuration_id": "accueil-usagers.ldp_vc"})
    assert response.status_code == 401


@pytest.mark.parametrize("body,error", [
    ("not json", "invalid_credential_request"),
    ({}, "invalid_credential_request"),
    ({"credential_identifier": "x"}, "unknown_credential_identifier"),
    ({"credential_configuration_id": "autre-badge.ldp_vc"}, "unknown_credential_configuration"),
    ({"credential_configuration_id": "accueil-usagers.ldp_vc"}, "invalid_proof"),
    ({"credential_configuration_id": "accueil-usagers.ldp_vc", "proof": {"proof_type": "jwt", "jwt": "x"}},
     "invalid_credential_request"),
    ({"credential_configuration_id": "accueil-usagers.ldp_vc", "proofs": {"di_vp": [{}]}}, "invalid_proof"),
    ({"credential_configuration_id": "accueil-usagers.ldp_vc", "proofs": {"jwt": []}}, "invalid_proof"),
])
def test_credential_request_errors(client, award, body, error):
    response = credential(client, access(client, award), body)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_batch_issuance_is_not_offered(client, award):
    proofs = [key_proof_jwt(nonce=nonce(client)), key_proof_jwt(nonce=nonce(client))]
    response = credential(client, access(client, award), {"credential_configuration_id": "accueil-usagers.ldp_vc",
                                                          "proofs": {"jwt": proofs}})
    assert response.json()["error"] == "invalid_credential_request"


def test_a_proof_without_nonce_is_invalid_and_an_unknown_nonce_is_invalid_nonce(client, award):
    access_token = access(client, award)
    body = {"credential_configuration_id": "accueil-usagers.ldp_vc"}
    missing = credential(client, access_token, {**body, "proofs": {"jwt": [key_proof_jwt(nonce=None)]}})
    unknown = credential(client, access_token, {**body, "proofs": {"jwt": [key_proof_jwt(nonce="made-up")]}})
    assert missing.json()["error"] == "invalid_proof"
    assert unknown.json()["error"] == "invalid_nonce"


def test_an_expired_nonce_is_invalid_nonce(client, award):
    access_token, c_nonce = access(client, award), nonce(client)
    with freeze_time(timezone.now() + timedelta(seconds=settings.WALLETS_NONCE_TTL - 2)):
        ProofNonce.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = credential(client, access_token, {"credential_configuration_id": "accueil-usagers.ldp_vc",
                                                     "proofs": {"jwt": [key_proof_jwt(nonce=c_nonce)]}})
    assert response.json()["error"] == "invalid_nonce"


def test_one_credential_per_configuration_and_access_token(client, award):
    access_token = access(client, award)
    body = {"credential_configuration_id": "accueil-usagers.ldp_vc"}
    first = credential(client, access_token, {**body, "proofs": {"jwt": [key_proof_jwt(nonce=nonce(client))]}})
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    assert first.json()["credentials"][0]["credential"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    again = credential(client, access_token, {**body, "proofs": {"jwt": [key_proof_jwt(nonce=nonce(client))]}})
    assert again.json()["error"] == "credential_request_denied"
    assert CredentialCopy.objects.count() == 1


def test_a_badge_revoked_after_the_offer_is_denied(client, award):
    access_token = access(client, award)
    issuer_services.credential_revoke(credential=award, reason="Erreur", actor=SYSTEM)
    response = credential(client, access_token, {"credential_configuration_id": "accueil-usagers.jwt_vc_json",
                                                 "proofs": {"jwt": [key_proof_jwt(nonce=nonce(client))]}})
    assert response.json()["error"] == "credential_request_denied"
    assert not CredentialCopy.objects.exists()


def test_a_revoked_badge_gets_no_offer(award):
    issuer_services.credential_revoke(credential=award, reason="Erreur", actor=SYSTEM)
    with pytest.raises(issuer_services.Conflict):
        services.offer_create(credential=award, actor=SYSTEM)


# --- clean-up ----------------------------------------------------------------------------------------------------


def test_the_cleanup_task_removes_what_has_expired_and_keeps_the_rest(client, award):
    old = services.offer_create(credential=award, actor=SYSTEM)
    token(client, old)
    nonce(client)
    later = timezone.now() + timedelta(seconds=settings.WALLETS_OFFER_TTL + settings.WALLETS_ACCESS_TOKEN_TTL + 1)
    with freeze_time(later):
        services.offer_create(credential=award, actor=SYSTEM)
        nonce(client)
        counts = tasks.expired_delete()
    assert counts == {"access_tokens": 1, "nonces": 1, "offers": 1, "presentation_requests": 0}
    assert CredentialOffer.objects.count() == 1 and ProofNonce.objects.count() == 1
    assert not AccessToken.objects.exists()


def test_the_command_takes_a_url_and_prints_one_json_object(award):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("credential_offer", "--credential", f"{settings.BADGES_PUBLIC_URL}/credentials/{award.public_id}",
                 stdout=out)
    printed = json.loads(out.getvalue())
    assert set(printed) == {"offer_uri", "tx_code", "expires_at"}
    assert printed["offer_uri"].startswith("openid-credential-offer://?credential_offer=")
    assert len(printed["tx_code"]) == 6 and printed["tx_code"].isdigit()
    assert CredentialOffer.objects.get().learner is None


def test_the_command_refuses_an_unknown_credential(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("credential_offer", "--credential", "00000000-0000-0000-0000-000000000000")
