"""Process stored events in batches: one transaction, a few statements, whatever the batch's size.

A batch locks its events (``FOR UPDATE SKIP LOCKED`` when it claims the oldest pending ones, so that
workers share the backlog without waiting for each other), reads what the rules need once (rules and their
score bands, learner mappings, pathway items, awards already made), decides every event in memory with the
same rules as the one-event path (``processing``), then writes: the new awards in one INSERT, their
credentials through ``issuers.issuance`` (one INSERT per table), the completions, the events' new status.

"Exactly once" holds as in ``processing``, by the unique index on (learner, achievement, level[,
occurrence]): the awards a batch found made are reused, and the new ones are inserted with their
credentials; if a concurrent transaction made one of them meanwhile, the INSERT fails (after waiting for
that transaction), the whole batch is rolled back (the signatures it made are thrown away) and its events
go through the one-event path, which resolves each to the existing award.

Events a pathway may concern (their courses, or the achievements they earn, are pathway items) and every
event of a batch that failed as a whole take the one-event path, after the batch's commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from badges_service import bulk
from badges_service.errors import ApplicationError
from issuers.issuance import Issuance, IssueRequest

from .. import notifications, selectors
from ..intake import COMPLETED, FAILED, PASSED
from ..models import Award, Completion, InboundEvent
from .processing import TRANSIENT, award_signed, event_process_one, evidence_of, rule_decision

logger = logging.getLogger(__name__)

Status = InboundEvent.Status
_EVENT_FIELDS = ["status", "reason", "detail", "attempts", "processed_at", "recipient_email"]


@dataclass
class _Grant:
    event: InboundEvent
    award: Award
    request: IssueRequest | None  # None: the award exists already


@dataclass
class _Batch:
    events: list[InboundEvent]
    issuance: Issuance
    rules: dict[tuple[int, str], list] = field(default_factory=dict)
    emails: dict[tuple[int, str], str] = field(default_factory=dict)
    pathway_courses: set[tuple[int, str]] = field(default_factory=set)
    pathway_achievements: set[int] = field(default_factory=set)
    awards: dict[tuple, Award] = field(default_factory=dict)  # existing and planned, by unique key
    grants: list[_Grant] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    one_by_one: list[int] = field(default_factory=list)  # events for the one-event path


def events_process(*, event_ids: Iterable[int] | None = None, claim: int = 0) -> int:
    """Process the given events, or claim up to ``claim`` of the oldest pending ones. Returns how many
    events this call took (0: nothing was pending)."""
    ids = None if event_ids is None else sorted(set(event_ids))
    try:
        with transaction.atomic():
            events = _lock(ids, claim)
            if not events:
                return 0
            batch = _Batch(events=events, issuance=Issuance())
            _decide(batch)
            _write(batch)
            taken, one_by_one = len(events), batch.one_by_one
    except TRANSIENT:
        raise  # the task retries with backoff
    except Exception as exc:  # a concurrent award (IntegrityError), or anything not foreseen: one by one
        logger.info("Batch of events rolled back (%s: %s); processing them one by one.", type(exc).__name__, exc)
        one_by_one = ids if ids is not None else list(_claimable(claim))
        taken = len(one_by_one)
    for event_id in one_by_one:
        event_process_one(event_id=event_id)
    return taken


def _lock(ids: list[int] | None, claim: int) -> list[InboundEvent]:
    events = InboundEvent.objects.select_related("source").filter(status=Status.RECEIVED)
    if ids is not None:
        # Named events: wait for a row another worker holds (it is then no longer "received").
        return list(events.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    return list(events.select_for_update(of=("self",), skip_locked=True).order_by("pk")[:claim])


def _claimable(claim: int) -> list[int]:
    return list(InboundEvent.objects.filter(status=Status.RECEIVED).order_by("pk").values_list("pk", flat=True)[:claim])


# --- deciding --------------------------------------------------------------------------------------


def _decide(batch: _Batch) -> None:
    _load(batch)
    for event in batch.events:
        grants: list[_Grant] = []
        try:
            verdict = _decide_event(batch, event, grants)
        except ApplicationError as exc:  # permanent: recorded on this event only
            verdict = (Status.FAILED, exc.code[:40], exc.message)
            grants = []
        if verdict is None:
            batch.one_by_one.append(event.pk)
            continue
        event.status, event.reason, event.detail = verdict[0], verdict[1], verdict[2][:2000]
        event.attempts += 1
        event.processed_at = timezone.now()
        for grant in grants:
            batch.awards[_key(grant.award)] = grant.award
        batch.grants.extend(grants)
        if event.status == Status.PROCESSED and event.outcome in (COMPLETED, PASSED):
            # Every known course the event completes is remembered, so a pathway made later counts it too.
            courses = sorted({r.course for k in event.course_keys for r in batch.rules.get((event.source_id, k), ())})
            batch.completions += [Completion(learner_email=event.recipient_email, source_id=event.source_id,
                                             course=c, event=event, completed_at=event.occurred_at) for c in courses]


def _load(batch: _Batch) -> None:
    """What the rules need, read once for the batch."""
    wanted = {(e.source_id, k) for e in batch.events for k in e.course_keys}
    sources = {s for s, _ in wanted}
    for rule in selectors.rules_for_sources(source_ids=sources, keys={k for _, k in wanted}):
        batch.rules.setdefault((rule.source_id, rule.course), []).append(rule)
    items = selectors.pathway_items_for(source_ids=sources, keys={k for _, k in wanted},
                                        achievement_ids={r.achievement_id for rs in batch.rules.values() for r in rs})
    batch.pathway_courses = {(i.source_id, i.course) for i in items if i.course}
    batch.pathway_achievements = {i.achievement_id for i in items if i.achievement_id}
    batch.emails = selectors.learner_emails_for(pairs={(e.source_id, e.lms_user_id) for e in batch.events
                                                       if e.lms_user_id})
    emails = set(batch.emails.values()) | {e.email.strip().lower() for e in batch.events if e.email}
    achievements = {r.achievement_id for rules in batch.rules.values() for r in rules}
    if emails and achievements:
        batch.awards = {_key(a): a for a in Award.objects.filter(recipient_email__in=emails,
                                                                 achievement_id__in=achievements)}


def _decide_event(batch: _Batch, event: InboundEvent, grants: list[_Grant]) -> tuple[str, str, str] | None:
    """The event's verdict, its grants appended to ``grants``; None: the one-event path decides."""
    if any((event.source_id, k) in batch.pathway_courses for k in event.course_keys):
        return None
    rules = sorted({r.pk: r for k in event.course_keys for r in batch.rules.get((event.source_id, k), ())}.values(),
                   key=lambda r: r.pk)
    if not rules:
        return Status.IGNORED, "unknown_course", "No active rule or pathway names this course (any more)."
    if any(r.achievement_id in batch.pathway_achievements for r in rules):
        return None
    email = batch.emails.get((event.source_id, event.lms_user_id)) or event.email.strip().lower()
    if not email:
        return (Status.UNMATCHED, "unknown_learner",
                f"No learner is mapped to LMS user '{event.lms_user_id}' and the event carries no email.")
    event.recipient_email = email
    if event.outcome == FAILED or event.success is False:
        return Status.IGNORED, "not_passed", "The learner did not pass."
    refusals = []
    for rule in rules:
        level, refusal = rule_decision(rule, event)
        if refusal:
            refusals.append(refusal)
            continue
        award = Award(recipient_email=email, achievement=rule.achievement, level=level, rule=rule,
                      occurrence=str(event.public_id) if rule.reearnable else "")
        existing = batch.awards.get(_key(award)) or next((g.award for g in grants if _key(g.award) == _key(award)),
                                                         None)  # made before, or earlier in this batch
        if existing is not None:
            grants.append(_Grant(event, existing, None))
            continue
        request = batch.issuance.check(IssueRequest(
            achievement=rule.achievement, recipient_email=email, recipient_name=event.recipient_name,
            evidence=(evidence_of(event),), level=level,
            valid_until=(batch.issuance.now + timedelta(days=rule.validity_days)
                         if rule.validity_days else None)))
        grants.append(_Grant(event, award, request))
    if grants:
        fresh = any(g.request is not None for g in grants)
        return Status.PROCESSED, "" if fresh else "already_awarded", ""
    return Status.IGNORED, refusals[0] if refusals else "no_award", "; ".join(refusals)


