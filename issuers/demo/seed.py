"""Demo data (``seed_demo``): issuers and achievements, created through the services, idempotently."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from issuers import services
from issuers.models import Achievement, Issuer
from issuers.permissions import SYSTEM

DATA = Path(__file__).parent / "issuers.json"


@transaction.atomic
def seed_issuers_and_achievements() -> dict[str, int]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    created = {"issuers": 0, "achievements": 0}
    for row in data["issuers"]:
        if Issuer.objects.filter(slug=row["slug"]).exists():
            continue
        parent = Issuer.objects.get(slug=row["parent"]) if row["parent"] else None
        services.issuer_create(**{**row, "parent": parent})
        created["issuers"] += 1
    for row in data["achievements"]:
        if Achievement.objects.filter(slug=row["slug"]).exists():
            continue
        services.achievement_create(**{**row, "issuer": Issuer.objects.get(slug=row["issuer"])}, actor=SYSTEM)
        created["achievements"] += 1
    return created
