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
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.dispatch import Signal
from django.utils import timezone

from badges_service.errors import ApplicationError
from badges_service.openbadges import ob3
from competencies.models import ProficiencyLevel
from issuers.models import Achievement
from issuers.permissions import SYSTEM
from issuers.services import credential_issue

from .. import notifications, selectors
from ..models import Award, AwardRule, Completion, InboundEvent, Pathway
from .decision import Decision, award_decide, evidence_of, preload

logger = logging.getLogger(__name__)

# Sent inside the award's transaction, after signing and before the commit (an extension point; the
# worker tests use it to kill a worker at the worst moment).
award_signed = Signal()

Status = InboundEvent.Status
MAX_PATHWAY_ROUNDS = 5
TRANSIENT = (OperationalError, InterfaceError)


# --- processing --------------------------------------------------------------------------------


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


def _evaluate(event: InboundEvent, granted: list) -> Decision:
    """A batch of one: the same decision as the batch path, then the awards written one at a time (each
    resolving a concurrent duplicate to the award made first) and the pathways moved forward."""
    decision = award_decide(event, preload([event]))
    if decision.recipient_email:
        event.recipient_email = decision.recipient_email
    if not decision.rules_applied:
        return decision  # unknown course, unknown learner, not passed: nothing to write
    email = decision.recipient_email
    for grant in decision.grants:
        award = grant.award
        if not grant.new:
            granted.append((award, False))
            continue
        granted.append(_grant(event=event, email=email, achievement=award.achievement, level=award.level,
                              rule=award.rule, occurrence=award.occurrence, evidence=[evidence_of(event)],
                              validity_days=grant.validity_days))
    if decision.completed_courses:
        Completion.objects.bulk_create(
            [Completion(learner_email=email, source_id=event.source_id, course=c, event=event,
                        completed_at=event.occurred_at) for c in decision.completed_courses], ignore_conflicts=True)
    _pathways(event, email, decision.pathway_courses, granted)
    if granted:  # pathways may have granted what the rules did not
        fresh = any(created for _, created in granted)
        decision.status, decision.detail = Status.PROCESSED, ""
        decision.reason = "" if fresh else "already_awarded"
    return decision


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
                valid_until=now + timedelta(days=validity_days) if validity_days else None, actor=SYSTEM)
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
