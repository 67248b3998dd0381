"""Admin: the event log (filters by status and reason, re-process), sources (secret shown once), rules,
pathways, mappings and CSV uploads. Every write goes through ``pipeline.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from badges_service.errors import ApplicationError

from . import selectors, services
from .intake import csv_backfill
from .models import (
    Award,
    AwardRule,
    CsvImport,
    InboundEvent,
    LearnerMapping,
    LmsSource,
    Pathway,
    PathwayItem,
    ScoreBand,
)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "source", "kind", "event_id", "status", "reason", "recipient_email",
                    "lms_user_id", "attempts"]
    list_filter = ["status", "reason", "kind", "source"]
    search_fields = ["event_id", "email", "recipient_email", "lms_user_id", "public_id"]
    date_hierarchy = "received_at"
    actions = ["reprocess"]
    readonly_fields = [f.name for f in InboundEvent._meta.fields] + ["awards"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the event log is the pipeline's history

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Re-traiter les événements sélectionnés"))
    def reprocess(self, request, queryset):
        count = services.events_requeue(events=queryset)
        self.message_user(request, _("%(count)d événement(s) remis en file de traitement.") % {"count": count})


class ScoreBandFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """A new rule with its bands, checked as ``award_rule_create`` checks it (``self.instance``: the rule
        from the main form, not saved yet)."""
        super().clean()
        if self.instance.pk is not None or any(self.errors):
            return
        rule = self.instance
        try:
            services.award_rule_check(course=rule.course, min_score=rule.min_score,
                                      level_framework=rule.level_framework, min_level=rule.min_level,
                                      bands=_bands([self]))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


def _bands(formsets) -> list:
    return [(f.cleaned_data["min_score"], f.cleaned_data["level"]) for formset in formsets for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class ScoreBandInline(admin.TabularInline):
    """Bands are given with a new rule (``award_rule_create`` checks them); a rule's bands never change after."""

    model = ScoreBand
    formset = ScoreBandFormSet
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False


_RULE_DEFINITION = ["source", "course", "achievement", "min_score", "level_framework", "min_level"]


@admin.register(AwardRule)
class AwardRuleAdmin(admin.ModelAdmin):
    """A rule is made by ``award_rule_create`` (the same checks as the command and the API: bands on one scale,
    the rule's); once made, only its validity, re-earnability and activity change (``award_rule_update``)."""

    list_display = ["source", "course", "achievement", "min_score", "validity_days", "reearnable", "active"]
    list_filter = ["source", "active", "reearnable"]
    search_fields = ["course", "achievement__slug", "achievement__name"]
    inlines = [ScoreBandInline]

    def get_readonly_fields(self, request, obj=None):
        return _RULE_DEFINITION if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # awards name their rule: deactivate it instead

    def save_model(self, request, obj, form, change):
        if change:
            services.award_rule_update(rule=obj, validity_days=obj.validity_days, reearnable=obj.reearnable,
                                       active=obj.active)
        # A new rule is made with its bands, in save_related.

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # nothing saved by the formsets: bands are read-only, or made with the rule
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            return
        bands = _bands(formsets)
        data = form.cleaned_data
        try:
            rule = services.award_rule_create(
                source=data["source"], course=data["course"], achievement=data["achievement"],
                min_score=data.get("min_score"), level_framework=data.get("level_framework"),
                min_level=data.get("min_level"), bands=bands, validity_days=data.get("validity_days"),
                reearnable=data.get("reearnable", False))
        except ApplicationError as exc:  # checked by the form already; a concurrent duplicate, say
            transaction.set_rollback(True)  # nothing half-written (the admin's view is atomic)
            messages.error(request, exc.message)
            return
        if not data.get("active", True):
            services.award_rule_update(rule=rule, validity_days=rule.validity_days, reearnable=rule.reearnable,
                                       active=False)
        form.instance.pk = rule.pk


class PathwayItemInline(admin.TabularInline):
    model = PathwayItem
    extra = 1


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["name", "achievement", "required", "active"]
    inlines = [PathwayItemInline]


class LmsSourceForm(forms.ModelForm):
    class Meta:
        model = LmsSource
        fields = ["name", "issuer", "token_allowed", "active"]


