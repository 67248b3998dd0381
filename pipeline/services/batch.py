"""Process stored events in batches: one transaction, a few statements, whatever the batch's size.

A batch locks its events (``FOR UPDATE SKIP LOCKED`` when it claims the oldest pending ones, so that
workers share the backlog without waiting for each other), reads what the rules need once (rules and their
score bands, learner mappings, pathway items, awards already made: ``decision.preload``), decides every event
in memory with ``decision.award_decide`` (the one-event path's decision too), then writes: the new awards in
one INSERT, their credentials through ``issuers.services.credential_batch`` (one INSERT per table), the
completions, the events' new status.

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
from issuers.services import Issuance, IssueRequest, credential_batch

from .. import notifications
from ..models import Award, Completion, InboundEvent
from .decision import Decision, Grant, award_decide, evidence_of, preload
from .processing import TRANSIENT, award_signed, event_process_one

logger = logging.getLogger(__name__)
done_logger = logging.getLogger("badges.pipeline")  # one line per processed event

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
            batch = _Batch(events=events, issuance=credential_batch())
            _decide(batch)
            _write(batch)
            taken, one_by_one, taken_ids = len(events), batch.one_by_one, [e.pk for e in events]
    except TRANSIENT:
        raise  # the task retries with backoff
    except Exception as exc:  # a concurrent award (IntegrityError), or anything not foreseen: one by one
        logger.info("Batch of events rolled back (%s: %s); processing them one by one.", type(exc).__name__, exc)
        one_by_one = ids if ids is not None else list(_claimable(claim))
        taken, taken_ids = len(one_by_one), one_by_one
    for event_id in one_by_one:
        event_process_one(event_id=event_id)
    if done_logger.isEnabledFor(logging.INFO):
        _log_outcomes(taken_ids)
    return taken


def _log_outcomes(event_ids: list[int]) -> None:
    """One line per event taken (``badges.pipeline``), with the intake request's id and the credentials made."""
    credentials: dict[int, list[str]] = {}
    for event_id, public_id in (InboundEvent.awards.through.objects.filter(inboundevent_id__in=event_ids)
                                .values_list("inboundevent_id", "award__credential__public_id")):
        if public_id:
            credentials.setdefault(event_id, []).append(str(public_id))
    for event in (InboundEvent.objects.filter(pk__in=event_ids)
                  .values("pk", "public_id", "source__name", "status", "reason", "request_id", "attempts")):
        done_logger.info("event %s %s", event["public_id"], event["status"], extra={
            "request_id": event["request_id"], "event": str(event["public_id"]), "source": event["source__name"],
            "status": event["status"], "reason": event["reason"], "attempts": event["attempts"],
            "credentials": credentials.get(event["pk"], [])})


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
    preloaded = preload(batch.events)
    for event in batch.events:
        try:
            decision = award_decide(event, preloaded)
        except ApplicationError as exc:  # permanent: recorded on this event only
            decision = Decision(Status.FAILED, exc.code[:40], exc.message)
        if decision.pathways:
            batch.one_by_one.append(event.pk)
            continue
        try:
            grants = [_grant(batch, event, g) for g in decision.grants]
        except ApplicationError as exc:  # the issuance refuses (no active key...): this event only
            decision, grants = Decision(Status.FAILED, exc.code[:40], exc.message), []
        if decision.recipient_email:
            event.recipient_email = decision.recipient_email
        event.status, event.reason, event.detail = decision.status, decision.reason, decision.detail[:2000]
        event.attempts += 1
        event.processed_at = timezone.now()
        for grant in grants:
            preloaded.remember(grant.award)
        batch.grants.extend(grants)
        if decision.status != Status.FAILED:
            batch.completions += [Completion(learner_email=decision.recipient_email, source_id=event.source_id,
                                             course=c, event=event, completed_at=event.occurred_at)
                                  for c in decision.completed_courses]


def _grant(batch: _Batch, event: InboundEvent, grant: Grant) -> _Grant:
    if not grant.new:
        return _Grant(event, grant.award, None)
    award, now = grant.award, batch.issuance.now
    request = batch.issuance.check(IssueRequest(
        achievement=award.achievement, recipient_email=award.recipient_email, recipient_name=event.recipient_name,
        evidence=(evidence_of(event),), level=award.level,
        valid_until=now + timedelta(days=grant.validity_days) if grant.validity_days else None))
    return _Grant(event, award, request)


# --- writing ---------------------------------------------------------------------------------------


def _write(batch: _Batch) -> None:
    new = [g for g in batch.grants if g.request is not None]
    if new:
        credentials = batch.issuance.issue([g.request for g in new])
        for grant, credential in zip(new, credentials, strict=True):
            grant.award.credential = credential
        # The unique index decides "exactly once": an award made meanwhile by another transaction fails this
        # INSERT (after waiting for that transaction), and the batch is done again one event at a time.
        bulk.objects_create(Award, [g.award for g in new], match="credential")
        for grant in new:
            award_signed.send(sender=Award, award=grant.award, event=grant.event)
    bulk.objects_create(Completion, batch.completions, skip_conflicts=True)
    one_by_one = set(batch.one_by_one)
    decided = [e for e in batch.events if e.pk not in one_by_one]
    bulk.rows_update(InboundEvent, decided, _EVENT_FIELDS)
    links = {(g.event.pk, g.award.pk) for g in batch.grants}
    bulk.objects_create(InboundEvent.awards.through, [InboundEvent.awards.through(inboundevent_id=e, award_id=a)
                                                      for e, a in sorted(links)], skip_conflicts=True)
    if new:
        # Sent after the commit, outside the signing transaction: a mail server that is down never undoes a badge.
        # The objects just written, with what the message shows: nothing is read again.
        transaction.on_commit(partial(notifications.awards_mail, awards=[g.award for g in new]))


def event_process(*, event_id: int) -> InboundEvent | None:
    """Process one stored event, once (a batch of one). Returns the event (None if it no longer exists)."""
    events_process(event_ids=[event_id])
    return InboundEvent.objects.select_related("source").filter(pk=event_id).first()
