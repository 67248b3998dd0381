"""Demo data (``seed_demo``): a Moodle source, its award rules and one learner mapping, through the
services, idempotently. The source's secret is returned only when the source is created."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from competencies.models import AchievementAlignment, Framework
from issuers.models import Achievement, Issuer

from . import selectors, services
from .models import AwardRule, LmsSource

DEMO_SOURCE = "moodle-demo"
# (course, achievement, min score %, validity in days)
RULES = [
    ("101", "accueil-usagers", None, None),
    ("102", "cybersecurite-essentiels", Decimal(80), 3 * 365),
]
# Positioning test in office software: score bands give the level of the city's scale.
POSITIONING = ("positionnement:bureautique", "bureautique-tableur", [(Decimal(50), "N2"), (Decimal(75), "N3"),
                                                                    (Decimal(90), "N4")])


@transaction.atomic
def seed_pipeline() -> dict:
    """``{"rules": n, "secret": str | None, "lrs": {...} | None}``: the secret and the LRS settings (with the
    password) only when the source is created now."""
    secret = lrs = None
    source = LmsSource.objects.filter(name=DEMO_SOURCE).first()
    if source is None:
        new = services.lms_source_create(name=DEMO_SOURCE, issuer=Issuer.objects.filter(slug="drh").first())
        source, secret = new.source, new.secret
        lrs = {"lrs_endpoint": selectors.lrs_endpoint(), "lrs_username": source.lrs_username,
               "lrs_password": new.lrs_password}
    created = 0
    for course, slug, min_score, days in RULES:
        achievement = Achievement.objects.filter(slug=slug).first()
        if achievement and not AwardRule.objects.filter(source=source, course=course).exists():
            services.award_rule_create(source=source, course=course, achievement=achievement, min_score=min_score,
                                       validity_days=days)
            created += 1
    course, slug, bands = POSITIONING
    achievement = Achievement.objects.filter(slug=slug).first()
    framework = Framework.objects.filter(code="ville-metiers").order_by("-created_at").first()
    aligned = achievement and framework and AchievementAlignment.objects.filter(
        achievement=achievement, competency__framework=framework).exists()
    if aligned and not AwardRule.objects.filter(source=source, course=course).exists():
        services.award_rule_create(
            source=source, course=course, achievement=achievement, min_score=bands[0][0], level_framework=framework,
            bands=[(low, framework.levels.get(code=code)) for low, code in bands])
        created += 1
    services.learner_map(source=source, lms_user_id="45", email="camille.dupont@ville-exemple.fr")
    return {"rules": created, "secret": secret, "lrs": lrs}
