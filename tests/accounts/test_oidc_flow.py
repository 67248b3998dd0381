"""Single sign-on against a real OpenID Connect provider (oidc-provider, started by the tests), over real HTTP:
our sign-in page -> the provider's sign-in form -> our callback -> signed in, learner linked."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from learners.models import Learner
from tests.accounts.conftest import TEST_PASSWORD

pytestmark = pytest.mark.interop

SSO_FAILED = "La connexion par l’authentification unique n’a pas abouti"


def _attr(page: str, pattern: str) -> str:
    match = re.search(pattern, page)
    assert match, f"{pattern!r} not found in the page"
    return html.unescape(match.group(1))


def _start(session: requests.Session, live_url: str, next_url: str = "/?depuis=sso") -> requests.Response:
    """Open our sign-in page, click the single sign-on button; answer: the provider's sign-in form."""
    page = session.get(f"{live_url}/comptes/connexion/?" + urlencode({"next": next_url}))
    assert page.status_code == 200
    href = _attr(page.text, r'<a class="button" href="([^"]+)" id="signin-sso">')
    form = session.get(urljoin(live_url, href))
    assert form.status_code == 200, form.text[:500]
    return form


def _sign_in_at_provider(session: requests.Session, form: requests.Response, login: str,
                         password: str = TEST_PASSWORD) -> requests.Response:
    """Submit the provider's form and follow the provider's redirects, stopping before our callback."""
    action = urljoin(form.url, _attr(form.text, r'<form method="post" action="([^"]+)"'))
    response = session.post(action, data={"login": login, "password": password}, allow_redirects=False)
    while response.is_redirect and "/comptes/oidc/retour/" not in response.headers["Location"]:
        response = session.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False)
    return response


def _callback_url(response: requests.Response) -> str:
    assert response.is_redirect, (response.status_code, response.text[:500])
    return urljoin(response.url, response.headers["Location"])


def _signed_in(page: str) -> bool:
    return "Se déconnecter" in page


@pytest.fixture
def agent(transactional_db):
    """The learner row the provider's test account will be linked to (made before any account exists)."""
    return Learner.objects.create(email="Camille.Dupont@ville-exemple.fr", display_name="")


def test_signing_in_through_the_provider_signs_in_and_links_the_learner(oidc_settings, oidc_provider, live_server,
                                                                        agent):
    """The whole authorization code flow: button, provider form, callback, session; the learner row of the
    verified email is linked to the new account and the requested page is shown."""
    session = requests.Session()
    form = _start(session, live_server.url)
    authorization = form.history[0]  # our redirect to the provider's authorization endpoint
    query = parse_qs(urlsplit(authorization.headers["Location"]).query)
    assert authorization.headers["Location"].startswith(f"{oidc_provider.issuer}/auth?")
    assert query["response_type"] == ["code"] and query["client_id"] == [oidc_provider.client_id]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32

    callback = _sign_in_at_provider(session, form, "camille")
    landing = session.get(_callback_url(callback))

    assert landing.status_code == 200
    assert landing.url == f"{live_server.url}/?depuis=sso"
    assert _signed_in(landing.text) and "Camille Dupont" in landing.text
    user = get_user_model().objects.get(email__iexact="camille.dupont@ville-exemple.fr")
    assert (user.first_name, user.last_name) == ("Camille", "Dupont")
    assert not user.has_usable_password()
    agent.refresh_from_db()
    assert agent.user == user and agent.display_name == "Camille Dupont"


def test_an_existing_account_with_the_verified_email_is_the_one_signed_in(oidc_settings, live_server,
                                                                          transactional_db):
    existing = get_user_model().objects.create_user("cdupont", email="camille.dupont@ville-exemple.fr",
                                                    password="motdepasse-local-42")
    session = requests.Session()
    landing = session.get(_callback_url(_sign_in_at_provider(session, _start(session, live_server.url), "camille")))

    assert _signed_in(landing.text)
    assert get_user_model().objects.filter(email__iexact="camille.dupont@ville-exemple.fr").count() == 1
    assert Learner.objects.get(user=existing).email == "camille.dupont@ville-exemple.fr"  # created, linked


def test_a_tampered_state_is_refused(oidc_settings, live_server, transactional_db, caplog):
    session = requests.Session()
    callback = _callback_url(_sign_in_at_provider(session, _start(session, live_server.url), "camille"))
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    query["state"] = [query["state"][0][:-4] + "AAAA"]
    tampered = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))

    page = session.get(tampered)

    assert page.url.startswith(f"{live_server.url}/comptes/connexion/")
    assert SSO_FAILED in page.text and not _signed_in(page.text)
    assert not get_user_model().objects.exists()
    assert "state not found" in caplog.text


