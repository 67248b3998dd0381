"""The Open Badges 2.0 twin of a credential: the hosted assertion, made at issuance, and the signed one, made at
issuance or on its first request (``jws`` empty until then: ``issuers.ob2.hosted_assertion``).

Both are stored as made and served as stored (the hosted copy gains ``revoked`` while the credential is
revoked or suspended: OB 2.0 hosted verification reads the host's copy). Written only by ``issuers.ob2``.
"""

from __future__ import annotations

from django.db import models

from badges_service import bulk


class HostedAssertion(models.Model):
    credential = models.OneToOneField("issuers.Credential", on_delete=models.CASCADE, related_name="ob2")
    document = bulk.LargeTextField()  # the hosted OB 2.0 Assertion (JSON), id = <credential url>/ob2
    jws = models.TextField()  # the signed OB 2.0 Assertion (compact JWS, RS256), id = urn:uuid:<public id>
    signing_key = models.ForeignKey("issuers.SigningKey", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"OB 2.0 {self.credential}"
