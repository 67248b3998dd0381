# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""Admin: the same services as the API. Private keys are never displayed."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges_service.errors import ApplicationError
from badges_service.openbadges.image_upload import image_clean
from badges_service.openbadges.svg_sanitize import UnsafeImageError

from . import badge_images, services
from .models import Achievement, Credential, Issuer, IssuerMembership, SigningKey


class ImageAdminForm(forms.ModelForm):
    def clean_image(self):
        """PNG or SVG only, within the size and pixel limits; an SVG is sanitised when stored."""
        upload = self.cleaned_data.get("image")
        if upload and "image" in self.changed_data:
            try:
                image_clean(upload.read())
            except UnsafeImageError as exc:
                raise forms.ValidationError(str(exc), code=exc.code) from exc
            upload.seek(0)
        return upload


def _image_save(request, form, image_set, **owner) -> None:
    """The image uploaded with the form, when a new one was, through its service (``badge_images.*_image_set``)."""
    upload = form.cleaned_data.get("image")
    if upload and "image" in form.changed_data:
        upload.seek(0)
        image_set(data=upload.read(), actor=request.user, **owner)


class MembershipInline(admin.TabularInline):
    """Memberships are written by ``services.membership_set`` (``IssuerAdmin.save_formset``)."""

    model = IssuerMembership
    extra = 0


class NoDeletion:
    """Deleting these rows would break history (signed credentials name them): the admin never offers it."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Issuer)
class IssuerAdmin(NoDeletion, admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["name", "slug", "kind", "parent"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]
    actions = ["rotate_keys"]

    def save_model(self, request, obj, form, change):
        try:
            if change:
                issuer = services.issuer_update(issuer=obj, actor=request.user, **{
                    f: form.cleaned_data[f] for f in ("name", "url", "email", "description")})
            else:
                issuer = services.issuer_create(slug=obj.slug, name=obj.name, kind=obj.kind, parent=obj.parent,
                                                url=obj.url, email=obj.email, description=obj.description)
                obj.pk = issuer.pk
            _image_save(request, form, badge_images.issuer_image_set, issuer=issuer)
        except ApplicationError as exc:
            messages.error(request, exc.message)

    def save_formset(self, request, form, formset, change):
        """Memberships through ``membership_set`` / ``membership_remove`` (the actor needs MANAGE there)."""
        if formset.model is not IssuerMembership:
            return super().save_formset(request, form, formset, change)
        issuer = form.instance
        try:
            for inline in formset.forms:
                data = inline.cleaned_data
                if not data or not data.get("user"):
                    continue
                if data.get("DELETE"):
                    services.membership_remove(issuer=issuer, user=data["user"], actor=request.user)
                elif inline.has_changed():
                    if inline.instance.pk and inline.instance.user_id != data["user"].pk:
                        services.membership_remove(issuer=issuer, user=inline.instance.user, actor=request.user)
                    services.membership_set(issuer=issuer, user=data["user"], role=data["role"], actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)

    @admin.action(description=_("Faire tourner la clé de signature"))
    def rotate_keys(self, request, queryset):
        for issuer in queryset:
            services.key_rotate(issuer=issuer, actor=request.user)
        self.message_user(request, _("%(count)d clé(s) renouvelée(s).") % {"count": queryset.count()})


@admin.register(SigningKey)
class SigningKeyAdmin(NoDeletion, admin.ModelAdmin):
    list_display = ["issuer", "public_key_multibase", "status", "created_at", "revoked_after"]
    list_filter = ["status"]
    exclude = ["private_key_encrypted"]
    readonly_fields = ["issuer", "algorithm", "public_key_multibase", "status", "created_at", "retired_at",
                       "revoked_at", "revoked_after"]
    actions = ["revoke_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Révoquer (clé compromise à partir de maintenant)"))
    def revoke_now(self, request, queryset):
        for key in queryset:
            services.key_revoke(key=key, compromised_since=timezone.now(), actor=request.user)


class AchievementAdminForm(ImageAdminForm):
    class Meta:
        # The labels are the models' verbose names (the words of docs/glossary.md).
        help_texts = {
            "slug": _("Fait partie de l’adresse publique du badge : ne plus le changer une fois des badges délivrés."),
            "criteria_narrative": _("Ce qu’il faut avoir fait pour recevoir le badge, tel que le lira un recruteur."),
            "achievement_type": _("Type Open Badges 3.0 : Competency (compétence), Course (formation), "
                                  "Certificate (certificat), License (habilitation)…"),
            "image": _("PNG ou SVG. Sans image, une image est générée à partir du nom, du niveau et de l’émetteur."),
            "validity_days": _("Vide : sans date d’expiration."),
        }


@admin.register(Achievement)
class AchievementAdmin(NoDeletion, admin.ModelAdmin):
    form = AchievementAdminForm
    list_display = ["name", "slug", "issuer", "achievement_type"]
    list_filter = ["issuer", "achievement_type"]
    search_fields = ["name", "slug"]

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in services.ACHIEVEMENT_EDITABLE if f in form.cleaned_data}
        try:
            if change:
                achievement = services.achievement_update(achievement=obj, actor=request.user, **fields)
            else:
                achievement = services.achievement_create(issuer=obj.issuer, slug=obj.slug, actor=request.user,
                                                          **fields)
                obj.pk = achievement.pk
            _image_save(request, form, badge_images.achievement_image_set, achievement=achievement)
        except ApplicationError as exc:
            messages.error(request, exc.message)


@admin.register(Credential)
class CredentialAdmin(NoDeletion, admin.ModelAdmin):
    list_display = ["public_id", "achievement", "issuer", "issued_at", "valid_until", "revoked_at", "suspended_at"]
    list_filter = ["issuer", "achievement"]
    search_fields = ["public_id", "recipient_email"]
    readonly_fields = [f.name for f in Credential._meta.fields]
    actions = ["revoke", "suspend", "reinstate"]

    def has_add_permission(self, request):
        return False

    @staticmethod
    def _each(request, credentials, change, **values) -> None:
        """The status change for each selected credential it applies to, as the signed-in user."""
        for credential in credentials:
            change(credential=credential, actor=request.user, **values)

    @admin.action(description=_("Révoquer les badges sélectionnés"))
    def revoke(self, request, queryset):
        self._each(request, queryset.filter(revoked_at__isnull=True), services.credential_revoke,
                   reason="Révoqué par l'administration")

    @admin.action(description=_("Suspendre les badges sélectionnés"))
    def suspend(self, request, queryset):
        self._each(request, queryset.filter(revoked_at__isnull=True, suspended_at__isnull=True),
                   services.credential_suspend, reason="Suspendu par l'administration")

    @admin.action(description=_("Rétablir les badges suspendus sélectionnés"))
    def reinstate(self, request, queryset):
        self._each(request, queryset.filter(revoked_at__isnull=True, suspended_at__isnull=False),
                   services.credential_reinstate)