def test_a_callback_cannot_be_replayed(oidc_settings, live_server, transactional_db):
    """The state is used once: after signing out, the same callback URL signs nobody in."""
    session = requests.Session()
    callback = _callback_url(_sign_in_at_provider(session, _start(session, live_server.url), "camille"))
    assert _signed_in(session.get(callback).text)
    home = session.get(f"{live_server.url}/")
    token = _attr(home.text, r'name="csrfmiddlewaretoken" value="([^"]+)"')
    signed_out = session.post(f"{live_server.url}/comptes/deconnexion/", data={"csrfmiddlewaretoken": token},
                              allow_redirects=False)
    assert signed_out.status_code == 302

    page = session.get(callback)

    assert SSO_FAILED in page.text and not _signed_in(page.text)


def test_a_callback_from_another_browser_session_is_refused(oidc_settings, live_server, transactional_db):
    """Login CSRF: a code and state obtained by someone else cannot sign this browser in."""
    attacker = requests.Session()
    callback = _callback_url(_sign_in_at_provider(attacker, _start(attacker, live_server.url), "camille"))

    victim = requests.Session()
    victim.get(f"{live_server.url}/comptes/connexion/")
    page = victim.get(callback)

    assert SSO_FAILED in page.text and not _signed_in(page.text)


def test_an_email_the_provider_has_not_verified_is_refused(oidc_settings, live_server, transactional_db, caplog):
    session = requests.Session()
    page = session.get(_callback_url(_sign_in_at_provider(session, _start(session, live_server.url), "dominique")))

    assert SSO_FAILED in page.text and not _signed_in(page.text)
    assert not get_user_model().objects.filter(email__iexact="dominique.martin@ville-exemple.fr").exists()
    assert "did not state that the email address is verified" in caplog.text


def test_an_id_token_from_another_issuer_is_refused(oidc_settings, oidc_provider, live_server, transactional_db,
                                                    caplog):
    """The endpoints are the provider's, but the configured issuer is not the one that signs the ID token."""
    for name, url in oidc_provider.discovery.items():
        setattr(oidc_settings, {"authorization_endpoint": "BADGES_OIDC_AUTHORIZATION_ENDPOINT",
                                "token_endpoint": "BADGES_OIDC_TOKEN_ENDPOINT",
                                "userinfo_endpoint": "BADGES_OIDC_USERINFO_ENDPOINT",
                                "jwks_uri": "BADGES_OIDC_JWKS_URI",
                                "end_session_endpoint": "BADGES_OIDC_END_SESSION_ENDPOINT"}[name], url)
    oidc_settings.BADGES_OIDC_ISSUER = "https://autre-fournisseur.example"
    session = requests.Session()
    page = session.get(_callback_url(_sign_in_at_provider(session, _start(session, live_server.url), "camille")))

    assert SSO_FAILED in page.text and not _signed_in(page.text)
    assert not get_user_model().objects.exists()
    assert "issued by another provider" in caplog.text


def test_without_pkce_the_provider_refuses_so_the_challenge_is_really_sent(oidc_settings, oidc_provider, live_server,
                                                                           transactional_db):
    """The test provider requires PKCE: switching it off on our side must fail, which shows the successful
    flows above do send the challenge and verifier."""
    oidc_settings.BADGES_OIDC_USE_PKCE = False
    session = requests.Session()
    page = session.get(f"{live_server.url}/comptes/connexion/")
    href = _attr(page.text, r'<a class="button" href="([^"]+)" id="signin-sso">')

    result = session.get(urljoin(live_server.url, href))  # the provider redirects back with an error

    assert result.url.startswith(f"{live_server.url}/comptes/connexion/")
    assert SSO_FAILED in result.text and not _signed_in(result.text)
    assert "PKCE" in oidc_provider.last_log()


def test_signing_out_after_single_sign_on_ends_the_provider_session_too(oidc_settings, oidc_provider,
                                                                        live_server, transactional_db):
    session = requests.Session()
    landing = session.get(_callback_url(_sign_in_at_provider(session, _start(session, live_server.url), "camille")))
    token = _attr(landing.text, r'name="csrfmiddlewaretoken" value="([^"]+)"')

    response = session.post(f"{live_server.url}/comptes/deconnexion/", data={"csrfmiddlewaretoken": token},
                            allow_redirects=False)

    location = response.headers["Location"]
    assert location.startswith(f"{oidc_provider.issuer}/session/end?")
    params = parse_qs(urlsplit(location).query)
    assert params["post_logout_redirect_uri"] == [f"{live_server.url}/"] and params["id_token_hint"][0].count(".") == 2
    confirm = session.get(location)  # the provider asks to confirm: a real page of the provider
    assert confirm.status_code == 200, oidc_provider.last_log()
    assert not _signed_in(session.get(f"{live_server.url}/").text)
