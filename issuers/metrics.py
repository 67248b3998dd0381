"""The issuers' figures for ``GET /metrics`` (see ``badges_service.metrics``)."""

from __future__ import annotations

from django.db.models import Count

from badges_service.metrics import Figures, collector

from .models import Credential


@collector("issuers")
def credentials_figures() -> Figures:
    rows = Credential.objects.values_list("issuer__slug").annotate(n=Count("pk")).order_by("issuer__slug")
    return [("badges_credentials_issued", "Credentials issued, by issuer.", "counter",
             [({"issuer": slug}, n) for slug, n in rows])]
