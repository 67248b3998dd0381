"""What happens to credentials once issued: shares, downloads and verifications, for the indicators.

Rows are written only through ``indicators.services.usage_record``. They hold no personal data beyond the
credential they point at (no IP address, no user agent).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CredentialUsage(models.Model):
    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("Vérification")
        SHARE = "share", _("Partage")
        DOWNLOAD = "download", _("Téléchargement")

    credential = models.ForeignKey("issuers.Credential", on_delete=models.CASCADE, related_name="usages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Where it happened: "page", "api", "cli" for a verification; "link", "linkedin" for a share;
    # "png", "svg", "json", "pdf" for a download.
    channel = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel} {self.credential_id}"
