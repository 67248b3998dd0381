"""ID token checks, with tokens signed by the test provider's own key (so the signature is valid and served
by the provider's real JWKS endpoint) but with one claim or header wrong at a time."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from accounts.oidc import OIDCBackend, ProviderUnavailable, provider_metadata

pytestmark = pytest.mark.interop

NONCE = "n" * 32


def _claims(provider, **changes):
    now = int(time.time())
    claims = {"iss": provider.issuer, "aud": provider.client_id, "sub": "camille", "nonce": NONCE,
              "iat": now, "exp": now + 300}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(provider, claims, *, key=None, kid=None, algorithm="RS256"):
    return jwt.encode(claims, key or provider.private_key, algorithm=algorithm,
                      headers={"kid": kid or provider.kid})


def test_a_well_formed_id_token_signed_by_the_provider_is_accepted(oidc_settings, oidc_provider):
    """The control case: the refusals below are about the one thing each of them changes."""
    payload = OIDCBackend().verify_token(_sign(oidc_provider, _claims(oidc_provider)), nonce=NONCE)

    assert payload["sub"] == "camille"


@pytest.mark.parametrize(("change", "reason"), [
    ({"iss": "https://autre-fournisseur.example"}, "another provider"),
    ({"aud": "un-autre-client"}, "another client"),
    ({"aud": ["villeapp-badges", "un-autre-client"]}, "authorized party"),
    ({"azp": "un-autre-client"}, "authorized party"),
    ({"iss": None}, "lacks the claims iss"),
    ({"aud": None}, "lacks the claims aud"),
    ({"exp": None}, "lacks the claims exp"),
    ({"nonce": "m" * 32}, "Nonce"),
])
def test_an_id_token_with_a_wrong_claim_is_refused(oidc_settings, oidc_provider, change, reason):
    token = _sign(oidc_provider, _claims(oidc_provider, **change))

    with pytest.raises(SuspiciousOperation, match=reason):
        OIDCBackend().verify_token(token, nonce=NONCE)


def test_an_expired_id_token_is_refused(oidc_settings, oidc_provider):
    token = _sign(oidc_provider, _claims(oidc_provider, iat=int(time.time()) - 900, exp=int(time.time()) - 600))

    with pytest.raises(jwt.ExpiredSignatureError):
        OIDCBackend().verify_token(token, nonce=NONCE)


def test_an_id_token_signed_by_another_key_with_the_providers_key_id_is_refused(oidc_settings, oidc_provider):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _sign(oidc_provider, _claims(oidc_provider), key=forger)

    with pytest.raises(SuspiciousOperation, match="verification failed"):
        OIDCBackend().verify_token(token, nonce=NONCE)


def test_an_id_token_naming_a_key_the_provider_does_not_publish_is_refused(oidc_settings, oidc_provider):
    token = _sign(oidc_provider, _claims(oidc_provider), kid="cle-inconnue")

    with pytest.raises(SuspiciousOperation, match="valid JWKS"):
        OIDCBackend().verify_token(token, nonce=NONCE)


def test_an_id_token_signed_with_the_client_secret_is_refused(oidc_settings, oidc_provider):
    """HS256 with the client secret would let anyone holding the secret mint identities."""
    token = _sign(oidc_provider, _claims(oidc_provider), key=oidc_provider.client_secret, algorithm="HS256")

    with pytest.raises(SuspiciousOperation, match="valid JWKS|does not match"):
        OIDCBackend().verify_token(token, nonce=NONCE)


def test_an_unsigned_id_token_is_refused(oidc_settings, oidc_provider):
    token = jwt.encode(_claims(oidc_provider), None, algorithm="none", headers={"kid": oidc_provider.kid})

    with pytest.raises(SuspiciousOperation):
        OIDCBackend().verify_token(token, nonce=NONCE)


def test_the_discovery_document_must_name_the_configured_issuer(oidc_settings, oidc_provider):
    """Same URL with a trailing slash: the provider's document states another issuer string."""
    oidc_settings.BADGES_OIDC_ISSUER = oidc_provider.issuer + "/"

    with pytest.raises(ProviderUnavailable, match="does not describe the issuer"):
        provider_metadata()


def test_the_discovery_document_gives_the_endpoints(oidc_settings, oidc_provider):
    metadata = provider_metadata()

    assert {name: metadata[name] for name in oidc_provider.discovery} == oidc_provider.discovery


def test_a_password_sign_in_never_redeems_a_code_found_in_its_url(oidc_settings, monkeypatch, db):
    """The backend acts only for the callback: ``authenticate(username=, password=)`` with a request whose
    query has code and state must not reach the token endpoint."""
    def no_token_request(*args, **kwargs):
        raise AssertionError("the token endpoint was called")

    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", no_token_request)
    request = RequestFactory().post("/comptes/connexion/?code=abc&state=def")

    assert OIDCBackend().authenticate(request, username="camille", password="x") is None
