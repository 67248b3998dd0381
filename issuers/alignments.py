"""Aligning an achievement to the référentiel (competencies at a level, jobs): the issuer's write, checked
against the actor's rights at that issuer."""

from __future__ import annotations

from django.db import IntegrityError

from badges_service.errors import ApplicationError
from competencies.models import AchievementAlignment, AchievementJobAlignment, Competency, Job, ProficiencyLevel

from .models import Achievement
from .permissions import EDIT, ensure_can_act


def alignment_set(*, achievement: Achievement, competency: Competency, level: ProficiencyLevel | None = None,
                  actor) -> AchievementAlignment:
    """Align an achievement to a competency (at a level of the competency's framework)."""
    ensure_can_act(actor, achievement.issuer, EDIT)
    if level is not None and level.framework_id != competency.framework_id:
        raise ApplicationError("The level belongs to another framework's scale.", code="level_mismatch")
    try:
        alignment, _ = AchievementAlignment.objects.update_or_create(
            achievement=achievement, competency=competency, defaults={"level": level})
    except IntegrityError as exc:
        raise ApplicationError("The alignment could not be saved.", code="alignment_failed") from exc
    return alignment


def job_alignment_set(*, achievement: Achievement, job: Job, actor) -> AchievementJobAlignment:
    """Say that an achievement prepares for or certifies a job."""
    ensure_can_act(actor, achievement.issuer, EDIT)
    alignment, _ = AchievementJobAlignment.objects.get_or_create(achievement=achievement, job=job)
    return alignment
