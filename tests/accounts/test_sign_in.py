"""Local accounts: the sign-in page, sign-out, safe redirects, failure counters; single sign-on hidden when
it is not configured."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from tests.issuers.factories import UserFactory

PASSWORD = "motdepasse-solide-42"  # UserFactory's
BAD_LOGIN = "Identifiant ou mot de passe incorrect."
SIGN_IN = "/comptes/connexion/"


@pytest.fixture
def agent(db):
    return UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_the_sign_in_page_is_in_french_with_labelled_fields(client, db):
    page = client.get(SIGN_IN)

    body = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="fr">' in body and "<h1>Connexion</h1>" in body
    assert '<label for="id_username">Identifiant</label>' in body
    assert '<label for="id_password">Mot de passe</label>' in body
    assert 'autocomplete="current-password"' in body


def test_signing_in_with_the_right_password_opens_the_passport(client, agent):
    response = client.post(SIGN_IN, {"username": "camille", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/passeport/"
    assert _signed_in(client)


def test_a_wrong_password_is_announced_and_signs_nobody_in(client, agent):
    response = client.post(SIGN_IN, {"username": "camille", "password": "pas-le-bon"})

    body = response.content.decode()
    assert response.status_code == 200 and not _signed_in(client)
    assert 'role="alert"' in body and BAD_LOGIN in body
    assert 'value="camille"' in body  # the username is kept, the password is not
    assert "pas-le-bon" not in body


def test_empty_fields_are_marked_invalid_and_described(client, db):
    body = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()

    assert "Saisissez votre identifiant." in body and "Saisissez votre mot de passe." in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_username_error"' in body and 'id="id_username_error"' in body


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/issuers/direction-des-ressources-humaines", "/issuers/direction-des-ressources-humaines"),
    ("/equipe/?competence=CMP-1", "/equipe/?competence=CMP-1"),
    ("https://hameconnage.example/", "/passeport/"),
    ("//hameconnage.example/", "/passeport/"),
    ("/\\hameconnage.example/", "/passeport/"),
    ("https:///hameconnage.example/", "/passeport/"),
    ("javascript:alert(1)", "/passeport/"),
])
def test_after_sign_in_only_a_local_next_page_is_followed(client, agent, next_url, expected):
    response = client.post(f"{SIGN_IN}", {"username": "camille", "password": PASSWORD, "next": next_url})

    assert response.status_code == 302 and response["Location"] == expected


def test_the_next_page_is_carried_by_the_form(client, db):
    body = client.get(SIGN_IN, {"next": "/equipe/"}).content.decode()

    assert '<input type="hidden" name="next" value="/equipe/">' in body


def test_signing_out_needs_a_post(client, agent):
    client.force_login(agent)

    assert client.get("/comptes/deconnexion/").status_code == 405
    assert _signed_in(client)


def test_signing_out_ends_the_session_and_goes_home(client, agent):
    client.force_login(agent)

    response = client.post("/comptes/deconnexion/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert not _signed_in(client)


def test_signing_out_is_protected_against_cross_site_requests(agent):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(agent)

    assert csrf_client.post("/comptes/deconnexion/").status_code == 403
    assert SESSION_KEY in csrf_client.session


def test_repeated_failures_block_the_username_even_with_the_right_password(client, agent, settings):
    settings.BADGES_SIGNIN_MAX_FAILURES_PER_USERNAME = 3
    for _ in range(3):
        client.post(SIGN_IN, {"username": "camille", "password": "pas-le-bon"})

    response = client.post(SIGN_IN, {"username": "Camille", "password": PASSWORD})

    assert not _signed_in(client)
    assert "Trop de tentatives de connexion ont échoué" in response.content.decode()


def test_failures_for_one_username_do_not_block_another(client, agent, settings):
    settings.BADGES_SIGNIN_MAX_FAILURES_PER_USERNAME = 3
    UserFactory(username="dominique")
    for _ in range(3):
        client.post(SIGN_IN, {"username": "camille", "password": "pas-le-bon"})

    client.post(SIGN_IN, {"username": "dominique", "password": PASSWORD})

    assert _signed_in(client)


def test_repeated_failures_from_one_address_block_it(client, agent, settings):
    settings.BADGES_SIGNIN_MAX_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        client.post(SIGN_IN, {"username": f"inconnu{n}", "password": "x"})

    response = client.post(SIGN_IN, {"username": "camille", "password": PASSWORD})

    assert not _signed_in(client)
    assert "Trop de tentatives" in response.content.decode()


def test_a_success_clears_the_username_failures(client, agent, settings):
    settings.BADGES_SIGNIN_MAX_FAILURES_PER_USERNAME = 3
    for _ in range(2):
        client.post(SIGN_IN, {"username": "camille", "password": "pas-le-bon"})
    client.post(SIGN_IN, {"username": "camille", "password": PASSWORD})
    client.logout()
    for _ in range(2):
        client.post(SIGN_IN, {"username": "camille", "password": "pas-le-bon"})

    client.post(SIGN_IN, {"username": "camille", "password": PASSWORD})

    assert _signed_in(client)


def test_without_single_sign_on_configured_there_is_no_button_and_its_endpoints_are_not_found(client, db, settings):
    settings.BADGES_OIDC_ISSUER = ""

    assert 'id="signin-sso"' not in client.get(SIGN_IN).content.decode()
    assert client.get("/comptes/oidc/connexion/").status_code == 404
    assert client.get("/comptes/oidc/retour/?code=abc&state=def").status_code == 404


def test_with_single_sign_on_configured_the_button_keeps_the_next_page(client, db, settings):
    settings.BADGES_OIDC_ISSUER = "https://proconnect.example"
    settings.BADGES_OIDC_CLIENT_ID = "client"
    settings.BADGES_OIDC_CLIENT_SECRET = "secret"
    settings.BADGES_OIDC_PROVIDER_NAME = "ProConnect"

    body = client.get(SIGN_IN, {"next": "/equipe/"}).content.decode()

    assert '<a class="button" href="/comptes/oidc/connexion/?next=%2Fequipe%2F" id="signin-sso">' in body
    assert "Se connecter avec ProConnect" in body


def test_a_signed_in_page_view_reads_nothing_from_the_provider(client, agent, settings, monkeypatch):
    """The OpenID Connect backend is instantiated for each request of a person it signed in: that must not
    fetch the discovery document."""
    settings.BADGES_OIDC_ISSUER = "https://proconnect.example"
    settings.BADGES_OIDC_CLIENT_ID = "client"
    settings.BADGES_OIDC_CLIENT_SECRET = "secret"

    def no_request(*args, **kwargs):
        raise AssertionError("the provider was contacted")

    monkeypatch.setattr("accounts.oidc.requests.get", no_request)
    client.force_login(agent, backend="accounts.oidc.OIDCBackend")

    assert client.get("/").status_code == 200
    assert "Se déconnecter" in client.get("/").content.decode()
