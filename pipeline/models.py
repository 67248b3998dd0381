# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""The completion pipeline: LMS sources, the inbound events they send, award rules and pathways, the
learner mapping, and the awards that make "exactly once" a database rule.

Rows are written only through ``pipeline.services``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Award", "AwardRule", "Completion", "CsvImport", "InboundEvent", "LearnerMapping", "LmsSource",
           "Pathway", "PathwayItem", "ScoreBand"]


class LmsSource(models.Model):
    """A learning platform allowed to post events. Its secret signs requests (HMAC-SHA256) and, where the
    platform cannot sign, is sent as Moodle's ``token`` field. The secret is kept encrypted with the
    key-encryption key, since verifying an HMAC needs it in clear; ``secret_digest`` (SHA-256 of the
    secret) finds the source of a token without decrypting every secret."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("nom"))
    issuer = models.ForeignKey("issuers.Issuer", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="lms_sources", help_text=_("Its staff may read the source's events."),
                               verbose_name=_("émetteur"))
    secret_encrypted = models.BinaryField(verbose_name=_("secret (chiffré)"))
    secret_digest = models.CharField(max_length=64, unique=True, verbose_name=_("empreinte du secret"))
    token_allowed = models.BooleanField(default=True, help_text=_("Accept Moodle's plain token field."),
                                        verbose_name=_("jeton simple accepté"))
    # The xAPI LRS credentials (HTTP Basic) of the source: the username is public, the password a random
    # 256-bit token shown once and kept as its SHA-256 (a slow password hash protects guessable passwords;
    # this one cannot be guessed, and every statement batch checks it).
    lrs_username = models.CharField(max_length=150, unique=True, null=True, blank=True,
                                    verbose_name=_("identifiant LRS"))
    lrs_password_digest = models.CharField(max_length=64, blank=True, verbose_name=_("empreinte du mot de passe LRS"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("source LMS")
        verbose_name_plural = _("sources LMS")

    def __str__(self) -> str:
        return self.name


class CsvImport(models.Model):
    """One uploaded CSV file (backfill, campaign, Pix results, positioning tests) and its per-row report."""

    class Kind(models.TextChoices):
        COMPLETIONS = "completions", _("Achèvements de formation")
        PIX = "pix", _("Résultats de certification Pix")
        POSITIONING = "positioning", _("Tests de positionnement")

    source = models.ForeignKey(LmsSource, on_delete=models.PROTECT, related_name="csv_imports",
                               verbose_name=_("source LMS"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("nature"))
    filename = models.CharField(max_length=200, blank=True, verbose_name=_("nom du fichier"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("déposé par"))
    rows = models.PositiveIntegerField(default=0, verbose_name=_("lignes"))
    accepted = models.PositiveIntegerField(default=0, verbose_name=_("acceptées"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("refusées"))
    report = models.JSONField(default=list, blank=True, verbose_name=_("rapport"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("déposé le"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import CSV")
        verbose_name_plural = _("imports CSV")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.filename or self.pk})"


class InboundEvent(models.Model):
    """An event as received, stored before any processing. ``(source, event_id)`` is unique: a
    redelivery finds this row and gets the original answer (``receipt``)."""

    class Kind(models.TextChoices):
        MOODLE = "moodle", "Moodle"
        XAPI = "xapi", "xAPI"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçu")  # stored, waiting for the worker
        PROCESSED = "processed", _("Traité")
        IGNORED = "ignored", _("Ignoré")  # nothing to award: unknown course, failed attempt...
        UNMATCHED = "unmatched", _("Agent inconnu")  # waits for a learner mapping
        FAILED = "failed", _("En échec")  # a permanent error, recorded; re-processed only by hand

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Terminé")
        PASSED = "passed", _("Réussi")
        FAILED = "failed", _("Échoué")
        SCORED = "scored", _("Noté")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("identifiant public"))
    source = models.ForeignKey(LmsSource, on_delete=models.PROTECT, related_name="events", verbose_name=_("source LMS"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("format"))
    event_id = models.CharField(max_length=255, verbose_name=_("identifiant de l’événement"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, verbose_name=_("état"))
    reason = models.CharField(max_length=40, blank=True, verbose_name=_("motif"))
    detail = models.TextField(blank=True, verbose_name=_("détail"))

    # What the event says, normalised by the parser (intake/): who, which course, which result.
    lms_user_id = models.CharField(max_length=100, blank=True, verbose_name=_("identifiant de l’agent dans le LMS"))
    email = models.EmailField(blank=True, verbose_name=_("adresse électronique"))
    recipient_name = models.CharField(max_length=200, blank=True, verbose_name=_("nom de l’agent"))
    # Course id, idnumber, activity IRI... any may name a rule.
    course_keys = models.JSONField(default=list, verbose_name=_("identifiants du cours"))
    course_name = models.CharField(max_length=300, blank=True, verbose_name=_("nom du cours"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.COMPLETED,
                               verbose_name=_("résultat"))
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True,  # percent, 0-100
                                verbose_name=_("score (%)"))
    success = models.BooleanField(null=True, blank=True, verbose_name=_("réussite"))
    # A level stated by the source (Pix, positioning).
    level_code = models.CharField(max_length=30, blank=True, verbose_name=_("code de niveau"))
    occurred_at = models.DateTimeField(verbose_name=_("survenu le"))
    # The event as the source sent it.
    payload = models.JSONField(default=dict, verbose_name=_("contenu reçu"))
    # The body of the original 202, returned again on redelivery.
    receipt = models.JSONField(default=dict, verbose_name=_("accusé de réception"))
    csv_import = models.ForeignKey(CsvImport, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="events", verbose_name=_("import CSV"))

    # The learner it resolved to.
    recipient_email = models.EmailField(blank=True, verbose_name=_("adresse électronique de l’agent reconnu"))
    awards = models.ManyToManyField("Award", blank=True, related_name="events", verbose_name=_("attributions"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("tentatives"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("reçu le"))
    queued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("mis en file le"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("traité le"))
    # The id of the intake request that stored it (badges_service.logs): the worker's log line for the event
    # repeats it, so one id follows an event from intake to its credential.
    request_id = models.CharField(max_length=64, blank=True, verbose_name=_("identifiant de requête"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("événement reçu")
        verbose_name_plural = _("journal des événements")
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="unique_source_event")]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="pipeline_event_pending"),
            # The drainers' claim: the oldest events still to process (see services.batch).
            models.Index(fields=["id"], condition=Q(status="received"), name="pipeline_event_to_process"),
            models.Index(fields=["source", "lms_user_id", "status"], name="pipeline_event_user"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.event_id} ({self.status})"


class AwardRule(models.Model):
    """A course (LMS id, idnumber or activity IRI) of a source earns an achievement, optionally from a
    minimum score; the level comes from score bands or from the level the source states."""

    source = models.ForeignKey(LmsSource, on_delete=models.CASCADE, related_name="rules", verbose_name=_("source LMS"))
    course = models.CharField(max_length=300, verbose_name=_("cours"))
    achievement = models.ForeignKey("issuers.Achievement", on_delete=models.PROTECT, related_name="award_rules",
                                    verbose_name=_("badge (modèle)"))
    min_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True,
                                    verbose_name=_("score minimal (%)"))  # percent
    level_framework = models.ForeignKey("competencies.Framework", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        help_text=_("Scale of the level codes that events state (Pix...)."),
                                        verbose_name=_("référentiel des niveaux"))
    min_level = models.ForeignKey("competencies.ProficiencyLevel", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", verbose_name=_("niveau minimal"))
    validity_days = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("durée de validité (jours)"))
    reearnable = models.BooleanField(default=False, help_text=_("Each qualifying event issues a new badge."),
                                     verbose_name=_("peut être obtenu plusieurs fois"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))

    class Meta:
        ordering = ["source", "course"]
        verbose_name = _("règle d'attribution")
        verbose_name_plural = _("règles d'attribution")
        constraints = [models.UniqueConstraint(fields=["source", "course", "achievement"], name="unique_rule")]
        indexes = [models.Index(fields=["source", "course"], name="pipeline_rule_course")]

    def __str__(self) -> str:
        return f"{self.source} {self.course} → {self.achievement_id}"


class ScoreBand(models.Model):
    """From ``min_score`` (percent) upwards, the rule's credential states ``level``; the highest band reached wins."""

    rule = models.ForeignKey(AwardRule, on_delete=models.CASCADE, related_name="bands",
                             verbose_name=_("règle d’attribution"))
    min_score = models.DecimalField(max_digits=7, decimal_places=3, verbose_name=_("score minimal (%)"))
    level = models.ForeignKey("competencies.ProficiencyLevel", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("niveau"))

    class Meta:
        verbose_name = _("tranche de score")
        verbose_name_plural = _("tranches de score")
        ordering = ["rule", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["rule", "min_score"], name="unique_band")]

    def __str__(self) -> str:
        return f"≥ {self.min_score} → {self.level}"


