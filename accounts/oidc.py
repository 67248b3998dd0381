"""Single sign-on through OpenID Connect, on top of mozilla-django-oidc.

The library runs the authorization code flow (state, nonce, PKCE) and checks the ID token's signature
against the provider's JWKS with a pinned algorithm. This module adds what the library leaves out or
reads too early:

* the provider is configured by ``BADGES_OIDC_*`` settings; endpoints are explicit settings or come from
  the issuer's discovery document, fetched on the first sign-in that needs them and cached;
* nothing is read from the provider when a backend is instantiated (Django does that on every request
  of a signed-in user), and nothing at all when single sign-on is not configured;
* ID token claims: ``iss`` is the configured issuer, ``aud`` holds our client id (OpenID Connect Core 1.0
  §3.1.3.7), ``exp``/``iat``/``sub`` present; the UserInfo ``sub`` equals the ID token's (§5.3.4);
* people are matched by verified email and linked to their learner row (``accounts.services``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from badges_service.errors import ApplicationError

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600

# Provider metadata name -> the setting that overrides it (OpenID Connect Discovery 1.0 §3).
ENDPOINT_SETTINGS = {
    "authorization_endpoint": "BADGES_OIDC_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "BADGES_OIDC_TOKEN_ENDPOINT",
    "userinfo_endpoint": "BADGES_OIDC_USERINFO_ENDPOINT",
    "jwks_uri": "BADGES_OIDC_JWKS_URI",
    "end_session_endpoint": "BADGES_OIDC_END_SESSION_ENDPOINT",
}
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
# Symmetric algorithms would make the client secret a signing key; only the provider's keys may sign.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")


class ProviderUnavailable(ApplicationError):
    """The identity provider could not be reached, or described itself inconsistently."""

    status_code = 503
    code = "sso_provider_unavailable"


def oidc_enabled() -> bool:
    """Single sign-on is offered when an issuer, a client id and a client secret are configured."""
    return bool(settings.BADGES_OIDC_ISSUER and settings.BADGES_OIDC_CLIENT_ID and settings.BADGES_OIDC_CLIENT_SECRET)


def _discovery_cache_key(issuer: str) -> str:
    return "accounts:oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()


def provider_metadata() -> dict[str, Any]:
    """The issuer's discovery document (OpenID Connect Discovery 1.0 §4), fetched once per hour at most.

    §4.3: the ``issuer`` it states must be exactly the configured one, or it describes another provider.
    """
    issuer = settings.BADGES_OIDC_ISSUER
    key = _discovery_cache_key(issuer)
    metadata = cache.get(key)
    if metadata is not None:
        return metadata
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.BADGES_OIDC_TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"The discovery document of {issuer} could not be read: {exc}") from exc
    if not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
        raise ProviderUnavailable(f"The discovery document at {url} does not describe the issuer {issuer}.")
    missing = [name for name in REQUIRED_METADATA if not isinstance(metadata.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"The discovery document at {url} lacks {', '.join(missing)}.")
    cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return metadata


def endpoint(name: str) -> str:
    """A provider endpoint: the explicit setting when there is one, otherwise the discovery document's."""
    explicit = getattr(settings, ENDPOINT_SETTINGS[name], "")
    if explicit:
        return explicit
    explicit_required = [getattr(settings, ENDPOINT_SETTINGS[n], "") for n in REQUIRED_METADATA]
    if name == "end_session_endpoint" and all(explicit_required):
        return ""  # every endpoint was given explicitly: do not fetch discovery for an optional one
    value = provider_metadata().get(name, "")
    return value if isinstance(value, str) else ""


def sign_algorithm() -> str:
    algorithm = settings.BADGES_OIDC_SIGN_ALGO
    if algorithm not in ALLOWED_ALGORITHMS:
        raise ProviderUnavailable(f"BADGES_OIDC_SIGN_ALGO must be one of {', '.join(ALLOWED_ALGORITHMS)}.")
    return algorithm