def _key(award: Award) -> tuple:
    return award.recipient_email, award.achievement_id, award.level_id, award.occurrence


# --- writing ---------------------------------------------------------------------------------------


def _write(batch: _Batch) -> None:
    new = [g for g in batch.grants if g.request is not None]
    if new:
        credentials = batch.issuance.issue([g.request for g in new])
        for grant, credential in zip(new, credentials, strict=True):
            grant.award.credential = credential
        # The unique index decides "exactly once": an award made meanwhile by another transaction fails this
        # INSERT (after waiting for that transaction), and the batch is done again one event at a time.
        Award.objects.bulk_create([g.award for g in new])
        for grant in new:
            award_signed.send(sender=Award, award=grant.award, event=grant.event)
    Completion.objects.bulk_create(batch.completions, ignore_conflicts=True)
    one_by_one = set(batch.one_by_one)
    decided = [e for e in batch.events if e.pk not in one_by_one]
    bulk.rows_update(InboundEvent, decided, _EVENT_FIELDS)
    links = {(g.event.pk, g.award.pk) for g in batch.grants}
    InboundEvent.awards.through.objects.bulk_create(
        [InboundEvent.awards.through(inboundevent_id=e, award_id=a) for e, a in sorted(links)], ignore_conflicts=True)
    if new:
        # Sent after the commit, outside the signing transaction: a mail server that is down never undoes a badge.
        transaction.on_commit(partial(notifications.awards_notify, award_ids=[g.award.pk for g in new]))


def event_process(*, event_id: int) -> InboundEvent | None:
    """Process one stored event, once (a batch of one). Returns the event (None if it no longer exists)."""
    events_process(event_ids=[event_id])
    return InboundEvent.objects.select_related("source").filter(pk=event_id).first()
