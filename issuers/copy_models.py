"""Copies of a credential delivered to a holder's wallet (OpenID4VCI), bound to the holder's key.

A copy is a new credential of the same award: same achievement, dates, evidence and status entry (so the award's
status list bit revokes or suspends every copy), its own ``urn:uuid`` id, ``credentialSubject.id`` the holder's
DID. Stored as signed and never rebuilt. Written only by ``issuers.copies``.
"""

from __future__ import annotations

import uuid

from django.db import models


class CredentialCopy(models.Model):
    LDP_VC, JWT_VC_JSON = "ldp_vc", "jwt_vc_json"
    FORMATS = ((LDP_VC, "ldp_vc (Data Integrity eddsa-rdfc-2022)"), (JWT_VC_JSON, "jwt_vc_json (VC-JWT)"))

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential = models.ForeignKey("issuers.Credential", on_delete=models.CASCADE, related_name="copies")
    format = models.CharField(max_length=20, choices=FORMATS)
    holder = models.TextField()  # the holder's DID (did:key, did:jwk): the copy's credentialSubject.id
    document = models.TextField()  # as signed: JSON (ldp_vc) or a compact JWT (jwt_vc_json)
    signing_key = models.ForeignKey("issuers.SigningKey", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.format} copy {self.public_id} for {self.holder[:40]}"

    @property
    def document_id(self) -> str:
        """The copy's ``id`` inside its document."""
        return f"urn:uuid:{self.public_id}"
