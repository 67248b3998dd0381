# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""Admin of the Open Badges API: client registrations, credentials held for owners, and the OAuth server's
rows. The OAuth rows keep django-oauth-toolkit's admin behaviour (masked tokens, revocation rather than
deletion) under this service's French names (``models.AuthorisedApplication`` and the other proxies)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from oauth2_provider import admin as toolkit_admin
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from .models import (
    AuthorisedApplication,
    ClientRegistration,
    HeldCredential,
    OAuthAccessToken,
    OAuthGrant,
    OAuthIDToken,
    OAuthRefreshToken,
)


@admin.register(ClientRegistration)
class ClientRegistrationAdmin(admin.ModelAdmin):
    """Registered by the clients themselves (RFC 7591); staff can read them, and delete the Application."""

    list_display = ("application", "software_id", "software_version", "client_uri", "registered_at")
    search_fields = ("application__name", "application__client_id", "software_id", "client_uri")
    readonly_fields = [f.name for f in ClientRegistration._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HeldCredential)
class HeldCredentialAdmin(admin.ModelAdmin):
    list_display = ("credential_id", "owner", "client", "issued_at", "updated_at")
    search_fields = ("credential_id", "owner__username", "owner__email")
    readonly_fields = [f.name for f in HeldCredential._meta.fields]

    def has_add_permission(self, request):
        return False


for toolkit_model in (Application, AccessToken, RefreshToken, Grant, IDToken):
    if admin.site.is_registered(toolkit_model):
        admin.site.unregister(toolkit_model)


@admin.register(AuthorisedApplication)
class AuthorisedApplicationAdmin(toolkit_admin.ApplicationAdmin):
    pass


@admin.register(OAuthAccessToken)
class OAuthAccessTokenAdmin(toolkit_admin.AccessTokenAdmin):
    @admin.action(description=_("Révoquer les jetons d’accès sélectionnés"))
    def revoke_tokens(self, request, queryset):
        toolkit_admin.AccessTokenAdmin.revoke_tokens(self, request, queryset)

    @admin.display(description=_("jeton"))
    def masked_token(self, obj):
        return toolkit_admin.AccessTokenAdmin.masked_token(self, obj)


@admin.register(OAuthRefreshToken)
class OAuthRefreshTokenAdmin(toolkit_admin.RefreshTokenAdmin):
    @admin.action(description=_("Révoquer les jetons de renouvellement sélectionnés"))
    def revoke_tokens(self, request, queryset):
        toolkit_admin.RefreshTokenAdmin.revoke_tokens(self, request, queryset)

    @admin.display(description=_("jeton"))
    def masked_token(self, obj):
        return toolkit_admin.RefreshTokenAdmin.masked_token(self, obj)


@admin.register(OAuthGrant)
class OAuthGrantAdmin(toolkit_admin.GrantAdmin):
    @admin.display(description=_("code"))
    def masked_code(self, obj):
        return toolkit_admin.GrantAdmin.masked_code(self, obj)


@admin.register(OAuthIDToken)
class OAuthIDTokenAdmin(toolkit_admin.IDTokenAdmin):
    pass
