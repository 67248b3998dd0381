# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""What the Open Badges API keeps besides django-oauth-toolkit's clients and tokens.

``ClientRegistration`` holds the metadata OB 3.0 §7.1.1 requires at dynamic registration (the DOT
``Application`` has no place for it); ``HeldCredential`` is a credential a client stored for its owner
(upsertCredential), kept exactly as received; ``OwnerProfile`` is the owner's OB ``Profile`` (putProfile).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken
from oauth2_provider.settings import APPLICATION_MODEL


class ClientRegistration(models.Model):
    application = models.OneToOneField(APPLICATION_MODEL, on_delete=models.CASCADE, related_name="ob_registration",
                                       verbose_name=_("application autorisée"))
    client_uri = models.URLField(max_length=2000, verbose_name=_("site de l’application"))
    logo_uri = models.URLField(max_length=2000, verbose_name=_("logo"))
    tos_uri = models.URLField(max_length=2000, verbose_name=_("conditions d’utilisation"))
    policy_uri = models.URLField(max_length=2000, verbose_name=_("politique de confidentialité"))
    software_id = models.CharField(max_length=255, verbose_name=_("identifiant du logiciel"))
    software_version = models.CharField(max_length=255, verbose_name=_("version du logiciel"))
    scope = models.TextField(verbose_name=_("portées"))  # space-separated: the scopes the client may ask for
    grant_types = models.JSONField(default=list, verbose_name=_("types d’autorisation"))
    token_endpoint_auth_method = models.CharField(max_length=32, verbose_name=_("authentification au point de jeton"))
    contacts = models.JSONField(default=list, blank=True, verbose_name=_("contacts"))
    registered_at = models.DateTimeField(auto_now_add=True, verbose_name=_("enregistrée le"))

    class Meta:
        verbose_name = _("enregistrement d’application")
        verbose_name_plural = _("enregistrements d’applications")

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

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_credentials",
                              verbose_name=_("titulaire"))
    # The credential's own "id": equality per OB 3.0 §C.
    credential_id = models.CharField(max_length=1000, verbose_name=_("identifiant du badge"))
    document = models.TextField(verbose_name=_("document"))
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.JSON, verbose_name=_("format"))
    # validFrom (issuanceDate for VC 1.1), for getCredentials' "since".
    issued_at = models.DateTimeField(verbose_name=_("date de délivrance"))
    client = models.ForeignKey(APPLICATION_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("application autorisée"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("déposé le"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("modifié le"))

    class Meta:
        verbose_name = _("badge déposé")
        verbose_name_plural = _("badges déposés")
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "credential_id"], name="unique_held_credential")]

    def __str__(self) -> str:
        return self.credential_id


class OwnerProfile(models.Model):
    """The properties of the owner's OB Profile that the owner (through a client) set with putProfile."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ob_profile",
                                verbose_name=_("utilisateur"))
    properties = models.JSONField(default=dict, verbose_name=_("propriétés"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("modifié le"))

    class Meta:
        verbose_name = _("profil du titulaire")
        verbose_name_plural = _("profils des titulaires")

    def __str__(self) -> str:
        return f"OB profile of {self.user}"


# The OAuth server's rows, as the admin shows them: django-oauth-toolkit's models with this service's names
# (proxies: no table of their own; obapi.admin registers them instead of the toolkit's English ones).
class AuthorisedApplication(Application):
    class Meta:
        proxy = True
        verbose_name = _("application autorisée")
        verbose_name_plural = _("applications autorisées")


class OAuthAccessToken(AccessToken):
    class Meta:
        proxy = True
        verbose_name = _("jeton d’accès")
        verbose_name_plural = _("jetons d’accès")


class OAuthRefreshToken(RefreshToken):
    class Meta:
        proxy = True
        verbose_name = _("jeton de renouvellement")
        verbose_name_plural = _("jetons de renouvellement")


class OAuthGrant(Grant):
    class Meta:
        proxy = True
        verbose_name = _("code d’autorisation")
        verbose_name_plural = _("codes d’autorisation")


class OAuthIDToken(IDToken):
    class Meta:
        proxy = True
        verbose_name = _("jeton d’identité (OpenID)")
        verbose_name_plural = _("jetons d’identité (OpenID)")
