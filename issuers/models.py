# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""Issuers (an organisation tree), their staff and signing keys, achievements and issued credentials.

Rows are written only through ``issuers.services``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges_service import bulk


class Issuer(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("Ville")
        DIRECTION = "direction", _("Direction")
        OPERATOR = "operator", _("Opérateur")

    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("identifiant dans l’adresse"))
    name = models.CharField(max_length=200, verbose_name=_("nom"))
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIRECTION, verbose_name=_("nature"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("émetteur parent"))
    url = models.URLField(blank=True, verbose_name=_("site web"))
    email = models.EmailField(blank=True, verbose_name=_("adresse électronique"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    image = models.FileField(upload_to="issuers/", blank=True, verbose_name=_("image"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("émetteur")
        verbose_name_plural = _("émetteurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IssuerMembership(models.Model):
    """A person's role at one issuer. Roles never carry over to other issuers, parent or child."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrateur")
        STAFF = "staff", _("Gestionnaire")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="issuer_memberships",
                             verbose_name=_("utilisateur"))
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("émetteur"))
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF, verbose_name=_("rôle"))

    class Meta:
        verbose_name = _("membre de l’émetteur")
        verbose_name_plural = _("membres de l’émetteur")
        constraints = [models.UniqueConstraint(fields=["user", "issuer"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) @ {self.issuer}"


class SigningKey(models.Model):
    """An issuer's signing key: Ed25519 (OB 3.0 proofs, status lists) or RS256 (OB 2.0 signed assertions),
    one active key per algorithm. The private key is stored encrypted with the key-encryption key.
    For an RS256 key, ``public_key_multibase`` is its fingerprint (multibase SHA-256 of the public key,
    see ``issuers.rsa_keys``) and ``public_key_pem`` the key itself."""

    ED25519, RS256 = "Ed25519", "RS256"

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retirée")  # no longer signs; what it signed still verifies
        REVOKED = "revoked", _("Révoquée")  # compromised: its signatures after revoked_after fail

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="signing_keys",
                               verbose_name=_("émetteur"))
    algorithm = models.CharField(max_length=20, default="Ed25519", verbose_name=_("algorithme"))
    public_key_multibase = models.CharField(max_length=100, unique=True, verbose_name=_("clé publique (multibase)"))
    public_key_pem = models.TextField(blank=True, verbose_name=_("clé publique (PEM)"))
    private_key_encrypted = models.BinaryField(verbose_name=_("clé privée (chiffrée)"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("état"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))
    retired_at = models.DateTimeField(null=True, blank=True, verbose_name=_("retirée le"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("révoquée le"))
    revoked_after = models.DateTimeField(null=True, blank=True, verbose_name=_("compromise depuis le"))

    class Meta:
        verbose_name = _("clé de signature")
        verbose_name_plural = _("clés de signature")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "algorithm"], condition=models.Q(status="active"),
                                    name="one_active_key_per_issuer_and_algorithm"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer.slug} {self.public_key_multibase[:16]}… ({self.status})"


class Achievement(models.Model):
    """A badge definition (OB 3.0 Achievement / OB 2.0 BadgeClass)."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="achievements",
                               verbose_name=_("émetteur"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("identifiant dans l’adresse"))
    name = models.CharField(max_length=200, verbose_name=_("nom du badge"))
    description = models.TextField(verbose_name=_("description"))
    criteria_narrative = models.TextField(blank=True, verbose_name=_("critères d’obtention"))
    criteria_url = models.URLField(blank=True, verbose_name=_("page des critères détaillés"))
    achievement_type = models.CharField(max_length=60, default="Badge", verbose_name=_("type de badge"))
    image = models.FileField(upload_to="achievements/", blank=True, verbose_name=_("image du badge"))
    image_caption = models.CharField(max_length=200, blank=True, verbose_name=_("légende de l’image"))
    tags = models.JSONField(default=list, blank=True, verbose_name=_("mots-clés"))
    version = models.CharField(max_length=20, blank=True, verbose_name=_("version"))
    language = models.CharField(max_length=10, default="fr", verbose_name=_("langue"))
    # Credentials expire this many days after issuance unless the issuance says otherwise (None: never).
    validity_days = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("durée de validité (jours)"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("modifié le"))

    class Meta:
        verbose_name = _("modèle de badge")
        verbose_name_plural = _("modèles de badges")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


VALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID = "valid", "revoked", "suspended", "expired", "not_yet_valid"


def in_force_condition(prefix: str = "") -> Q:
    """Neither revoked nor suspended (``prefix``: the path to the credential from another model, e.g.
    ``"credential__"``)."""
    return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}suspended_at__isnull": True})


def unexpired_condition(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": now})


def valid_condition(now: datetime, prefix: str = "") -> Q:
    """The one definition of a valid credential, as a condition: in force (not revoked, not suspended) and
    within its dates at ``now``. (The indicators count what was issued in a period, valid from its issuance:
    they use ``in_force_condition`` and ``unexpired_condition``, its two parts.)"""
    return in_force_condition(prefix) & Q(**{f"{prefix}valid_from__lte": now}) & unexpired_condition(now, prefix)


class CredentialQuerySet(models.QuerySet):
    def valid(self, now: datetime | None = None) -> CredentialQuerySet:
        """Credentials valid at ``now``: what profiles, job fit, searches, exports and indicators count."""
        return self.filter(valid_condition(now or timezone.now()))


class Credential(models.Model):
    """An issued credential. ``document`` holds the signed JSON exactly as signed, byte for byte."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("identifiant public"))
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="credentials",
                                    verbose_name=_("badge (modèle)"))
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="credentials", verbose_name=_("émetteur"))
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials",
                                    verbose_name=_("clé de signature"))
    recipient_email = models.EmailField(verbose_name=_("adresse électronique du titulaire"))
    recipient_name = models.CharField(max_length=200, blank=True, verbose_name=_("nom du titulaire"))
    document = bulk.LargeTextField(verbose_name=_("document signé"))
    issued_at = models.DateTimeField(verbose_name=_("date de délivrance"))
    valid_from = models.DateTimeField(verbose_name=_("valide à partir du"))
    valid_until = models.DateTimeField(null=True, blank=True, verbose_name=_("date d’expiration"))
    # The proficiency level the credential's ``result`` states (score ranges, positioning tests).
    achieved_level = models.ForeignKey("competencies.ProficiencyLevel", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="credentials",
                                       verbose_name=_("niveau atteint"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("révoqué le"))
    revocation_reason = models.CharField(max_length=500, blank=True,
                                         verbose_name=_("motif de révocation"))  # public: shown on the page
    suspended_at = models.DateTimeField(null=True, blank=True,
                                        verbose_name=_("suspendu le"))  # reversible, unlike revocation
    suspension_reason = models.CharField(max_length=500, blank=True, verbose_name=_("motif de suspension"))  # public
    # Nothing about a learner is public until the learner makes it so: the credential's page, documents and
    # images answer 404 to visitors while this is False (``learners.policy.credential_get_public``).
    is_public = models.BooleanField(default=False, verbose_name=_("public"))
    made_public_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rendu public le"))

    objects = CredentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("badge délivré")
        verbose_name_plural = _("badges délivrés")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["recipient_email"])]

    def __str__(self) -> str:
        return f"{self.achievement} → {self.public_id}"

    def state(self, now: datetime | None = None) -> str:
        """The row's state at ``now``, in the order a page explains it: revoked, suspended, expired, not yet
        valid, or valid (exactly when ``valid(now)`` selects it)."""
        now = now or timezone.now()
        if self.revoked_at:
            return REVOKED
        if self.suspended_at:
            return SUSPENDED
        if self.valid_until and self.valid_until <= now:
            return EXPIRED
        if self.valid_from > now:
            return NOT_YET_VALID
        return VALID


# Status lists and OB 2.0 assertions live in their own modules; importing them here registers the models.
from .copy_models import CredentialCopy  # noqa: E402, F401
from .ob2_models import HostedAssertion  # noqa: E402, F401
from .status_models import StatusList, StatusListEntry  # noqa: E402, F401