@admin.register(LmsSource)
class LmsSourceAdmin(admin.ModelAdmin):
    form = LmsSourceForm
    list_display = ["name", "issuer", "lrs_username", "token_allowed", "active", "created_at"]
    readonly_fields = ["lrs_endpoint", "lrs_username"]
    actions = ["rotate_secret", "rotate_lrs_credentials"]

    @admin.display(description=_("Point d'accès xAPI (LRS)"))
    def lrs_endpoint(self, obj=None):
        return selectors.lrs_endpoint()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "issuer", "token_allowed", "active"])
            return
        try:
            new = services.lms_source_create(name=obj.name, issuer=obj.issuer, token_allowed=obj.token_allowed)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = new.source.pk
        messages.warning(request, _("Secret de la source « %(name)s », affiché une seule fois : %(secret)s")
                         % {"name": new.source.name, "secret": new.secret})
        messages.warning(request, _("Identifiants LRS (xAPI) de la source « %(name)s » : point d'accès %(endpoint)s, "
                                    "utilisateur %(username)s, mot de passe (affiché une seule fois) %(password)s")
                         % {"name": new.source.name, "endpoint": selectors.lrs_endpoint(),
                            "username": new.source.lrs_username, "password": new.lrs_password})

    @admin.action(description=_("Renouveler le secret (affiché une seule fois)"))
    def rotate_secret(self, request, queryset):
        for source in queryset:
            new = services.lms_source_secret_rotate(source=source)
            messages.warning(request, _("Nouveau secret de « %(name)s » : %(secret)s")
                             % {"name": source.name, "secret": new.secret})

    @admin.action(description=_("Renouveler les identifiants LRS (xAPI), mot de passe affiché une seule fois"))
    def rotate_lrs_credentials(self, request, queryset):
        for source in queryset:
            lrs = services.lms_source_lrs_credentials_rotate(source=source)
            messages.warning(request, _("Nouveaux identifiants LRS de « %(name)s » : utilisateur %(username)s, "
                                        "mot de passe %(password)s")
                             % {"name": source.name, "username": lrs.username, "password": lrs.password})


@admin.register(LearnerMapping)
class LearnerMappingAdmin(admin.ModelAdmin):
    list_display = ["source", "lms_user_id", "learner", "created_at"]
    list_filter = ["source"]
    search_fields = ["lms_user_id", "learner__email"]
    autocomplete_fields = []

    def save_model(self, request, obj, form, change):
        services.learner_map(source=obj.source, lms_user_id=obj.lms_user_id, email=obj.learner.email)


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["recipient_email", "achievement", "level", "credential", "rule", "pathway", "created_at"]
    list_filter = ["achievement"]
    search_fields = ["recipient_email"]
    readonly_fields = [f.name for f in Award._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # "exactly once" rests on these rows

    def has_change_permission(self, request, obj=None):
        return False


class CsvUploadForm(forms.Form):
    source = forms.ModelChoiceField(queryset=LmsSource.objects.filter(active=True))
    kind = forms.ChoiceField(choices=CsvImport.Kind.choices)
    file = forms.FileField()


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source", "kind", "filename", "rows", "accepted", "rejected", "uploaded_by"]
    list_filter = ["kind", "source"]
    readonly_fields = [f.name for f in CsvImport._meta.fields]
    change_list_template = "pipeline/admin_csvimport_change_list.html"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [path("upload/", self.admin_site.admin_view(self.upload), name="pipeline_csvimport_upload"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"upload_url": reverse("admin:pipeline_csvimport_upload"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def upload(self, request):
        """Upload a CSV (completions, Pix results, positioning tests): the same service as the API."""
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
                report = services.csv_import(source=form.cleaned_data["source"], kind=form.cleaned_data["kind"],
                                             text=text, filename=upload.name, uploaded_by=request.user)
            except UnicodeDecodeError:
                form.add_error("file", _("Le fichier doit être en UTF-8."))
            except ApplicationError as exc:
                form.add_error("file", f"{exc.message} {exc.extra.get('fields', '')}")
            else:
                record = report.csv_import
                self.message_user(request, _("%(accepted)d ligne(s) acceptée(s), %(rejected)d refusée(s), "
                                             "%(skipped)d sans badge.")
                                  % {"accepted": record.accepted, "rejected": record.rejected,
                                     "skipped": report.skipped})
                return redirect(reverse("admin:pipeline_csvimport_change", args=[record.pk]))
        context = {**self.admin_site.each_context(request), "title": _("Téléverser un fichier CSV"), "form": form,
                   "opts": self.model._meta, "kinds": csv_backfill.__doc__}
        return TemplateResponse(request, "pipeline/admin_csv_upload.html", context)
