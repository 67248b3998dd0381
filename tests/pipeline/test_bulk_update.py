"""badges_service.bulk.rows_update: one UPDATE writing each row's own values, of every column type used."""

from datetime import timedelta

from django.utils import timezone

from badges_service.bulk import rows_update
from pipeline.models import InboundEvent
from tests.pipeline.test_event_process import moodle_completion, receive


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
