"""What the Open Badges API keeps besides django-oauth-toolkit's clients and tokens.

``ClientRegistration`` holds the metadata OB 3.0 §7.1.1 requires at dynamic registration (the DOT
``Application`` has no place for it); ``HeldCredential`` is a credential a client stored for its owner
(upsertCredential), kept exactly as received; ``OwnerProfile`` is the owner's OB ``Profile`` (putProfile).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from oauth2_provider.settings import APPLICATION_MODEL


class ClientRegistration(models.Model):
    application = models.OneToOneField(APPLICATION_MODEL, on_delete=models.CASCADE, related_name="ob_registration")
    client_uri = models.URLField(max_length=2000)
    logo_uri = models.URLField(max_length=2000)
    tos_uri = models.URLField(max_length=2000)
    policy_uri = models.URLField(max_length=2000)
    software_id = models.CharField(max_length=255)
    software_version = models.CharField(max_length=255)
    scope = models.TextField()  # space-separated: the scopes the client may ask for
    grant_types = models.JSONField(default=list)
    token_endpoint_auth_method = models.CharField(max_length=32)
    contacts = models.JSONField(default=list, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application} ({self.software_id} {self.software_version})"

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())


class HeldCredential(models.Model):
    """A credential a client upserted for its owner. ``document`` is the request body, byte for byte."""

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        COMPACT_JWS = "jws", "Compact JWS"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_credentials")
    credential_id = models.CharField(max_length=1000)  # the credential's own "id": equality per OB 3.0 §C
    document = models.TextField()
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.JSON)
    issued_at = models.DateTimeField()  # validFrom (issuanceDate for VC 1.1), for getCredentials' "since"
    client = models.ForeignKey(APPLICATION_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "credential_id"], name="unique_held_credential")]

    def __str__(self) -> str:
        return self.credential_id


class OwnerProfile(models.Model):
    """The properties of the owner's OB Profile that the owner (through a client) set with putProfile."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ob_profile")
    properties = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"OB profile of {self.user}"
