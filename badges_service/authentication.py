"""API authentication: DRF's, with the credentials checked for what the database cannot hold."""

from __future__ import annotations

from drf_spectacular.authentication import BasicScheme as _SpectacularBasicScheme
from rest_framework import authentication, exceptions


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP basic auth that refuses a NUL character in the credentials (401) instead of looking the user up:
    PostgreSQL refuses NUL in text, so the lookup would fail with a server error."""

    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed("Invalid basic header. Credentials contain a NUL character.")
        return super().authenticate_credentials(userid, password, request)


class BasicScheme(_SpectacularBasicScheme):
    """For the OpenAPI schema: still HTTP basic auth (``basicAuth``)."""

    target_class = "badges_service.authentication.BasicAuthentication"
