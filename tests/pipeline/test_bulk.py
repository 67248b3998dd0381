"""badges_service.bulk: one UPDATE writing each row's own values, one INSERT of many rows, of every column type
used (text with quotes and backslashes, JSON, NULL in a column of every row, numbers, dates)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from badges_service.bulk import objects_create, rows_insert, rows_update
from pipeline.intake import moodle as moodle_parser
from pipeline.models import Completion, InboundEvent
from pipeline.services.receipt import _build
from tests.pipeline.test_event_process import moodle_completion, receive

AWKWARD = 'détail « 1 » \\ "quoted" {braces} ,commas, \'; DROP TABLE x; --\n'


def built(source, objectid, **changes):
    event = _build(source, moodle_parser.parse(moodle_completion(objectid=objectid)), {"101"}, timezone.now())
    for name, value in changes.items():
        setattr(event, name, value)
    return event


def test_each_row_gets_its_own_values_and_other_rows_and_columns_are_untouched(moodle):
    events = [receive(moodle.source, moodle_completion(objectid=n + 1)) for n in range(3)]
    untouched = events[2]
    when = timezone.now() - timedelta(days=3)
    for n, event in enumerate(events[:2]):
        event.status, event.reason, event.detail = "failed", f"code_{n}", f"détail « {n} »\n'; DROP TABLE x; --"
        event.attempts, event.processed_at, event.recipient_email = n + 5, when + timedelta(hours=n), ""
        event.course_name = "not written"
    assert rows_update(InboundEvent, events[:2], ["status", "reason", "detail", "attempts", "processed_at",
                                                  "recipient_email"]) == 2
    for n, event in enumerate(events[:2]):
        stored = InboundEvent.objects.get(pk=event.pk)
        assert (stored.status, stored.reason, stored.attempts) == ("failed", f"code_{n}", n + 5)
        assert stored.detail == f"détail « {n} »\n'; DROP TABLE x; --"
        assert stored.processed_at == when + timedelta(hours=n)
        assert stored.course_name != "not written"
    assert InboundEvent.objects.get(pk=untouched.pk).status == untouched.status == "received"


def test_a_null_value_is_written_as_null(moodle):
    event = receive(moodle.source, moodle_completion())
    event.processed_at = timezone.now()
    rows_update(InboundEvent, [event], ["processed_at"])
    event.processed_at = None
    rows_update(InboundEvent, [event], ["processed_at"])
    assert InboundEvent.objects.get(pk=event.pk).processed_at is None


def test_nothing_to_write_runs_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_update(InboundEvent, [], ["status"]) == 0


@pytest.mark.parametrize("rows", [1, 3])
def test_inserted_rows_hold_every_value_as_given(moodle, rows):
    """One row (``VALUES``) and several (one array per column) store the same values, NULLs included."""
    events = [built(moodle.source, n + 1, detail=AWKWARD, score=Decimal("87.500") if n else None,
                    payload={"nested": [AWKWARD, None, 1.5, {"é": True}]}) for n in range(rows)]
    returned = rows_insert(InboundEvent, events, returning=("public_id", "pk", "received_at"))
    assert {r[0] for r in returned} == {e.public_id for e in events}
    for public_id, pk, received_at in returned:
        stored = InboundEvent.objects.get(pk=pk)
        event = next(e for e in events if e.public_id == public_id)
        assert (stored.detail, stored.payload, stored.score) == (AWKWARD, event.payload, event.score)
        assert (stored.receipt, stored.course_keys, stored.csv_import_id) == (event.receipt, ["101"], None)
        assert stored.received_at == received_at is not None  # auto_now_add, as save() sets it


def test_rows_that_break_the_named_unique_constraint_are_skipped_and_not_returned(moodle):
    first = receive(moodle.source, moodle_completion(objectid=1))
    events = [built(moodle.source, 1), built(moodle.source, 2), built(moodle.source, 2)]  # stored before, twice
    returned = rows_insert(InboundEvent, events, skip_conflicts=("source", "event_id"), returning=("public_id",))
    assert returned == [(events[1].public_id,)]
    assert InboundEvent.objects.count() == 2 and InboundEvent.objects.get(event_id=first.event_id) == first


def test_without_skip_a_duplicate_fails_the_whole_statement(moodle):
    receive(moodle.source, moodle_completion(objectid=1))
    with pytest.raises(IntegrityError), transaction.atomic():  # Django's error, as the ORM raises it
        rows_insert(InboundEvent, [built(moodle.source, 2), built(moodle.source, 1)])
    assert InboundEvent.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 2])
def test_objects_create_gives_each_object_its_primary_key_as_bulk_create_does(moodle, rows):
    events = [built(moodle.source, n + 1) for n in range(rows)]
    objects_create(InboundEvent, events, match="public_id")
    assert all(not e._state.adding for e in events)
    assert {e.pk: e.public_id for e in events} == dict(
        InboundEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("pk", "public_id"))


def test_objects_create_skipping_conflicts_writes_the_others(moodle):
    event = receive(moodle.source, moodle_completion(objectid=1))
    done = Completion(learner_email="a@x.fr", source=moodle.source, course="101", event=event,
                      completed_at=timezone.now())
    objects_create(Completion, [done])
    again = Completion(learner_email="a@x.fr", source=moodle.source, course="101", event=event,
                       completed_at=timezone.now())
    other = Completion(learner_email="a@x.fr", source=moodle.source, course="102", event=event,
                       completed_at=timezone.now())
    objects_create(Completion, [again, other], skip_conflicts=True)
    assert sorted(Completion.objects.values_list("course", flat=True)) == ["101", "102"]


def test_nothing_to_insert_runs_no_statement(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_insert(InboundEvent, []) == []
