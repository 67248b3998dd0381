"""Persist first: events are stored (idempotent on (source, event id)) before the 202, then queued.

A redelivery finds the stored row and returns its ``receipt``, the body of the original answer. An event
for a course no rule or pathway of the source names is stored as ``ignored`` and not queued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from badges_service import logs
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


def event_receive(*, source: LmsSource, item: ParsedEvent) -> tuple[InboundEvent, bool]:
    """Store one event (a webhook) and queue it on commit. ``(event, created)``."""
    now = timezone.now()
    event = _build(source, item, selectors.known_courses(source=source, keys=item.course_keys), now)
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint: a duplicate does not spoil the caller's transaction
                event.save(force_insert=True)
                if event.status == InboundEvent.Status.RECEIVED:
                    transaction.on_commit(partial(enqueue, [event.pk]))
        else:
            # Autocommit: the INSERT is its own transaction (no BEGIN/COMMIT round trips); committed once
            # it returns, so the event is queued right after.
            event.save(force_insert=True)
            if event.status == InboundEvent.Status.RECEIVED:
                enqueue([event.pk])
    except IntegrityError:
        # A redelivery, possibly concurrent: the unique (source, event_id) index made it wait for the first.
        return InboundEvent.objects.get(source=source, event_id=item.event_id), False
    return event, True


def events_receive(*, source: LmsSource, items: list[ParsedEvent],
                   csv_import: CsvImport | None = None) -> dict[str, tuple[InboundEvent, bool]]:
    """Store many events at once (xAPI lists, CSV files): ``{event_id: (event, created)}``.

    Three statements per thousand events whatever the size: read the ids already there, insert the
    others with ON CONFLICT DO NOTHING (a concurrent upload may insert the same ids), read them back. An
    event is ours if the row carries the public id generated here."""
    now = timezone.now()
    unique: dict[str, ParsedEvent] = {}
    for item in items:
        unique.setdefault(item.event_id, item)
    known = selectors.known_courses(source=source, keys={k for i in unique.values() for k in i.course_keys})
    ids = list(unique)
    result: dict[str, tuple[InboundEvent, bool]] = {}
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            existing = set(InboundEvent.objects.filter(source=source, event_id__in=chunk)
                           .values_list("event_id", flat=True))
            mine = {i: _build(source, unique[i], known, now, csv_import) for i in chunk if i not in existing}
            InboundEvent.objects.bulk_create(list(mine.values()), ignore_conflicts=True)
            for event in InboundEvent.objects.filter(source=source, event_id__in=chunk):
                created = event.event_id in mine and event.public_id == mine[event.event_id].public_id
                result[event.event_id] = (event, created)
        queued = [e.pk for e, created in result.values() if created and e.status == InboundEvent.Status.RECEIVED]
        if queued:
            transaction.on_commit(partial(enqueue, queued))
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