# The library's setting names, answered from BADGES_OIDC_* settings (read when used, never at import).
_LIBRARY_SETTINGS = {
    "OIDC_RP_CLIENT_ID": lambda: settings.BADGES_OIDC_CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": lambda: settings.BADGES_OIDC_CLIENT_SECRET,
    "OIDC_RP_SIGN_ALGO": sign_algorithm,
    "OIDC_RP_SCOPES": lambda: settings.BADGES_OIDC_SCOPES,
    "OIDC_RP_IDP_SIGN_KEY": lambda: None,  # always the provider's JWKS
    "OIDC_OP_AUTHORIZATION_ENDPOINT": lambda: endpoint("authorization_endpoint"),
    "OIDC_OP_TOKEN_ENDPOINT": lambda: endpoint("token_endpoint"),
    "OIDC_OP_USER_ENDPOINT": lambda: endpoint("userinfo_endpoint"),
    "OIDC_OP_JWKS_ENDPOINT": lambda: endpoint("jwks_uri"),
    "OIDC_USE_PKCE": lambda: settings.BADGES_OIDC_USE_PKCE,
    "OIDC_USE_NONCE": lambda: True,
    "OIDC_ALLOW_UNSECURED_JWT": lambda: False,
    "OIDC_VERIFY_SSL": lambda: True,
    "OIDC_TIMEOUT": lambda: settings.BADGES_OIDC_TIMEOUT,
    "OIDC_CREATE_USER": lambda: True,
    "OIDC_STORE_ID_TOKEN": lambda: True,  # id_token_hint for signing out at the provider
    "OIDC_AUTH_REQUEST_EXTRA_PARAMS": lambda: dict(settings.BADGES_OIDC_EXTRA_AUTH_PARAMS),
    "OIDC_AUTHENTICATION_CALLBACK_URL": lambda: "accounts:oidc-callback",
}


def library_setting(attr: str, *args):
    """``get_settings`` for the library's classes."""
    if attr in _LIBRARY_SETTINGS:
        return _LIBRARY_SETTINGS[attr]()
    return import_from_settings(attr, *args)


def _audiences(payload: dict) -> list:
    aud = payload.get("aud")
    return aud if isinstance(aud, list) else [aud]


def check_token_claims(payload: dict, *, id_token: bool) -> None:
    """The claims of a verified ID token (or signed UserInfo response) are acceptable for this client.

    ID token: OpenID Connect Core 1.0 §3.1.3.7 steps 2-3 and 9-10 (the signature, algorithm, expiry and
    nonce were checked by the library). A signed UserInfo response SHOULD carry ``iss`` and ``aud``
    (§5.3.2); when it does they must be ours.
    """
    issuer, client_id = settings.BADGES_OIDC_ISSUER, settings.BADGES_OIDC_CLIENT_ID
    required = ("iss", "aud", "sub", "exp", "iat") if id_token else ("sub",)
    missing = [claim for claim in required if claim not in payload]
    if missing:
        raise SuspiciousOperation(f"The token lacks the claims {', '.join(missing)}.")
    if "iss" in payload and payload["iss"] != issuer:
        raise SuspiciousOperation("The token was issued by another provider.")
    if "aud" in payload:
        audiences = _audiences(payload)
        if client_id not in audiences:
            raise SuspiciousOperation("The token was issued for another client.")
        if id_token and (len(audiences) > 1 or "azp" in payload) and payload.get("azp") != client_id:
            raise SuspiciousOperation("The token's authorized party is another client.")


def email_is_verified(claims: dict) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


class OIDCBackend(OIDCAuthenticationBackend):
    """Authentication backend for the OpenID Connect callback only.

    Django instantiates every backend on each ``authenticate()`` and the session's backend on each request
    of a signed-in person, so nothing here reads the provider's configuration until a callback needs it.
    """

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    get_settings = staticmethod(library_setting)

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: self.get_settings("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: self.get_settings("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: self.get_settings("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: self.get_settings("OIDC_RP_CLIENT_ID"))
    OIDC_RP_CLIENT_SECRET = property(lambda self: self.get_settings("OIDC_RP_CLIENT_SECRET"))
    OIDC_RP_SIGN_ALGO = property(lambda self: self.get_settings("OIDC_RP_SIGN_ALGO"))
    OIDC_RP_IDP_SIGN_KEY = property(lambda self: None)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce (taken from the session entry of the returned state); a
        # password sign-in, or a sign-in page URL carrying ?code=&state=, never reaches the token endpoint.
        if request is None or "nonce" not in kwargs or "password" in kwargs or not oidc_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("The provider returned no ID token.")
        payload = super().verify_token(token, **kwargs)  # signature (provider's JWKS, pinned alg), exp, nonce
        check_token_claims(payload, id_token="nonce" in kwargs)
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        from .services import SignInRefused, user_from_sso

        user_info = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(user_info, dict) or user_info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The UserInfo response is about another person than the ID token.")
        claims = {**payload, **user_info}
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise SuspiciousOperation("The provider did not share an email address.")
        if settings.BADGES_OIDC_REQUIRE_VERIFIED_EMAIL and not email_is_verified(claims):
            raise SuspiciousOperation("The provider did not state that the email address is verified.")
        try:
            return user_from_sso(
                email=email.strip(),
                given_name=str(claims.get("given_name") or ""),
                family_name=str(claims.get("family_name") or claims.get("usual_name") or ""),
            )
        except SignInRefused as exc:
            raise SuspiciousOperation(exc.message) from exc
