"""The periodic re-drive and the task's retry policy (services and tasks called in-process)."""

from datetime import timedelta

from django.db import OperationalError
from django.utils import timezone

from pipeline import services, tasks
from pipeline.models import InboundEvent
from tests.pipeline.factories import fixture_bytes, signed_post


def _stored(client, moodle) -> InboundEvent:
    signed_post(client, "/api/v1/events/moodle", fixture_bytes("moodle/course_completed.json"), moodle.secret)
    return InboundEvent.objects.get()


def test_events_pending_longer_than_the_threshold_are_queued_again(client, moodle, no_queue):
    event = _stored(client, moodle)
    no_queue.clear()
    assert services.events_redrive(older_than_seconds=300) == 0  # just queued: left alone
    InboundEvent.objects.update(queued_at=timezone.now() - timedelta(minutes=6))
    assert services.events_redrive(older_than_seconds=300) == 1 and no_queue == [event.pk]
    event.refresh_from_db()
    assert timezone.now() - event.queued_at < timedelta(seconds=5)  # not again at the next run


def test_events_never_queued_are_re_driven_and_finished_ones_are_not(client, moodle, no_queue):
    event = _stored(client, moodle)
    InboundEvent.objects.update(queued_at=None)
    assert services.events_redrive(older_than_seconds=300) == 1
    InboundEvent.objects.update(status="processed", queued_at=None)
    assert services.events_redrive(older_than_seconds=300) == 0
    assert event.pk in no_queue


def test_the_beat_schedule_runs_the_redrive_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pipeline-redrive"]
    assert entry["task"] == tasks.events_redrive_task.name


def test_a_transient_database_error_is_retried_by_the_task(client, moodle, monkeypatch):
    event = _stored(client, moodle)
    calls = []
    real = services.events_process

    def flaky(*, event_ids):
        calls.append(list(event_ids))
        if len(calls) == 1:
            raise OperationalError("could not connect to server")
        return real(event_ids=event_ids)

    monkeypatch.setattr("pipeline.tasks.services.events_process", flaky)
    result = tasks.events_process_task.apply(args=[[event.pk]], throw=False)
    assert result.successful() and calls == [[event.pk], [event.pk]]
    event.refresh_from_db()
    assert event.attempts == 1


def test_a_domain_error_is_recorded_and_not_retried(client, moodle, monkeypatch):
    event = _stored(client, moodle)  # learner 45 is not mapped and the event has no email
    result = tasks.events_process_task.apply(args=[[event.pk]])
    assert result.successful()
    event.refresh_from_db()
    assert (event.status, event.reason, event.attempts) == ("unmatched", "unknown_learner", 1)


def test_a_broker_outage_at_intake_still_answers_202_and_keeps_the_event(client, moodle, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tasks.events_process_task, "apply_async", refused)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "/api/v1/events/moodle", fixture_bytes("moodle/course_completed.json"),
                               moodle.secret)
    assert response.status_code == 202
    assert InboundEvent.objects.get().status == "received"
