"""Events processed in batches (services.events_process): one transaction for many events, with the same
outcomes as one at a time, and a fall-back to one at a time when a batch cannot be written as a whole."""

import json
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issuers.models import Credential, StatusListEntry
from pipeline import services
from pipeline.intake import moodle
from pipeline.models import Award, Completion, InboundEvent
from pipeline.services import batch
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory
from tests.pipeline.test_event_process import moodle_completion, receive
from verification.services import credential_verify


@pytest.fixture
def agents(moodle):
    """LMS users 1..30 are mapped to agent.N@ville-exemple.fr."""
    for n in range(1, 31):
        services.learner_map(source=moodle.source, lms_user_id=str(n), email=f"agent.{n}@ville-exemple.fr")
    return moodle


def _events(source, users, course="101", start=1000):
    return [receive(source, moodle_completion(objectid=start + n, course=course, user=str(u)))
            for n, u in enumerate(users)]


def test_a_batch_issues_one_verifiable_credential_per_event_with_its_own_status_index(agents):
    events = _events(agents.source, range(1, 21))
    assert services.events_process(event_ids=[e.pk for e in events]) == 20
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {"processed"}
    credentials = list(Credential.objects.all())
    assert len(credentials) == 20 == Award.objects.filter(credential__isnull=False).count()
    assert len({c.recipient_email for c in credentials}) == 20
    entries = StatusListEntry.objects.filter(credential__in=credentials)
    assert entries.count() == 20 and len({e.index for e in entries}) == 20
    for credential in credentials[:3]:
        document = json.loads(credential.document)
        assert credential_verify(document=document).valid
        entry = StatusListEntry.objects.get(credential=credential)
        assert document["credentialStatus"]["statusListIndex"] == str(entry.index)
    assert Completion.objects.count() == 20


def test_a_batch_costs_the_same_number_of_statements_for_two_events_as_for_twenty(agents):
    def statements(users, start):
        events = _events(agents.source, users, start=start)
        with CaptureQueriesContext(connection) as queries:
            services.events_process(event_ids=[e.pk for e in events])
        return len(queries.captured_queries)

    statements([1], 500)  # the first issuance makes the issuer's status list and RSA key
    assert statements([2, 3], 1000) == statements(range(4, 24), 2000)


