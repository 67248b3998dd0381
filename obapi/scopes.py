# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these messages.
"""The scopes of the Open Badges API (OB 3.0 §6.2.1) and what each one lets a client do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CREDENTIAL_READONLY = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
CREDENTIAL_UPSERT = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
PROFILE_READONLY = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
PROFILE_UPDATE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
# Not an Open Badges scope: OB 3.0 §7.1.1's registration example asks for it to obtain refresh tokens.
OFFLINE_ACCESS = "offline_access"

OB_SCOPES = (CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE)
KNOWN_SCOPES = (*OB_SCOPES, OFFLINE_ACCESS)

# What the person is asked to allow, on the consent page (French first).
DESCRIPTIONS = {
    CREDENTIAL_READONLY: _("Lire vos badges"),
    CREDENTIAL_UPSERT: _("Ajouter ou remplacer des badges dans votre espace"),
    PROFILE_READONLY: _("Lire votre profil (nom, adresse électronique)"),
    PROFILE_UPDATE: _("Modifier votre profil"),
    OFFLINE_ACCESS: _("Garder cet accès lorsque vous n’êtes pas connecté·e"),
}

# The same, in English, for the machine-readable service description (OpenAPI).
SPEC_DESCRIPTIONS = {
    CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for the authenticated entity.",
    PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}
