"""The xAPI LRS's write: a batch of statements stored whole, or not at all.

xAPI Communication §2.1.1-2.1.2 and §3.2: a batch with a rejected statement is rejected whole; a statement
whose id the LRS already has changes nothing (the same statement again: its id is answered; different
content under that id: 409 Conflict). Every statement is stored, awarding or not: the ones no rule or
pathway names are stored as ``ignored`` and never queued.

The statement id is the event's public id (``GET /api/v1/events/<statement id>``), unless another source
already holds that id (statement ids are chosen by clients): then the event gets an id of its own and the
source still finds it by its statement id.
"""

from __future__ import annotations

import uuid
from functools import partial

from django.db import transaction
from django.utils import timezone

from badges_service.errors import Conflict

from .. import selectors
from ..intake import ParsedEvent, xapi
from ..models import InboundEvent, LmsSource
from .queueing import enqueue
from .receipt import _build


def _conflict(statement_id: str) -> Conflict:
    return Conflict(f"Statement {statement_id} is already stored with different content; nothing of this "
                    "request was stored.", code="statement_conflict", extra={"statement_id": statement_id})


def statements_store(*, source: LmsSource, items: list[ParsedEvent]) -> list[str]:
    """Store the statements of one request; their ids, in order. Raises ``Conflict`` (nothing stored) when
    one reuses a stored id for different content."""
    unique: dict[str, ParsedEvent] = {}
    for item in items:
        if item.event_id in unique and not xapi.same_statement(unique[item.event_id].payload, item.payload):
            raise _conflict(item.event_id)
        unique.setdefault(item.event_id, item)
    now = timezone.now()
    known = selectors.known_courses(source=source, keys={k for i in unique.values() for k in i.course_keys})
    with transaction.atomic():
        stored = {e.event_id: e for e in InboundEvent.objects.filter(source=source, event_id__in=list(unique))
                  .only("event_id", "payload")}
        for statement_id, event in stored.items():
            if not xapi.same_statement(event.payload, unique[statement_id].payload):
                raise _conflict(statement_id)
        fresh = [i for i in unique if i not in stored]
        taken = {str(p) for p in InboundEvent.objects.filter(public_id__in=fresh).values_list("public_id", flat=True)}
        mine = {i: _build(source, unique[i], known, now, public_id=None if i in taken else uuid.UUID(i))
                for i in fresh}
        InboundEvent.objects.bulk_create(list(mine.values()), ignore_conflicts=True)
        queued = []
        for pk, event_id, public_id, event_status in InboundEvent.objects.filter(
                source=source, event_id__in=fresh).values_list("pk", "event_id", "public_id", "status"):
            built = mine.pop(event_id)
            if public_id == built.public_id:
                if event_status == InboundEvent.Status.RECEIVED:
                    queued.append(pk)
            elif not xapi.same_statement(InboundEvent.objects.get(pk=pk).payload, built.payload):
                raise _conflict(event_id)  # a concurrent request stored it first, with other content
        if mine:  # not inserted and not there: another source took the public id meanwhile
            raise Conflict("A statement id of this request was stored by another source meanwhile; send it again.",
                           code="statement_id_taken")
        if queued:
            transaction.on_commit(partial(enqueue, queued))
    return [i.event_id for i in items]
