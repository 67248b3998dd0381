"""Process a stored event: resolve the learner, evaluate the award rules and pathways, issue through
``issuers.services.credential_issue``, exactly once.

"Exactly once" is the database's job: an ``Award`` row is inserted before signing, in the same
transaction as the credential, under a unique index on (learner, achievement, level[, occurrence]). A
concurrent duplicate blocks on that index until the first transaction ends, then gets an IntegrityError
and resolves to the award (and credential) the first one made; a worker killed before the commit leaves
nothing, and the event, still ``received``, is processed again. The event row itself is locked
(SELECT ... FOR UPDATE) so that two deliveries of one task do not both evaluate it.

Errors: a domain error (``ApplicationError``: no active key, a level off the achievement's scale...) is
permanent and recorded on the event as ``failed``; database and broker outages propagate, and the task
retries them with backoff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.dispatch import Signal
from django.utils import timezone

from badges_service.errors import ApplicationError
from badges_service.openbadges import ob3
from competencies.models import ProficiencyLevel
from issuers.models import Achievement
from issuers.services import credential_issue

from .. import notifications, selectors
from ..intake import COMPLETED, FAILED, PASSED, SCORED
from ..models import Award, AwardRule, Completion, InboundEvent, Pathway

logger = logging.getLogger(__name__)

# Sent inside the award's transaction, after signing and before the commit (an extension point; the
# worker tests use it to kill a worker at the worst moment).
award_signed = Signal()

Status = InboundEvent.Status
MAX_PATHWAY_ROUNDS = 5
TRANSIENT = (OperationalError, InterfaceError)


# --- processing --------------------------------------------------------------------------------


@dataclass
class _Verdict:
    status: str
    reason: str = ""
    detail: str = ""


def event_process_one(*, event_id: int) -> InboundEvent | None:
    """Process one stored event, once, on its own (the path of events pathways concern, and of batches that
    could not be written as a whole: see ``batch``). Returns the event (None if it no longer exists)."""
    try:
        with transaction.atomic():
            # The source comes along (the evidence names it) but only the event's row is locked.
            event = (InboundEvent.objects.select_related("source").select_for_update(of=("self",))
                     .filter(pk=event_id).first())
            if event is None or event.status != Status.RECEIVED:
                return event  # processed meanwhile (a duplicate task, a re-drive), or re-routed by an admin
            granted: list[tuple[Award, bool]] = []
            verdict = _evaluate(event, granted)
            event.status, event.reason, event.detail = verdict.status, verdict.reason, verdict.detail[:2000]
            event.attempts += 1
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "reason", "detail", "attempts", "processed_at", "recipient_email"])
            if granted:  # one INSERT, where .add() would first read the links back
                InboundEvent.awards.through.objects.bulk_create(
                    [InboundEvent.awards.through(inboundevent_id=event.pk, award_id=pk)
                     for pk in sorted({a.pk for a, _ in granted})], ignore_conflicts=True)
            new = [a.pk for a, created in granted if created]
            if new:
                # Sent after the commit, outside the signing transaction: a mail server that is down never
                # undoes a badge.
                transaction.on_commit(partial(notifications.awards_notify, award_ids=new))
            return event
    except ApplicationError as exc:
        _record_failure(event_id, exc.code, exc.message)
    except TRANSIENT:
        raise  # the task retries with backoff
    except Exception as exc:  # a bug or data not foreseen: recorded, not retried in a loop
        logger.exception("Event %s could not be processed.", event_id)
        _record_failure(event_id, "internal_error", f"{type(exc).__name__}: {exc}")
    return InboundEvent.objects.filter(pk=event_id).first()


def _record_failure(event_id: int, code: str, message: str) -> None:
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.status != Status.RECEIVED:
            return
        event.status, event.reason, event.detail = Status.FAILED, code[:40], message[:2000]
        event.attempts += 1
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "reason", "detail", "attempts", "processed_at"])


def _evaluate(event: InboundEvent, granted: list) -> _Verdict:
    rules = selectors.rules_for(source_id=event.source_id, keys=event.course_keys)
    pathway_courses = selectors.pathway_courses(source_id=event.source_id, keys=event.course_keys)
    if not rules and not pathway_courses:
        return _Verdict(Status.IGNORED, "unknown_course", "No active rule or pathway names this course (any more).")
    email = (selectors.learner_email_for(source_id=event.source_id, lms_user_id=event.lms_user_id)
             or event.email.strip().lower())
    if not email:
        return _Verdict(Status.UNMATCHED, "unknown_learner",
                        f"No learner is mapped to LMS user '{event.lms_user_id}' and the event carries no email.")
    event.recipient_email = email
    if event.outcome == FAILED or event.success is False:
        return _Verdict(Status.IGNORED, "not_passed", "The learner did not pass.")

    refusals: list[str] = []
    for rule in rules:
        level, refusal = rule_decision(rule, event)
        if refusal:
            refusals.append(refusal)
            continue
        granted.append(_grant(
            event=event, email=email, achievement=rule.achievement, level=level, rule=rule,
            occurrence=str(event.public_id) if rule.reearnable else "",
            evidence=[evidence_of(event)], validity_days=rule.validity_days))

    finished = event.outcome in (COMPLETED, PASSED)
    if finished:
        # Every known course the event completes is remembered, so a pathway made later counts it too.
        courses = sorted({r.course for r in rules} | pathway_courses)
        Completion.objects.bulk_create(
            [Completion(learner_email=email, source_id=event.source_id, course=c, event=event,
                        completed_at=event.occurred_at) for c in courses], ignore_conflicts=True)
    _pathways(event, email, pathway_courses if finished else set(), granted)

    if granted:
        fresh = any(created for _, created in granted)
        return _Verdict(Status.PROCESSED, "" if fresh else "already_awarded")
    if pathway_courses and finished:
        return _Verdict(Status.PROCESSED, "pathway_progress", "Counted towards a pathway.")
    return _Verdict(Status.IGNORED, refusals[0] if refusals else "no_award", "; ".join(refusals))


def rule_decision(rule: AwardRule, event: InboundEvent) -> tuple[ProficiencyLevel | None, str]:
    """(level, "") when the rule awards, (None, reason) when it does not."""
    score, bands = event.score, list(rule.bands.all())
    if rule.min_score is not None:
        if score is None:
            return None, "no_score"
        if score < rule.min_score:
            return None, "below_min_score"
    if event.outcome == SCORED and rule.min_score is None and not bands and not (
            event.level_code and rule.level_framework_id):
        return None, "not_a_completion"  # a score alone, on a rule that does not read scores
    level = None
    if event.level_code and rule.level_framework_id:
        level = ProficiencyLevel.objects.filter(framework_id=rule.level_framework_id, code=event.level_code).first()
        if level is None:
            raise ApplicationError(f"Level '{event.level_code}' is not on the rule's scale.", code="unknown_level")
    elif bands:
        if score is None:
            return None, "no_score"
        level = next((b.level for b in bands if score >= b.min_score), None)
        if level is None:
            return None, "below_min_score"
    if rule.min_level_id:
        if level is None:
            return None, "no_level"
        if level.rank < rule.min_level.rank:
            return None, "below_min_level"
    return level, ""


def evidence_of(event: InboundEvent) -> ob3.Evidence:
    """OB 3.0 §B.1.9 Evidence: the course, the date and the result, as the source reported them."""
    course = event.course_name or f"Cours {event.course_keys[0]}"
    parts = [f"{dict(InboundEvent.Outcome.choices).get(event.outcome, event.outcome)} le "
             f"{timezone.localtime(event.occurred_at):%d/%m/%Y}"]
    if event.score is not None:
        unit = " Pix" if event.course_keys == ["pix"] else " %"
        parts.append(f"score : {event.score.normalize():f}{unit}")
    if event.level_code:
        parts.append(f"niveau : {event.level_code}")
    return ob3.Evidence(name=course, narrative=", ".join(parts) + ".", genre="Formation",
                        description=f"Source : {event.source.name} ({event.get_kind_display()}), "
                                    f"événement {event.event_id}.")


def _grant(*, event: InboundEvent, email: str, achievement: Achievement, level: ProficiencyLevel | None,
           occurrence: str, evidence: list, validity_days: int | None, rule: AwardRule | None = None,
           pathway: Pathway | None = None) -> tuple[Award, bool]:
    """The award of ``achievement`` at ``level`` to ``email``, made (and signed) if it does not exist."""
    key = {"recipient_email": email, "achievement": achievement, "level": level, "occurrence": occurrence}
    existing = Award.objects.filter(**key).select_related("credential").first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    try:
        with transaction.atomic():
            award = Award.objects.create(**key, rule=rule, pathway=pathway)
            credential = credential_issue(
                achievement=achievement, recipient_email=email, recipient_name=event.recipient_name,
                evidence=evidence, level=level, now=now,
                valid_until=now + timedelta(days=validity_days) if validity_days else None)
            Award.objects.filter(pk=award.pk).update(credential=credential)
            award.credential = credential
            award_signed.send(sender=Award, award=award, event=event)
    except IntegrityError:
        existing = Award.objects.filter(**key).select_related("credential").first()
        if existing is None:
            raise
        logger.info("Concurrent award of %s to one learner: resolved to award %s.", achievement.slug, existing.pk)
        return existing, False
    return award, True


def _pathways(event: InboundEvent, email: str, courses: set[str], granted: list) -> None:
    """Pathways this event moved forward (its courses, the achievements just awarded), until none is new."""
    seen: set[int] = set()
    achievements = {a.achievement_id for a, _ in granted}
    for _ in range(MAX_PATHWAY_ROUNDS):
        touched = [p for p in selectors.pathways_touched(source_id=event.source_id, courses=courses,
                                                         achievement_ids=achievements) if p.pk not in seen]
        if not touched:
            return
        achievements = set()
        for pathway in touched:
            seen.add(pathway.pk)
            items = list(pathway.items.all())
            if selectors.pathway_progress(pathway=pathway, email=email) < (pathway.required or len(items)):
                continue
            award = _grant(event=event, email=email, achievement=pathway.achievement, level=None, occurrence="",
                           pathway=pathway, validity_days=pathway.validity_days,
                           evidence=[ob3.Evidence(name=f"Parcours « {pathway.name} »", genre="Parcours",
                                                  narrative=f"{pathway.required or len(items)} étape(s) sur "
                                                            f"{len(items)} validée(s).")])
            granted.append(award)
            achievements.add(pathway.achievement_id)
        courses = set()
