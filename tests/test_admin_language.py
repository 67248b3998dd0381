"""The admin speaks the glossary's French: site, app and model names, field labels, list columns and actions,
django-oauth-toolkit's rows included; in English when the visitor asks for English."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.urls import reverse
from django.utils import translation

from tests.issuers.factories import CredentialFactory

# Words that are spelled the same in French and in English (a label equal to its field name is then French).
SAME_IN_BOTH = {"description", "image", "public", "code", "application", "format", "logo", "nonce", "contacts",
                "document", "version", "occurrence", "agent", "active", "permissions", "groups"}


def _registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", _registered_models(), ids=lambda model: model._meta.label)
def test_every_admin_model_and_field_has_a_french_name(model):
    with translation.override("fr"):
        names = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
        english = [name for name in names if re.fullmatch(r"[a-z ]+", name) and name.split()[-1] in
                   {"token", "tokens", "grant", "grants", "credential", "credentials", "issuer", "issuers", "key",
                    "keys", "achievement", "achievements", "registration", "registrations"}]
        assert not english, f"{model._meta.label}: {english}"
        untranslated = []
        for field in model._meta.get_fields():
            if not (getattr(field, "concrete", False) or field.many_to_many) or field.auto_created or field.primary_key:
                continue
            label = str(field.verbose_name)
            if label == field.name.replace("_", " ") and label not in SAME_IN_BOTH:
                untranslated.append(field.name)
        assert not untranslated, f"{model._meta.label}: fields without a French label: {untranslated}"


def _staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@ville-exemple.fr", "motdepasse-solide-42")
    client.force_login(user)
    return client


def test_the_index_shows_french_app_and_model_names_and_no_toolkit_english(client, django_user_model):
    _staff(client, django_user_model)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for french in ("Administration de Ville@pp Badges", "Émetteurs et badges", "Modèles de badges", "Badges délivrés",
                   "Clés de signature", "Applications autorisées", "Jetons d’accès", "Journal des événements"):
        assert french in page, french
    for english in ("Django OAuth Toolkit", "Access tokens", "Refresh tokens", "Signing keys", "Achievements",
                    "Django administration"):
        assert english not in page, english


@pytest.mark.parametrize("model", _registered_models(), ids=lambda model: model._meta.label)
def test_every_changelist_column_has_a_french_header(client, django_user_model, model):
    _staff(client, django_user_model)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    model_admin = admin.site._registry[model]
    english = []
    for name in model_admin.list_display:
        if name in ("__str__", "action_checkbox", "pk"):
            continue
        with translation.override("fr"):
            french_header = str(label_for_field(name, model, model_admin))
        with translation.override("en"):
            english_header = str(label_for_field(name, model, model_admin))
        default = name.replace("_", " ") if isinstance(name, str) else ""
        if french_header.lower() == default and default not in SAME_IN_BOTH:
            english.append(name)
        assert french_header and english_header
    assert not english, f"{model._meta.label}: columns headed in English: {english}"


def test_a_changelist_with_rows_shows_the_french_headers(client, django_user_model):
    CredentialFactory()
    _staff(client, django_user_model)
    page = client.get("/admin/issuers/credential/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    headers = [h.strip() for h in re.findall(r'<div class="text">(?:<a[^>]*>|<span>)([^<]+)<', page)]
    assert headers == ["Identifiant public", "Badge (modèle)", "Émetteur", "Date de délivrance", "Date d’expiration",
                       "Révoqué le", "Suspendu le"], headers


def test_actions_and_labels_follow_the_visitors_language(client, django_user_model):
    CredentialFactory()
    _staff(client, django_user_model)
    french = client.get("/admin/issuers/credential/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/admin/issuers/credential/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Révoquer les badges sélectionnés" in french and "Date de délivrance" in french
    assert "Revoke the selected badges" in english and "Issue date" in english
    toolkit = client.get("/admin/oauth2_provider/application/", HTTP_ACCEPT_LANGUAGE="fr")
    assert toolkit.status_code == 404  # the toolkit's English admin is replaced by the French one
    page = client.get("/admin/obapi/authorisedapplication/add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Type de client" in page and "Identifiant du client" in page and "Client type" not in page
