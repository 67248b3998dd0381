"""Demo agents with a direction, a job and a few badges (``seed_demo``), created once."""

from __future__ import annotations

import json
from pathlib import Path

from competencies.models import Framework, Job, ProficiencyLevel
from issuers import services
from issuers.models import Achievement, Credential, Issuer
from issuers.permissions import SYSTEM
from learners.models import Learner

DATA = Path(__file__).parent / "agents.json"


def _framework(code: str) -> Framework:
    return Framework.objects.filter(code=code).order_by("-created_at").first()


def seed_agents() -> dict[str, int]:
    created = {"agents": 0, "credentials": 0}
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        if Learner.objects.filter(email=row["email"]).exists():
            continue
        framework_code, job_code = row["job"]
        Learner.objects.create(email=row["email"], display_name=row["name"],
                               direction=Issuer.objects.get(slug=row["direction"]),
                               job=Job.objects.get(framework=_framework(framework_code), code=job_code),
                               profile_visible=row["profile_visible"])
        created["agents"] += 1
        for badge in row["badges"]:
            achievement = Achievement.objects.get(slug=badge["achievement"])
            if Credential.objects.filter(recipient_email=row["email"], achievement=achievement).exists():
                continue
            level = None
            if "level" in badge:
                level = ProficiencyLevel.objects.get(framework=_framework(badge["level"][0]), code=badge["level"][1])
            credential = services.credential_issue(achievement=achievement, recipient_email=row["email"],
                                                   recipient_name=row["name"], level=level, actor=SYSTEM)
            # Demo agents agreed to show their badges: the example pages of the README stay reachable.
            services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
            created["credentials"] += 1
    return created
