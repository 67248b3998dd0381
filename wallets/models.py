"""OpenID4VCI issuance state: credential offers (pre-authorized codes), access tokens and proof nonces.

Secrets are kept only as keyed digests (``wallets.secrets.digest``): a pre-authorized code, a transaction code, an
access token or a nonce is never stored in clear. Every row expires and is removed by ``wallets.tasks``.
Written only by ``wallets.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CredentialOffer(models.Model):
    """An offer of one award to the wallet of the learner who asked for it (pre-authorized code flow)."""

    credential = models.ForeignKey("issuers.Credential", on_delete=models.CASCADE, related_name="wallet_offers")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="wallet_offers")  # None: made by an operator (management command)
    code_digest = models.CharField(max_length=64, unique=True)
    tx_code_digest = models.CharField(max_length=64, blank=True)  # "": no transaction code (same device)
    configuration_ids = models.JSONField(default=list)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"offer {self.pk} of {self.credential_id}"


class AccessToken(models.Model):
    """What the token endpoint gave for a redeemed offer: it lets the wallet ask for the offered configurations,
    each once."""

    offer = models.ForeignKey(CredentialOffer, on_delete=models.CASCADE, related_name="access_tokens")
    token_digest = models.CharField(max_length=64, unique=True)
    issued_configurations = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"access token {self.pk} of offer {self.offer_id}"


class ProofNonce(models.Model):
    """A ``c_nonce`` from the nonce endpoint: used in one key proof, once, before it expires."""

    nonce_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"nonce {self.pk}"


class PresentationRequest(models.Model):
    """An OpenID4VP 1.0 request for a badge from a wallet: "a badge aligned to competency X at level N or more",
    or "any badge from issuer Y", as a DCQL query; answered once, by ``direct_post``."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        ACCEPTED = "accepted", "accepted"  # a valid presentation that satisfies the query
        REFUSED = "refused", "refused"  # a presentation was received and did not pass

    public_id = models.UUIDField(unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="presentation_requests")
    competency = models.ForeignKey("competencies.Competency", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    min_level = models.ForeignKey("competencies.ProficiencyLevel", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    issuer = models.ForeignKey("issuers.Issuer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dcql_query = models.JSONField()
    nonce = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"presentation request {self.public_id} ({self.status})"
