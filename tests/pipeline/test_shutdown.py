"""A drainer asked to stop (SIGTERM in a worker's pool process) commits the batch it holds and hands the rest
back, instead of running on until the supervisor kills it."""

import pytest

from badges_service import shutdown
from pipeline import services
from pipeline.models import InboundEvent
from tests.pipeline.test_batches import _events


@pytest.fixture
def stopping():
    shutdown.request()
    yield
    shutdown.reset()


@pytest.fixture
def agents(moodle):
    for n in range(1, 31):
        services.learner_map(source=moodle.source, lms_user_id=str(n), email=f"agent.{n}@ville-exemple.fr")
    return moodle


def test_a_stopping_drainer_finishes_its_batch_and_leaves_the_rest_pending(agents, settings, stopping):
    settings.BADGES_PIPELINE_BATCH = 5
    _events(agents.source, range(1, 13))
    assert services.events_drain() == 5
    assert InboundEvent.objects.filter(status="processed").count() == 5
    assert InboundEvent.objects.filter(status="received").count() == 7


def test_a_drainer_not_asked_to_stop_takes_every_batch(agents, settings):
    settings.BADGES_PIPELINE_BATCH = 5
    _events(agents.source, range(1, 13))
    assert services.events_drain() == 12
    assert not InboundEvent.objects.filter(status="received").exists()
