"""django-oauth-toolkit configured for the Open Badges API: OB 3.0 §7.1.2's rules on top of RFC 6749/7636.

* PKCE is required and ``S256`` is its only transform: oauthlib also knows ``plain`` (RFC 7636 §4.2),
  which OB 3.0 forbids, so it is removed from the grant before any request is validated; a request
  without ``code_challenge_method`` (``plain`` by default) is refused the same way.
* ``redirect_uri`` and ``scope`` are required in the authorization request (OB 3.0 §7.1.2), and a client
  gets only scopes it registered for.
* A client registered without the ``refresh_token`` grant type gets no refresh token.
"""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256

from .models import ClientRegistration


class OpenBadgesServer(Server):
    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        # The same grant object serves the authorization and the token endpoints.
        self.auth_grant._code_challenge_methods = {"S256": code_challenge_method_s256}


def _registration(client) -> ClientRegistration | None:
    if client is None:
        return None
    try:
        return client.ob_registration
    except ClientRegistration.DoesNotExist:
        return None


class OpenBadgesValidator(OAuth2Validator):
    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return None  # OB 3.0 §7.1.2: redirect_uri is REQUIRED, never implied

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if not scopes:
            return False  # OB 3.0 §7.1.2: scope is REQUIRED
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False
        registration = _registration(client)
        return registration is None or set(scopes) <= registration.scopes

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        registration = _registration(client)
        if grant_type == "refresh_token" and registration is not None \
                and "refresh_token" not in registration.grant_types:
            return False
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def save_bearer_token(self, token, request, *args, **kwargs):
        registration = _registration(request.client)
        if registration is not None and "refresh_token" not in registration.grant_types:
            # oauthlib returns this same dict to the client after saving it.
            token.pop("refresh_token", None)
        return super().save_bearer_token(token, request, *args, **kwargs)
