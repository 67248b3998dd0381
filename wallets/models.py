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
