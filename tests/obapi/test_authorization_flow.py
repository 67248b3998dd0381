"""OAuth 2.0 authorization code with PKCE (OB 3.0 §7.1.2), over real HTTP: consent, exchange, refresh, revoke."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import AccessToken

from obapi.scopes import CREDENTIAL_READONLY, PROFILE_READONLY

from .conftest import REDIRECT_URI, pkce_pair, query_of


def test_a_signed_in_person_consents_and_the_client_gets_tokens_for_the_granted_scopes(oauth_client, signed_in,
                                                                                       camille):
    browser = signed_in(camille)
    verifier, challenge = pkce_pair()
    params = oauth_client.authorization_params(scope=f"{CREDENTIAL_READONLY} {PROFILE_READONLY}",
                                               challenge=challenge)
    page = browser.session.get(f"{oauth_client.base}/oauth/authorize", params=params)
    assert page.status_code == 200
    assert "Portefeuille Exemple" in page.text
    assert "https://wallet.example.test/conditions" in page.text  # OB 3.0 §7.1.2: show the client's terms
    assert "https://wallet.example.test/confidentialite" in page.text

    answer = browser.consent(params)

    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    returned = query_of(location)
    assert returned["state"] == "etat-123"
    assert returned["iss"] == oauth_client.base  # RFC 9207: the client can tell which server answered
    token = oauth_client.exchange(returned["code"], verifier)
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {CREDENTIAL_READONLY, PROFILE_READONLY}
    assert body["refresh_token"]
    assert token.headers["Cache-Control"] == "no-store"


def test_the_authorization_page_sends_a_person_who_is_not_signed_in_to_the_sign_in_page(oauth_client, base):
    _, challenge = pkce_pair()
    answer = requests.get(f"{base}/oauth/authorize", params=oauth_client.authorization_params(challenge=challenge),
                          allow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(settings.LOGIN_URL + "?next=")


def test_a_person_who_refuses_sends_the_client_access_denied(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge), allow=False)
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"]) == {"error": "access_denied", "state": "etat-123"}


def test_a_wrong_code_verifier_is_refused(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge))
    token = oauth_client.exchange(query_of(answer.headers["Location"])["code"], other_verifier)
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_grant"


def test_a_missing_code_verifier_is_refused(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge))
    token = oauth_client.exchange(query_of(answer.headers["Location"])["code"], None)
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_request"


def test_the_plain_pkce_method_is_refused_before_the_consent_page(oauth_client, signed_in, camille):
    verifier, _ = pkce_pair()
    params = oauth_client.authorization_params(code_challenge=verifier, code_challenge_method="plain")
    answer = signed_in(camille).consent(params)
    assert answer.status_code == 302
    returned = query_of(answer.headers["Location"])
    assert returned["error"] == "invalid_request"
    assert "code" not in returned


def test_a_challenge_without_its_method_is_taken_as_plain_and_refused(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(code_challenge=challenge))
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_request"


def test_an_authorization_request_without_pkce_is_refused(oauth_client, signed_in, camille):
    answer = signed_in(camille).consent(oauth_client.authorization_params())
    assert answer.status_code == 302
    returned = query_of(answer.headers["Location"])
    assert returned["error"] == "invalid_request"
    assert "code" not in returned


def test_an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    params = oauth_client.authorization_params(challenge=challenge, redirect_uri="https://wallet.example.test/autre")
    answer = signed_in(camille).session.get(f"{oauth_client.base}/oauth/authorize", params=params,
                                            allow_redirects=False)
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "ne peut pas aboutir" in answer.text


def test_an_authorization_request_without_redirect_uri_is_refused(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    params = oauth_client.authorization_params(challenge=challenge, redirect_uri=None)
    answer = signed_in(camille).session.get(f"{oauth_client.base}/oauth/authorize", params=params,
                                            allow_redirects=False)
    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_the_token_request_must_repeat_the_redirect_uri_of_the_authorization(oauth_client, signed_in, camille):
    verifier, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge))
    token = oauth_client.exchange(query_of(answer.headers["Location"])["code"], verifier,
                                  redirect_uri="https://wallet.example.test/autre")
    assert token.status_code == 400
    assert token.json()["error"] in ("invalid_request", "invalid_grant")


def test_an_authorization_request_without_scope_is_refused(oauth_client, signed_in, camille):
    _, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge, scope=None))
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_scope"


def test_a_client_cannot_ask_for_a_scope_it_did_not_register(base, register, signed_in, camille):
    from .conftest import OAuthClient

    client = OAuthClient(base, register(scope=CREDENTIAL_READONLY).json())
    _, challenge = pkce_pair()
    answer = signed_in(camille).consent(client.authorization_params(challenge=challenge, scope=PROFILE_READONLY))
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_scope"


def test_a_code_is_used_once(oauth_client, signed_in, camille):
    verifier, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge))
    code = query_of(answer.headers["Location"])["code"]
    assert oauth_client.exchange(code, verifier).status_code == 200
    again = oauth_client.exchange(code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_confidential_client_must_authenticate_at_the_token_endpoint(oauth_client, signed_in, camille):
    verifier, challenge = pkce_pair()
    answer = signed_in(camille).consent(oauth_client.authorization_params(challenge=challenge))
    code = query_of(answer.headers["Location"])["code"]
    token = oauth_client.http.post(f"{oauth_client.base}/oauth/token", auth=(oauth_client.client_id, "mauvais"),
                                   data={"grant_type": "authorization_code", "code": code,
                                         "redirect_uri": REDIRECT_URI, "code_verifier": verifier})
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"


def test_a_refresh_token_gives_a_new_access_token_once(oauth_client, signed_in, camille):
    tokens = oauth_client.access_token(signed_in(camille))
    refreshed = oauth_client.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()
    assert fresh["access_token"] != tokens["access_token"]
    assert oauth_client.api("GET", "credentials", fresh["access_token"]).status_code == 200
    # Rotated: the old refresh token is spent; reusing it revokes the new family too (RFC 9700 §4.14.2).
    assert oauth_client.refresh(tokens["refresh_token"]).status_code == 400
    assert oauth_client.api("GET", "credentials", fresh["access_token"]).status_code == 401


def test_a_client_registered_without_refresh_token_gets_none(base, register, signed_in, camille):
    from .conftest import OAuthClient

    client = OAuthClient(base, register(grant_types=["authorization_code"]).json())
    tokens = client.access_token(signed_in(camille))
    assert "refresh_token" not in tokens


def test_a_revoked_access_token_no_longer_opens_the_api(oauth_client, signed_in, camille):
    tokens = oauth_client.access_token(signed_in(camille))
    assert oauth_client.api("GET", "credentials", tokens["access_token"]).status_code == 200
    assert oauth_client.revoke(tokens["access_token"]).status_code == 200
    answer = oauth_client.api("GET", "credentials", tokens["access_token"])
    assert answer.status_code == 401
    assert answer.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == \
        "unauthorizedrequest"


def test_a_revoked_refresh_token_cannot_be_used(oauth_client, signed_in, camille):
    tokens = oauth_client.access_token(signed_in(camille))
    assert oauth_client.revoke(tokens["refresh_token"], hint="refresh_token").status_code == 200
    assert oauth_client.refresh(tokens["refresh_token"]).status_code == 400


def test_an_expired_access_token_no_longer_opens_the_api(oauth_client, signed_in, camille):
    tokens = oauth_client.access_token(signed_in(camille))
    checksum = hashlib.sha256(tokens["access_token"].encode()).hexdigest()
    AccessToken.objects.filter(token_checksum=checksum).update(expires=timezone.now() - timedelta(seconds=1))
    answer = oauth_client.api("GET", "credentials", tokens["access_token"])
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_tokens_are_stored_as_checksums_only(oauth_client, signed_in, camille):
    tokens = oauth_client.access_token(signed_in(camille))
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    assert AccessToken.objects.filter(token_checksum=hashlib.sha256(tokens["access_token"].encode()).hexdigest(),
                                      user=camille).exists()
