"""The référentiel métiers-compétences: frameworks, proficiency scales, job families, jobs (métiers),
competencies, job requirements, and the alignment of achievements to competencies.

Codes are the stable identity of every item: public URLs, CASE identifiers and imports all derive
from them. Rows are written only through ``competencies.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseSourced(models.Model):
    """Where an item came from when it was imported from a CASE package: its CASE identifier and URI (kept, so
    the item keeps its identity in every export and alignments made elsewhere still point to it) and the CASE
    fields this model has no column for (``case_data``: item type, education level, licence, the original
    ``humanCodingScheme`` when it could not be the code, ...). Empty for items created here."""

    case_identifier = models.CharField(max_length=64, blank=True, db_index=True)
    case_uri = models.CharField(max_length=500, blank=True, db_index=True)
    case_data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Framework(CaseSourced):
    code = models.SlugField(max_length=60)
    version = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # each import (or replacement): CASE lastChangeDateTime

    class Meta:
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version")]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class ProficiencyLevel(models.Model):
    """One level of a framework's ordered proficiency scale (Notions < Pratique < Maîtrise < Expertise)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=30)
    label = models.CharField(max_length=100)
    proficient = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "rank"], name="unique_level_rank"),
            models.UniqueConstraint(fields=["framework", "code"], name="unique_level_code"),
        ]

    def __str__(self) -> str:
        return self.label


class JobFamily(CaseSourced):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="families")
    code = models.CharField(max_length=100)
    label = models.TextField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_family_code")]

    def __str__(self) -> str:
        return self.label


class Job(CaseSourced):
    """A métier / emploi-repère."""

    class Category(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="jobs")
    family = models.ForeignKey(JobFamily, on_delete=models.PROTECT, related_name="jobs")
    code = models.CharField(max_length=100)
    title = models.TextField()
    category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    directions = models.ManyToManyField("issuers.Issuer", blank=True, related_name="jobs")
    rome_codes = models.JSONField(default=list, blank=True)
    rime_code = models.CharField(max_length=40, blank=True)
    cnfpt_code = models.CharField(max_length=40, blank=True)
    esco_uri = models.URLField(max_length=300, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_job_code")]

    def __str__(self) -> str:
        return self.title


class Competency(CaseSourced):
    class Kind(models.TextChoices):
        KNOWLEDGE = "savoir", _("Savoir")
        SKILL = "savoir-faire", _("Savoir-faire")
        ATTITUDE = "savoir-etre", _("Savoir-être")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        OBSOLETE = "obsolete", _("Obsolète")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(max_length=100)
    label = models.TextField()  # a CASE fullStatement, kept verbatim (HTML or Markdown included)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    domain = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replaces")
    esco_uri = models.URLField(max_length=300, blank=True)
    pix_code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["framework", "code"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_competency_code")]

    def __str__(self) -> str:
        return f"{self.label} [{self.code}]"


class JobRequirement(CaseSourced):
    """A job needs a competency at a level, essential or optional (exigence du métier). From a CASE package,
    an ``isRelatedTo`` association (its identity kept in the CaseSourced columns)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="requirements")
    # None: the framework has no scale (a CASE package without rubric); any proven level meets it.
    level = models.ForeignKey(ProficiencyLevel, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="requirements")
    essential = models.BooleanField(default=True)

    class Meta:
        ordering = ["job", "competency"]
        constraints = [models.UniqueConstraint(fields=["job", "competency"], name="unique_requirement")]

    def __str__(self) -> str:
        return f"{self.job.code} → {self.competency.code}" + (f" @ {self.level.code}" if self.level else "")


class AchievementAlignment(models.Model):
    """An achievement proves a competency at a level (the level may be left to the credential's result)."""

    achievement = models.ForeignKey("issuers.Achievement", on_delete=models.CASCADE, related_name="alignments")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="alignments")
    level = models.ForeignKey(ProficiencyLevel, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="alignments")

    class Meta:
        ordering = ["achievement", "competency"]
        constraints = [models.UniqueConstraint(fields=["achievement", "competency"], name="unique_alignment")]

    def __str__(self) -> str:
        return f"{self.achievement_id} → {self.competency.code}"


class AchievementJobAlignment(models.Model):
    """An achievement prepares for or certifies a job (métier): its credentials point to the job and to the
    job's ROME codes."""

    achievement = models.ForeignKey("issuers.Achievement", on_delete=models.CASCADE, related_name="job_alignments")
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="achievement_alignments")

    class Meta:
        ordering = ["achievement", "job"]
        constraints = [models.UniqueConstraint(fields=["achievement", "job"], name="unique_job_alignment")]

    def __str__(self) -> str:
        return f"{self.achievement_id} → {self.job.code}"
