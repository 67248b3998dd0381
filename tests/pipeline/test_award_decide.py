"""award_decide: the one award decision of the batch and one-event paths, made in memory from what
``preload`` read once."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pipeline import services
from pipeline.models import Completion, InboundEvent
from pipeline.services.decision import award_decide, preload
from tests.issuers.factories import AchievementFactory
from tests.pipeline.test_event_process import CAMILLE, moodle_completion, receive


@pytest.fixture
def mapped(moodle):
    services.learner_map(source=moodle.source, lms_user_id="45", email=CAMILLE)
    return moodle


def test_the_decision_reads_nothing_once_preloaded(mapped):
    event = receive(mapped.source, moodle_completion())
    preloaded = preload([event])
    with CaptureQueriesContext(connection) as queries:
        decision = award_decide(event, preloaded)
    assert queries.captured_queries == []
    assert (decision.status, decision.reason, decision.recipient_email) == ("processed", "", CAMILLE)
    [grant] = decision.grants
    assert grant.new and grant.award.achievement.slug == "accueil-usagers" and grant.award.pk is None
    assert decision.completed_courses == ["101"] and not decision.pathways


def test_an_award_made_before_is_granted_again_not_made_again(mapped):
    first = receive(mapped.source, moodle_completion(objectid=1))
    services.event_process(event_id=first.pk)
    second = receive(mapped.source, moodle_completion(objectid=2))
    decision = award_decide(second, preload([second]))
    [grant] = decision.grants
    assert not grant.new and grant.award.pk is not None and decision.reason == "already_awarded"


def test_an_event_a_pathway_concerns_is_flagged_for_the_one_event_path(mapped):
    target = AchievementFactory(issuer=mapped.source.issuer, slug="parcours")
    services.pathway_create(name="Parcours", achievement=target, courses=[(mapped.source, "101")])
    event = receive(mapped.source, moodle_completion())
    assert award_decide(event, preload([event])).pathways


def test_batch_and_one_event_paths_remember_a_refused_completion_alike(mapped):
    """A course passed below the rule's minimum score earns nothing but is remembered as completed (a
    pathway made later counts it), whichever path decides the event."""
    services.award_rule_create(source=mapped.source, course="202",
                               achievement=AchievementFactory(issuer=mapped.source.issuer, slug="quiz"),
                               min_score=Decimal(90))
    alone = receive(mapped.source, moodle_completion(objectid=1, course="202"))
    batched = [receive(mapped.source, moodle_completion(objectid=n, course="202")) for n in (2, 3)]
    for event in (alone, *batched):
        InboundEvent.objects.filter(pk=event.pk).update(score=Decimal(50))
    services.event_process(event_id=alone.pk)
    services.events_process(event_ids=[e.pk for e in batched])
    reasons = set(InboundEvent.objects.values_list("status", "reason"))
    assert reasons == {("ignored", "below_min_score")}
    assert set(Completion.objects.values_list("event_id", flat=True)) == {alone.pk, *(e.pk for e in batched)}
