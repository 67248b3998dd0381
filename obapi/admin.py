from django.contrib import admin

from .models import ClientRegistration, HeldCredential


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
