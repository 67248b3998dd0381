"""Real HTTP against the live server: a client registers, a person signs in and consents, the client calls the API.

``OAuthClient`` plays the client application (a wallet or another backpack); the person's browser is a
``requests`` session carrying the Django session cookie of a signed-in account.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client

from obapi.scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE
from tests.issuers.factories import UserFactory

ALL_SCOPES = " ".join([CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE])
REDIRECT_URI = "https://wallet.example.test/callback"


def registration_request(**overrides) -> dict:
    body = {
        "client_name": "Portefeuille Exemple",
        "client_uri": "https://wallet.example.test/",
        "logo_uri": "https://wallet.example.test/logo.png",
        "tos_uri": "https://wallet.example.test/conditions",
        "policy_uri": "https://wallet.example.test/confidentialite",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "4.0.1",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL_SCOPES,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Browser:
    """The signed-in person's browser."""

    base: str
    session: requests.Session

    def consent(self, params: dict, *, allow: bool = True) -> requests.Response:
        """Open the authorization page with ``params`` and answer it; returns the final (unfollowed) response."""
        page = self.session.get(f"{self.base}/oauth/authorize?{urlencode(params)}", allow_redirects=False)
        if page.status_code != 200:
            return page
        form = hidden_inputs(page.text)
        if allow:
            form["allow"] = "on"
        return self.session.post(f"{self.base}/oauth/authorize?{urlencode(params)}", data=form, allow_redirects=False,
                                 headers={"Referer": f"{self.base}/oauth/authorize"})


@dataclass
class OAuthClient:
    base: str
    registration: dict
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def client_id(self) -> str:
        return self.registration["client_id"]

    def auth(self):
        secret = self.registration.get("client_secret")
        return (self.client_id, secret) if secret else None

    def authorization_params(self, *, scope: str = ALL_SCOPES, challenge: str | None = None, **extra) -> dict:
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": REDIRECT_URI,
                  "scope": scope, "state": "etat-123"}
        if challenge is not None:
            params.update(code_challenge=challenge, code_challenge_method="S256")
        params.update(extra)
        return {k: v for k, v in params.items() if v is not None}

    def exchange(self, code: str, verifier: str | None, *, redirect_uri: str = REDIRECT_URI) -> requests.Response:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier is not None:
            data["code_verifier"] = verifier
        if self.auth() is None:
            data["client_id"] = self.client_id
        return self.http.post(f"{self.base}/oauth/token", data=data, auth=self.auth())

    def refresh(self, refresh_token: str) -> requests.Response:
        return self.http.post(f"{self.base}/oauth/token", auth=self.auth(),
                              data={"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, token: str, hint: str = "access_token") -> requests.Response:
        return self.http.post(f"{self.base}/oauth/revoke", auth=self.auth(),
                              data={"token": token, "token_type_hint": hint})

    def access_token(self, browser: Browser, *, scope: str = ALL_SCOPES) -> dict:
        """The whole authorization code + PKCE flow; returns the token response."""
        verifier, challenge = pkce_pair()
        answer = browser.consent(self.authorization_params(scope=scope, challenge=challenge))
        assert answer.status_code == 302, answer.text[:500]
        code = query_of(answer.headers["Location"])["code"]
        token = self.exchange(code, verifier)
        assert token.status_code == 200, token.text
        return token.json()

    def api(self, method: str, path: str, token: str | None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, f"{self.base}/ims/ob/v3p0/{path}", headers=headers, **kwargs)


@pytest.fixture
def base(live_server) -> str:
    return live_server.url


@pytest.fixture
def register(base):
    def register(**overrides) -> requests.Response:
        return requests.post(f"{base}/oauth/register", json=registration_request(**overrides))
    return register


@pytest.fixture
def oauth_client(base, register) -> OAuthClient:
    answer = register()
    assert answer.status_code == 201, answer.text
    return OAuthClient(base, answer.json())


@pytest.fixture
def signed_in(base, transactional_db):
    """A browser for a user, signed in with a real session (Django's test client writes it to the database)."""
    def signed_in(user) -> Browser:
        django_client = Client()
        django_client.force_login(user)
        session = requests.Session()
        cookie = django_client.cookies[settings.SESSION_COOKIE_NAME].value
        session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
        # The CSRF cookie comes with the first page, as in a browser.
        return Browser(base, session)
    return signed_in


@pytest.fixture
def camille(transactional_db):
    return UserFactory(username="camille", email="camille.dupont@ville-exemple.fr", first_name="Camille",
                       last_name="Dupont")


@pytest.fixture
def dominique(transactional_db):
    return UserFactory(username="dominique", email="dominique.martin@ville-exemple.fr")
