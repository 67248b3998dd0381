"""Bitstring status lists (W3C Bitstring Status List v1.0) and the entries credentials point at.

A list belongs to one issuer identity (``controller``: the ``issuer.id`` of the credentials it serves,
since verifiers require the list's issuer to be the credential's) and one purpose. Indexes are drawn at
random among ``size`` (at least 131,072) and are unique per list; ``version`` counts the changes of the
list, and ``document`` is the last signed ``BitstringStatusListCredential`` (for ``document_version``),
regenerated lazily when someone asks for it. Rows are written only through ``issuers.status_lists``.
"""

from __future__ import annotations

import uuid

from django.db import models


class StatusList(models.Model):
    class Purpose(models.TextChoices):
        REVOCATION = "revocation", "revocation"
        SUSPENSION = "suspension", "suspension"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey("issuers.Issuer", on_delete=models.PROTECT, related_name="status_lists")
    controller = models.CharField(max_length=300)
    # did:key issuers: the key that is the identity, and so signs the list; did:web: the active key.
    signing_key = models.ForeignKey("issuers.SigningKey", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.REVOCATION)
    size = models.PositiveIntegerField(default=131_072)
    allocated = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    document = models.TextField(blank=True)
    document_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["issuer", "controller", "purpose"], name="status_list_lookup")]

    def __str__(self) -> str:
        return f"{self.issuer.slug} {self.purpose} {self.public_id}"


class StatusListEntry(models.Model):
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()
    # Null between the reservation of the index and the creation of the credential, in the same transaction.
    credential = models.OneToOneField("issuers.Credential", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="status_entry")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status_list", "index"], name="unique_status_list_index")]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"
