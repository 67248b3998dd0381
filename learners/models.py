"""Agents (learners) as the service knows them, and the managers' scopes.

Credentials name their recipient by email; a learner row adds what the référentiel needs: the
agent's direction and current job, and whether the agent made the competency profile visible
beyond the direction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Learner(models.Model):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="learner")
    direction = models.ForeignKey("issuers.Issuer", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="agents")
    job = models.ForeignKey("competencies.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="agents")
    profile_visible = models.BooleanField(default=False)  # nothing is visible outside the direction by default
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email


class ManagerScope(models.Model):
    """A manager sees the competencies of the agents of one direction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_scopes")
    direction = models.ForeignKey("issuers.Issuer", on_delete=models.CASCADE, related_name="manager_scopes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "direction"], name="unique_manager_scope")]

    def __str__(self) -> str:
        return f"{self.user} manages {self.direction}"


class ForeignBadge(models.Model):
    """A badge the agent earned elsewhere (another administration's Moodle, Badgr, Open Badge Factory...),
    added to the passport by file or URL. Stored only once verified, with the report of that verification;
    re-checked on demand and periodically (``verification.foreign_badges``). Written by ``learners.services``.

    ``original`` is what was presented (the JSON, the JWS, or the URL), the input of every re-check;
    ``document`` the credential itself (fetched when a URL was given).
    ``image`` is a cleaned copy (``openbadges.image_upload.image_clean``) of the uploaded image or of the BadgeClass's
    ``data:`` image, if any; remote images are never fetched.
    """

    class Source(models.TextChoices):
        FILE = "file", "file"
        URL = "url", "url"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foreign_badges")
    source = models.CharField(max_length=8, choices=Source.choices)
    original = models.TextField()
    # The credential as verified: OB 3.0, its signed JSON or VC-JWT (what the exports carry, as it was, when
    # the learner includes it); OB 2.0, the assertion JSON.
    document = models.TextField(blank=True)
    credential_id = models.CharField(max_length=2048)  # the assertion's or credential's id
    format = models.CharField(max_length=16)  # ob2-hosted, ob2-signed, ob3
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    issuer_name = models.CharField(max_length=500, blank=True)
    issuer_url = models.CharField(max_length=2048, blank=True)
    issued_on = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    alignments = models.JSONField(default=list, blank=True)  # [{targetName, targetUrl, targetCode, ...}]
    image = models.BinaryField(blank=True, default=b"")
    image_type = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=32)  # Report.status of the last verification
    report = models.JSONField()  # Report.as_json() of the last verification
    verified_at = models.DateTimeField()
    is_public = models.BooleanField(default=False)
    include_in_exports = models.BooleanField(default=False)  # OB 3.0 API, VP and CLR exports: only if asked
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "credential_id"], name="unique_foreign_badge")]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer_name})"

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"