def test_two_events_of_one_learner_for_one_badge_in_one_batch_make_one_award(agents):
    first, second = _events(agents.source, [7, 7])
    services.events_process(event_ids=[first.pk, second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reason) == ("processed", "")
    assert (second.status, second.reason) == ("processed", "already_awarded")
    award = Award.objects.get()
    assert list(first.awards.all()) == list(second.awards.all()) == [award]
    assert Credential.objects.count() == 1


def test_an_event_whose_award_exists_already_resolves_to_it(agents):
    [earlier] = _events(agents.source, [3], start=1)
    services.event_process(event_id=earlier.pk)
    later = _events(agents.source, [3, 4], start=50)
    services.events_process(event_ids=[e.pk for e in later])
    assert InboundEvent.objects.get(pk=later[0].pk).reason == "already_awarded"
    assert Credential.objects.count() == 2


def test_a_permanent_error_fails_its_event_only(agents):
    framework = small_framework()
    achievement = AchievementFactory(issuer=agents.source.issuer, slug="tableur")  # aligned to no scale
    services.award_rule_create(source=agents.source, course="555", achievement=achievement, level_framework=framework)
    good = _events(agents.source, [1, 2])
    item = moodle.parse(moodle_completion(objectid=9, course="555", user="5"))
    bad = services.event_receive(source=agents.source, item=replace(item, level_code="N2"))[0]
    services.events_process(event_ids=[good[0].pk, bad.pk, good[1].pk])
    bad.refresh_from_db()
    assert (bad.status, bad.reason) == ("failed", "level_not_aligned")
    assert set(InboundEvent.objects.filter(pk__in=[g.pk for g in good]).values_list("status", flat=True)) == {
        "processed"}
    assert Credential.objects.count() == 2 and not Award.objects.filter(achievement=achievement).exists()


def test_an_award_made_meanwhile_by_another_transaction_sends_the_batch_one_event_at_a_time(agents, monkeypatch):
    [first] = _events(agents.source, [11], start=1)
    services.event_process(event_id=first.pk)  # agent 11 has the badge
    later = _events(agents.source, [11, 12], start=50)
    preload = batch.preload

    def load_before_the_other_commit(events):
        preloaded = preload(events)
        preloaded.awards.clear()  # as read before another transaction committed agent 11's award
        return preloaded

    monkeypatch.setattr(batch, "preload", load_before_the_other_commit)
    assert services.events_process(event_ids=[e.pk for e in later]) == 2
    assert Credential.objects.count() == 2 and Award.objects.count() == 2
    reasons = dict(InboundEvent.objects.filter(pk__in=[e.pk for e in later]).values_list("pk", "reason"))
    assert reasons == {later[0].pk: "already_awarded", later[1].pk: ""}


def test_events_a_pathway_concerns_take_the_one_event_path_inside_a_batch(agents):
    source = agents.source
    target = AchievementFactory(issuer=source.issuer, slug="parcours-accueil")
    services.pathway_create(name="Parcours accueil", achievement=target, courses=[(source, "101"), (source, "103")])
    events = [*_events(source, [1], course="101", start=1), *_events(source, [1], course="103", start=2),
              *_events(source, [2], course="101", start=3)]
    services.events_process(event_ids=[e.pk for e in events])
    assert Award.objects.filter(achievement=target, recipient_email="agent.1@ville-exemple.fr").count() == 1
    assert not Award.objects.filter(achievement=target, recipient_email="agent.2@ville-exemple.fr").exists()
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_claiming_takes_the_oldest_pending_events_up_to_the_batch_size(agents):
    events = _events(agents.source, range(1, 8))
    assert services.events_process(claim=5) == 5
    done = set(InboundEvent.objects.exclude(status="received").values_list("pk", flat=True))
    assert done == {e.pk for e in events[:5]}
    assert services.events_process(claim=5) == 2
    assert services.events_process(claim=5) == 0


def test_draining_processes_every_pending_event(agents, settings):
    settings.BADGES_PIPELINE_BATCH = 4
    _events(agents.source, range(1, 11))
    assert services.events_drain() == 10
    assert not InboundEvent.objects.filter(status="received").exists()
    assert Credential.objects.count() == 10


def test_a_backlog_is_drained_in_batches_that_double_while_they_come_back_full(agents, settings, monkeypatch):
    settings.BADGES_PIPELINE_BATCH, settings.BADGES_PIPELINE_BATCH_MAX = 2, 8
    _events(agents.source, range(1, 21))
    claims = []
    real = batch.events_process
    monkeypatch.setattr(batch, "events_process", lambda *, claim: claims.append(claim) or real(claim=claim))
    assert services.events_drain() == 20
    assert claims == [2, 4, 8, 8, 2]  # 2 + 4 + 8 + 6 (short), then a look of the first size that finds none
    _events(agents.source, range(21, 24), start=2000)
    claims.clear()
    assert services.events_drain() == 3
    assert claims == [2, 4, 2]  # 2 (full), 1 of 4 (short), then back to the first size: none


def test_a_batch_mails_each_new_award_what_the_awards_read_back_would_say(agents, django_capture_on_commit_callbacks):
    """The batch passes the objects it wrote to the emails; they say what ``awards_notify`` says from the rows."""
    from django.core import mail

    from pipeline import notifications

    events = _events(agents.source, range(1, 6))
    with django_capture_on_commit_callbacks(execute=True):
        services.events_process(event_ids=[e.pk for e in events])
    sent = [(m.to, m.subject, m.body) for m in mail.outbox]
    mail.outbox.clear()
    notifications.awards_notify(award_ids=list(Award.objects.values_list("pk", flat=True)))
    assert len(sent) == 5 and sorted(sent) == sorted((m.to, m.subject, m.body) for m in mail.outbox)
