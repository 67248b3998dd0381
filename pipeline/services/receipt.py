"""Persist first: events are stored (idempotent on (source, event id)) before the 202, then queued.

A redelivery finds the stored row and returns its ``receipt``, the body of the original answer. An event
for a course no rule or pathway of the source names is stored as ``ignored`` and not queued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from badges_service import bulk, logs
from badges_service.errors import ApplicationError
from badges_service.public_urls import public_url

from .. import selectors
from ..intake import ParsedEvent, Unsupported, csv_backfill
from ..models import CsvImport, InboundEvent, LmsSource
from .queueing import enqueue

CHUNK = 1000


def _receipt(public_id: uuid.UUID, status: str, reason: str) -> dict:
    receipt = {"id": str(public_id), "status": status,
               "url": public_url(f"/api/v1/events/{public_id}")}
    if reason:
        receipt["reason"] = reason
    return receipt


def _build(source: LmsSource, item: ParsedEvent, known: set[str], now, csv_import=None,
           public_id: uuid.UUID | None = None) -> InboundEvent:
    public_id = public_id or uuid.uuid4()
    if item.ignored:
        status, reason = InboundEvent.Status.IGNORED, item.ignored
    elif known.intersection(item.course_keys):
        status, reason = InboundEvent.Status.RECEIVED, ""
    else:
        status, reason = InboundEvent.Status.IGNORED, "unknown_course"
    return InboundEvent(
        public_id=public_id, source=source, kind=item.kind, event_id=item.event_id, status=status, reason=reason,
        lms_user_id=item.lms_user_id, email=item.email, recipient_name=item.recipient_name[:200],
        course_keys=list(item.course_keys), course_name=item.course_name[:300], outcome=item.outcome,
        score=item.score, success=item.success, level_code=item.level_code, occurred_at=item.occurred_at,
        payload=item.payload, receipt=_receipt(public_id, status, reason), csv_import=csv_import,
        queued_at=now if status == InboundEvent.Status.RECEIVED else None, request_id=logs.request_id(),
    )


def unsupported_receipt(item: Unsupported) -> dict:
    """Answer for a well-formed item this service does not act on: nothing is stored."""
    return {"status": InboundEvent.Status.IGNORED, "reason": item.reason}


def _store(events: list[InboundEvent]) -> list[tuple[InboundEvent, bool]]:
    """Insert the events in one statement, those already stored (same source and event id) skipped. ``(event,
    created)`` for each, in order: an event already stored is the stored row. The caller queues the new ones
    (``_queue``) once they are committed."""
    # One order of the keys for every statement: two concurrent INSERTs of the same keys wait for each other in the
    # same order instead of dead-locking.
    ordered = sorted(events, key=lambda e: (e.source_id, e.event_id))
    inserted = dict(bulk.rows_insert(InboundEvent, ordered, skip_conflicts=("source", "event_id"),
                                     returning=("public_id", "pk")))
    # Not inserted: stored before, or by a concurrent request (the unique index made this INSERT wait for its
    # commit), or by an earlier item of this very statement.
    skipped = [e for e in events if e.public_id not in inserted]
    stored = {}
    if skipped:
        keys = Q()
        for event in skipped:
            keys |= Q(source_id=event.source_id, event_id=event.event_id)
        stored = {(e.source_id, e.event_id): e for e in InboundEvent.objects.filter(keys)}
    results = []
    for event in events:
        if event.public_id in inserted:
            event.pk, event._state.adding, event._state.db = inserted[event.public_id], False, InboundEvent.objects.db
            results.append((event, True))
        else:
            results.append((stored[event.source_id, event.event_id], False))
    return results


def _queue(results: list[tuple[InboundEvent, bool]]) -> None:
    """Queue the events just stored, on commit (at once in autocommit mode)."""
    queued = [e.pk for e, created in results if created and e.status == InboundEvent.Status.RECEIVED]
    if queued:
        transaction.on_commit(partial(enqueue, queued))


def event_receive(*, source: LmsSource, item: ParsedEvent) -> tuple[InboundEvent, bool]:
    """Store one event (a webhook) and queue it on commit. ``(event, created)``; a redelivery, possibly concurrent,
    gets the stored event. In autocommit mode (a request) the INSERT is its own transaction: the event is committed
    when this returns."""
    event = _build(source, item, selectors.known_courses(source=source, keys=item.course_keys), timezone.now())
    stored = _store([event])
    _queue(stored)
    return stored[0]


def events_receive(*, source: LmsSource, items: list[ParsedEvent],
                   csv_import: CsvImport | None = None) -> dict[str, tuple[InboundEvent, bool]]:
    """Store many events at once (xAPI lists, CSV files): ``{event_id: (event, created)}``.

    One INSERT per thousand events (those already stored skipped, a concurrent upload may insert the same ids),
    and a read of the ones skipped. An event is ours if the row carries the public id generated here."""
    now = timezone.now()
    unique: dict[str, ParsedEvent] = {}
    for item in items:
        unique.setdefault(item.event_id, item)
    known = selectors.known_courses(source=source, keys={k for i in unique.values() for k in i.course_keys})
    ids = list(unique)
    result: dict[str, tuple[InboundEvent, bool]] = {}
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            events = [_build(source, unique[i], known, now, csv_import) for i in ids[start:start + CHUNK]]
            stored = _store(events)
            _queue(stored)
            for event, created in stored:
                result[event.event_id] = (event, created)
    return result


@dataclass
class CsvReport:
    csv_import: CsvImport
    skipped: int


def csv_import(*, source: LmsSource, kind: str, text: str, filename: str = "", uploaded_by=None) -> CsvReport:
    """Check every row, store the events of the good ones, and keep a per-row report on the import."""
    try:
        rows = csv_backfill.parse(kind, text)
    except csv_backfill.FileInvalid as exc:
        raise ApplicationError("The CSV file cannot be read.", code="invalid_csv",
                               extra={"fields": exc.errors}) from exc
    with transaction.atomic():
        record = CsvImport.objects.create(source=source, kind=kind, filename=filename[:200], uploaded_by=uploaded_by)
        stored = events_receive(source=source, items=[e for r in rows for e in r.events], csv_import=record)
        report, accepted, rejected, skipped = [], 0, 0, 0
        for row in rows:
            if row.errors:
                rejected += 1
                report.append({"line": row.line, "status": "rejected", "errors": row.errors})
            elif row.skipped or not row.events:
                skipped += 1
                report.append({"line": row.line, "status": "skipped", "reason": row.skipped or "Rien à délivrer."})
            else:
                accepted += 1
                report.append({"line": row.line, "status": "accepted", "events": [
                    {"event_id": e.event_id, "id": str(stored[e.event_id][0].public_id),
                     "status": stored[e.event_id][0].status, "duplicate": not stored[e.event_id][1]}
                    for e in row.events]})
        record.rows, record.accepted, record.rejected, record.report = len(rows), accepted, rejected, report
        record.save(update_fields=["rows", "accepted", "rejected", "report"])
    return CsvReport(record, skipped)