class Pathway(models.Model):
    """A parcours: all of (``required`` empty) or N of a set of courses and achievements earns an achievement."""

    name = models.CharField(max_length=200, verbose_name=_("nom"))
    achievement = models.ForeignKey("issuers.Achievement", on_delete=models.PROTECT, related_name="pathways",
                                    verbose_name=_("badge (modèle)"))
    required = models.PositiveIntegerField(null=True, blank=True, help_text=_("N of the items; empty: all."),
                                           verbose_name=_("éléments requis"))
    validity_days = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("durée de validité (jours)"))
    active = models.BooleanField(default=True, verbose_name=_("actif"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")

    def __str__(self) -> str:
        return self.name


class PathwayItem(models.Model):
    """One step of a pathway: a course of a source, or an achievement (however it was earned)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="items", verbose_name=_("parcours"))
    source = models.ForeignKey(LmsSource, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("source LMS"))
    course = models.CharField(max_length=300, blank=True, verbose_name=_("cours"))
    achievement = models.ForeignKey("issuers.Achievement", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("badge (modèle)"))

    class Meta:
        verbose_name = _("élément de parcours")
        verbose_name_plural = _("éléments de parcours")
        constraints = [
            models.CheckConstraint(
                condition=(Q(achievement__isnull=False, course="") | Q(achievement__isnull=True, source__isnull=False)
                           & ~Q(course="")),
                name="pathway_item_course_or_achievement"),
        ]
        indexes = [models.Index(fields=["source", "course"], name="pipeline_item_course")]

    def __str__(self) -> str:
        return self.course or str(self.achievement)


class LearnerMapping(models.Model):
    """An LMS user id of a source is this learner (imported by CSV, or ``learner_map``)."""

    source = models.ForeignKey(LmsSource, on_delete=models.CASCADE, related_name="mappings",
                               verbose_name=_("source LMS"))
    lms_user_id = models.CharField(max_length=100, verbose_name=_("identifiant de l’agent dans le LMS"))
    learner = models.ForeignKey("learners.Learner", on_delete=models.CASCADE, related_name="lms_accounts",
                                verbose_name=_("agent"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))

    class Meta:
        ordering = ["source", "lms_user_id"]
        verbose_name = _("correspondance d'agent")
        verbose_name_plural = _("correspondances d'agents")
        constraints = [models.UniqueConstraint(fields=["source", "lms_user_id"], name="unique_lms_user")]

    def __str__(self) -> str:
        return f"{self.source}:{self.lms_user_id} → {self.learner_id}"


class Completion(models.Model):
    """A learner finished a course of a source (what pathways count)."""

    learner_email = models.EmailField()
    source = models.ForeignKey(LmsSource, on_delete=models.CASCADE, related_name="+")
    course = models.CharField(max_length=300)
    event = models.ForeignKey(InboundEvent, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "course"], name="unique_completion")]
        indexes = [models.Index(fields=["learner_email", "source", "course"], name="pipeline_completion_learner")]

    def __str__(self) -> str:
        return f"{self.learner_email} {self.course}"


class Award(models.Model):
    """The claim that a learner holds an achievement at a level: at most one per (learner, achievement,
    level) — the database refuses a second — unless the rule lets the badge be earned again, in which case
    ``occurrence`` names the event that earned it. Created before signing, in the same transaction, so a
    concurrent duplicate waits on the unique index and then resolves to the credential made here."""

    recipient_email = models.EmailField(verbose_name=_("adresse électronique du titulaire"))
    achievement = models.ForeignKey("issuers.Achievement", on_delete=models.PROTECT, related_name="awards",
                                    verbose_name=_("badge (modèle)"))
    level = models.ForeignKey("competencies.ProficiencyLevel", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("niveau"))
    occurrence = models.CharField(max_length=64, blank=True, verbose_name=_("occurrence"))
    credential = models.OneToOneField("issuers.Credential", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="award", verbose_name=_("badge délivré"))
    rule = models.ForeignKey(AwardRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="awards",
                             verbose_name=_("règle d’attribution"))
    pathway = models.ForeignKey(Pathway, null=True, blank=True, on_delete=models.SET_NULL, related_name="awards",
                                verbose_name=_("parcours"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("attribuée le"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        constraints = [
            # Two constraints because NULL never equals NULL in a unique index (SQL standard).
            models.UniqueConstraint(fields=["recipient_email", "achievement", "level", "occurrence"],
                                    condition=Q(level__isnull=False), name="award_once_per_level"),
            models.UniqueConstraint(fields=["recipient_email", "achievement", "occurrence"],
                                    condition=Q(level__isnull=True), name="award_once_without_level"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_email} → {self.achievement_id} ({self.level_id or '-'})"
