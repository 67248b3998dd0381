"""Dynamic client registration for the Open Badges API (RFC 7591, as profiled by OB 3.0 §7.1.1).

Strict on purpose: every property OB 3.0 marks required must be there; every URL is ``https`` and on one
hostname (OB 3.0 §7.1.1), except that a native app (``token_endpoint_auth_method`` ``none``, a public
client) may use ``http`` loopback redirect URIs on 127.0.0.1 or [::1] (RFC 8252 §7.3, any port);
``localhost`` is refused (RFC 8252 §8.3). Only the authorization code grant (with refresh tokens) and
the ``code`` response type exist. The result is a django-oauth-toolkit ``Application`` plus the
registration metadata it has no field for.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.models import get_application_model

from .models import ClientRegistration
from .scopes import KNOWN_SCOPES, OB_SCOPES

REQUIRED_URLS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
REQUIRED_STRINGS = ("client_name", "software_id", "software_version")
AUTH_METHODS = ("client_secret_basic", "none")  # OB 3.0 allows client_secret_basic; "none" for native apps
GRANT_TYPES = ("authorization_code", "refresh_token")
MAX_URL = 2000
MAX_STRING = 255
MAX_REDIRECT_URIS = 10
MAX_CONTACTS = 10


class RegistrationError(Exception):
    """RFC 7591 §3.2.2: ``error`` is ``invalid_redirect_uri`` or ``invalid_client_metadata``."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class RegisteredClient:
    registration: ClientRegistration
    client_secret: str | None  # shown once, in the registration response; stored hashed


