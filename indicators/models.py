"""What happens to credentials once issued (shares, downloads, verifications), and the rollups the
indicators read instead of aggregating a million credentials on each request.

``CredentialUsage`` rows are written only through ``indicators.services.usage_record`` (one use) and
``indicators.usage_buffer.usage_flush`` (the uses of the same credential, kind and channel counted in Redis since
the previous flush, in one row: ``count``). Every reader sums ``count``, never counts rows. They hold no personal
data beyond the credential they point at (no IP address, no user agent).

The rollups (``IssuanceBucket``, ``UsageBucket``) are derived data, written only by ``indicators.rollup``. They count
the rows of the source table whose id is at most the rollup's watermark (``RollupState``); the selectors add
the rows above it (the "tail") live, so what they answer is exact. Their columns are plain integers, not
foreign keys: a rollup is rebuilt from the source, never the reverse.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# ``expires_on`` of a credential without expiry, and ``level_id`` of one without a level: sentinels rather
# than NULL, so that each bucket has exactly one row (NULLs are distinct in a unique constraint).
NEVER = datetime.date(9999, 12, 31)
NO_LEVEL = 0


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
    # When the row was written: the use itself for a direct write, the flush for buffered uses (at most
    # about ten seconds later, see ``indicators.usage_buffer``).
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Uses this row stands for. ``db_default`` too, so that a process still running the previous release
    # (which names no ``count`` in its INSERT) keeps counting while the new one is deployed.
    count = models.PositiveIntegerField(_("Nombre"), default=1, db_default=1)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel} {self.credential_id}"


class UsageFlush(models.Model):
    """A batch of buffered usage counts already written (``indicators.usage_buffer``): the name of the Redis key
    the flush took, written in the same transaction as its ``CredentialUsage`` rows. A flush that finds the
    key named here (a flusher died after its commit, before deleting the key) only deletes the key."""

    key = models.CharField(max_length=200, primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key


class RollupState(models.Model):
    """How far a rollup has counted its source table.

    ``watermark``: every source row with ``id <= watermark`` is counted, and no row with a greater id is.
    ``pending_id`` / ``pending_at``: the highest id seen at ``pending_at``; once no transaction that started
    before ``pending_at`` is still open, no row with an id at most ``pending_id`` can appear any more, and the
    rollup may advance its watermark to it (see ``indicators.rollup``)."""

    name = models.CharField(max_length=40, primary_key=True)
    watermark = models.BigIntegerField(default=0)
    pending_id = models.BigIntegerField(default=0)
    pending_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ≤ {self.watermark}"


class Grain(models.TextChoices):
    DAY = "d", _("Jour")
    WEEK = "w", _("Semaine")
    MONTH = "m", _("Mois")


class IssuanceBucket(models.Model):
    """Credentials issued in one period, per issuer, achievement, level and week of expiry.

    Every credential is counted three times: in its local day (``grain`` "d", ``period`` the day), its ISO
    week (``grain`` "w", ``period`` the Monday) and its month (``grain`` "m", ``period`` the 1st), local to
    ``settings.TIME_ZONE``. A period of days is read as its whole months, then whole weeks, then the days at
    its edges, so a year costs about 12 to 20 buckets per achievement.
    Issuance facts never change; revocation and suspension are read live (they are rare, and a partial index
    finds them); expiry from ``expires_week`` (Monday of the week of ``valid_until``), and for the current
    week from the rows between ``first_id`` and ``last_id``."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()
    issuer_id = models.BigIntegerField()
    achievement_id = models.BigIntegerField()
    level_id = models.BigIntegerField(default=NO_LEVEL)
    expires_week = models.DateField(default=NEVER)
    issued = models.PositiveIntegerField(default=0)
    first_id = models.BigIntegerField()  # smallest and largest credential id counted in this bucket
    last_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["grain", "period", "issuer_id", "achievement_id", "level_id", "expires_week"],
            name="unique_issuance_bucket")]
        indexes = [models.Index(fields=["grain", "period"], name="issuance_bucket_period"),
                   models.Index(fields=["issuer_id", "grain", "period"], name="issuance_bucket_issuer"),
                   models.Index(fields=["expires_week", "grain", "period"], name="issuance_bucket_expiry")]

    def __str__(self) -> str:
        return f"{self.grain}{self.period} {self.achievement_id}: {self.issued}"


class UsageBucket(models.Model):
    """Usages (verification, share, download) in one period (day, week or month, as ``IssuanceBucket``), per
    issuer, kind and channel. Not per achievement: usages spread over every credential, and a bucket per
    achievement would hold about one usage."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()
    issuer_id = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["grain", "period", "issuer_id", "kind", "channel"], name="unique_usage_bucket")]
        indexes = [models.Index(fields=["grain", "period"], name="usage_bucket_period"),
                   models.Index(fields=["issuer_id", "grain", "period"], name="usage_bucket_issuer")]

    def __str__(self) -> str:
        return f"{self.grain}{self.period} {self.kind}/{self.channel}: {self.count}"