def _https_url(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        raise RegistrationError("invalid_client_metadata", f"{name} must be a URL of at most {MAX_URL} characters.")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username is not None or parts.password is not None:
        raise RegistrationError("invalid_client_metadata", f"{name} must be an https URL with a host.")
    if any(c.isspace() for c in value):
        raise RegistrationError("invalid_client_metadata", f"{name} must not contain spaces.")
    return value


def _is_ip_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _redirect_uri(value: Any, *, hostname: str, native: bool) -> str:
    """One redirect URI: https on the client's hostname, or (native apps) http on a loopback address."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL or any(c.isspace() for c in value):
        raise RegistrationError("invalid_redirect_uri", "Each redirect URI must be a URL without spaces.")
    parts = urlsplit(value)
    if "#" in value:
        raise RegistrationError("invalid_redirect_uri", "A redirect URI must not have a fragment (RFC 6749 §3.1.2).")
    if parts.username is not None or parts.password is not None or not parts.hostname:
        raise RegistrationError("invalid_redirect_uri", "A redirect URI must have a host and no user information.")
    if parts.scheme == "https":
        if parts.hostname != hostname:
            raise RegistrationError("invalid_redirect_uri",
                                    "Redirect URIs must have the same hostname as client_uri (OB 3.0 §7.1.1).")
        return value
    if parts.scheme == "http" and _is_ip_loopback(parts.hostname):
        if not native:
            raise RegistrationError("invalid_redirect_uri", "Loopback http redirect URIs are for native apps only "
                                    "(token_endpoint_auth_method \"none\").")
        return value
    raise RegistrationError("invalid_redirect_uri",
                            "Redirect URIs must use https (or http on 127.0.0.1 or [::1] for native apps).")


def _string_list(name: str, value: Any, *, maximum: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= MAX_STRING for v in value):
        raise RegistrationError("invalid_client_metadata", f"{name} must be an array of strings.")
    if len(value) > maximum:
        raise RegistrationError("invalid_client_metadata", f"{name} may list at most {maximum} values.")
    return value


def _validated(metadata: dict) -> dict:
    if not isinstance(metadata, dict):
        raise RegistrationError("invalid_client_metadata", "The registration request must be a JSON object.")
    missing = [name for name in (*REQUIRED_STRINGS, *REQUIRED_URLS, "redirect_uris", "scope") if name not in metadata]
    if missing:
        raise RegistrationError("invalid_client_metadata", f"Missing required properties: {', '.join(missing)}.")
    clean: dict[str, Any] = {}
    for name in REQUIRED_STRINGS:
        value = metadata[name]
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_STRING:
            raise RegistrationError("invalid_client_metadata",
                                    f"{name} must be a non-empty string of at most {MAX_STRING} characters.")
        clean[name] = value
    for name in REQUIRED_URLS:
        clean[name] = _https_url(name, metadata[name])
    hostnames = {urlsplit(clean[name]).hostname for name in REQUIRED_URLS}
    if len(hostnames) != 1:
        raise RegistrationError("invalid_client_metadata",
                                "client_uri, logo_uri, tos_uri and policy_uri must share one hostname (OB 3.0 §7.1.1).")
    hostname = hostnames.pop()

    method = metadata.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise RegistrationError("invalid_client_metadata",
                                f"token_endpoint_auth_method must be one of: {', '.join(AUTH_METHODS)}.")
    clean["token_endpoint_auth_method"] = method

    redirect_uris = _string_list("redirect_uris", metadata["redirect_uris"], maximum=MAX_REDIRECT_URIS)
    if not redirect_uris:
        raise RegistrationError("invalid_redirect_uri", "redirect_uris must list at least one URI.")
    clean["redirect_uris"] = [_redirect_uri(uri, hostname=hostname, native=method == "none") for uri in redirect_uris]

    grant_types = _string_list("grant_types", metadata.get("grant_types", ["authorization_code"]), maximum=2)
    if "authorization_code" not in grant_types or not set(grant_types) <= set(GRANT_TYPES):
        raise RegistrationError("invalid_client_metadata",
                                "grant_types must include authorization_code and may add refresh_token, nothing else.")
    clean["grant_types"] = list(dict.fromkeys(grant_types))
    response_types = _string_list("response_types", metadata.get("response_types", ["code"]), maximum=1)
    if response_types != ["code"]:
        raise RegistrationError("invalid_client_metadata", "response_types may only be [\"code\"].")
    clean["response_types"] = response_types

    scope = metadata["scope"]
    scopes = scope.split() if isinstance(scope, str) else None
    if not scopes or len(scope) > 2000:
        raise RegistrationError("invalid_client_metadata", "scope must be a space-separated list of scopes.")
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise RegistrationError("invalid_client_metadata", f"Unknown scopes: {', '.join(unknown)}.")
    if not set(scopes) & set(OB_SCOPES):
        raise RegistrationError("invalid_client_metadata", "scope must include at least one Open Badges scope.")
    clean["scope"] = " ".join(dict.fromkeys(scopes))

    clean["contacts"] = _string_list("contacts", metadata.get("contacts", []), maximum=MAX_CONTACTS)
    if "software_statement" in metadata:
        raise RegistrationError("invalid_software_statement", "Software statements are not accepted.")
    return clean


def client_register(*, metadata: dict) -> RegisteredClient:
    """Validate ``metadata`` (a parsed RFC 7591 request) and create the client."""
    clean = _validated(metadata)
    with transaction.atomic():
        return _create(clean)


def _create(clean: dict) -> RegisteredClient:
    Application = get_application_model()
    public = clean["token_endpoint_auth_method"] == "none"  # noqa: S105 - an RFC 7591 keyword, not a password
    application = Application(
        name=clean["client_name"],
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(clean["redirect_uris"]),
        skip_authorization=False,
        registration_source=Application.RegistrationSource.DCR,
    )
    raw_secret = None if public else application.client_secret  # generated now, hashed by save()
    if public:
        application.client_secret = ""
    try:
        application.full_clean()
    except ValidationError as exc:  # DOT's own checks of the redirect URIs, as a second line
        raise RegistrationError("invalid_redirect_uri" if "redirect_uris" in getattr(exc, "message_dict", {})
                                else "invalid_client_metadata", "; ".join(exc.messages)) from exc
    application.save()
    registration = ClientRegistration.objects.create(
        application=application,
        client_uri=clean["client_uri"], logo_uri=clean["logo_uri"], tos_uri=clean["tos_uri"],
        policy_uri=clean["policy_uri"], software_id=clean["software_id"],
        software_version=clean["software_version"], scope=clean["scope"], grant_types=clean["grant_types"],
        token_endpoint_auth_method=clean["token_endpoint_auth_method"], contacts=clean["contacts"],
    )
    return RegisteredClient(registration=registration, client_secret=raw_secret)


def registration_response(client: RegisteredClient) -> dict:
    """RFC 7591 §3.2.1: the client's credentials and every registered property."""
    registration = client.registration
    application = registration.application
    body: dict[str, Any] = {
        "client_id": application.client_id,
        "client_id_issued_at": int(registration.registered_at.timestamp()),
    }
    if client.client_secret is not None:
        body["client_secret"] = client.client_secret
        body["client_secret_expires_at"] = 0  # does not expire
    body.update({
        "client_name": application.name,
        "client_uri": registration.client_uri,
        "logo_uri": registration.logo_uri,
        "tos_uri": registration.tos_uri,
        "policy_uri": registration.policy_uri,
        "software_id": registration.software_id,
        "software_version": registration.software_version,
        "redirect_uris": application.redirect_uris.split(),
        "token_endpoint_auth_method": registration.token_endpoint_auth_method,
        "grant_types": registration.grant_types,
        "response_types": ["code"],
        "scope": registration.scope,
    })
    if registration.contacts:
        body["contacts"] = registration.contacts
    return body
