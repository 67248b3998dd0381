"""The pipeline end to end with real processes: intake over HTTP, Redis, a Celery worker, PostgreSQL.

These tests start ``celery worker`` processes; they need PostgreSQL and Redis (see workers.py) and are
skipped without them, except under CI, where they must run.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from badges_service.celery import app as celery_app
from issuers.models import Credential
from issuers.permissions import SYSTEM
from pipeline import services, signatures
from pipeline.models import Award, InboundEvent
from tests.issuers.factories import AchievementFactory, IssuerFactory
from tests.pipeline.factories import dumps, fixture_bytes, fixture_json, signed_get, signed_post
from tests.pipeline.workers import RedisServer, Worker, purge, require_services, wait_for
from verification.services import credential_verify

pytestmark = pytest.mark.worker
CAMILLE = "camille.dupont@ville-exemple.fr"
MOODLE = "/api/v1/events/moodle"


@pytest.fixture
def queue(transactional_db, settings):
    require_services()
    name = f"pipeline-test-{uuid.uuid4().hex[:10]}"
    settings.BADGES_PIPELINE_QUEUE = name
    yield name
    with contextlib.suppress(Exception):  # the broker may be the one a test stopped
        purge(name)


@pytest.fixture
def workers(tmp_path, queue):
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(tmp_path, queue=queue, **kwargs)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def source(transactional_db):
    drh = IssuerFactory(slug="drh")
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    achievement = AchievementFactory(issuer=drh, slug="accueil-usagers")
    services.award_rule_create(source=new.source, course="101", achievement=achievement,
                               min_score=None, validity_days=None)
    services.learner_map(source=new.source, lms_user_id="45", email=CAMILLE)
    return new


def processed(count: int = 1):
    """Nothing left waiting, and at least ``count`` events done."""
    return lambda: (not InboundEvent.objects.filter(status="received").exists()
                    and InboundEvent.objects.exclude(status="received").count() >= count)


def completion(objectid: int) -> bytes:
    return dumps(fixture_json("moodle/course_completed.json") | {"objectid": objectid})


def test_a_signed_webhook_becomes_a_verified_credential_through_a_real_worker(client, source, workers):
    worker = workers()
    response = signed_post(client, MOODLE, fixture_bytes("moodle/course_completed.json"), source.secret)
    assert response.status_code == 202
    wait_for(processed(), timeout=30, what=f"the worker to process the event\n{worker.output()}")
    event = InboundEvent.objects.get()
    assert (event.status, event.reason) == ("processed", ""), event.detail
    credential = Credential.objects.get()
    assert credential_verify(document=json.loads(credential.document)).valid
    status = signed_get(client, f"/api/v1/events/{event.public_id}", source.secret).json()
    assert status["credentials"] == [f"https://badges.example.test/credentials/{credential.public_id}"]


def test_fifty_concurrent_deliveries_of_one_event_make_one_event_and_one_credential(live_server, source, workers):
    body = fixture_bytes("moodle/course_completed.json")

    def deliver(_):
        request = urllib.request.Request(
            live_server.url + MOODLE, data=body, method="POST",
            headers={"Content-Type": "application/json",
                     signatures.HEADER: signatures.sign(source.secret.encode(), body)})
        # The test server's listen queue is short (Django's WSGIServer: 10): a connection it resets under 50 at
        # once is delivered again, as an LMS does; intake answers a redelivery with the original receipt.
        for attempt in range(5):
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return answer.status, answer.read()
            except urllib.error.HTTPError:
                raise  # an answer (a 4xx or 5xx) is not a lost connection
            except (ConnectionError, urllib.error.URLError):
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(deliver, range(50)))
    assert {status for status, _ in answers} == {202}
    assert len({content for _, content in answers}) == 1  # every delivery got the original receipt
    assert InboundEvent.objects.count() == 1
    worker = workers()
    wait_for(processed(), timeout=30, what=f"the worker\n{worker.output()}")
    assert Credential.objects.count() == 1 and Award.objects.count() == 1


def test_fifty_distinct_events_for_one_badge_processed_in_parallel_make_one_credential(client, source, workers):
    """The unique index on awards, not the code's first check, decides: four processes race for it."""
    for objectid in range(1, 51):
        assert signed_post(client, MOODLE, completion(objectid), source.secret).status_code == 202
    assert InboundEvent.objects.filter(status="received").count() == 50
    worker = workers(pool="prefork", concurrency=4)
    wait_for(processed(50), timeout=90, what=f"the worker to process 50 events\n{worker.output()}")
    assert Credential.objects.count() == 1 and Award.objects.count() == 1
    award = Award.objects.get()
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert all(list(e.awards.all()) == [award] for e in InboundEvent.objects.all())


def test_a_worker_killed_before_its_commit_leaves_nothing_and_the_redrive_finishes_the_event(
        client, source, workers, tmp_path):
    marker = tmp_path / "inside-transaction"
    doomed = workers(env={"PIPELINE_TEST_PAUSE_MARKER": str(marker), "PIPELINE_TEST_PAUSE_SECONDS": "120"})
    assert signed_post(client, MOODLE, fixture_bytes("moodle/course_completed.json"), source.secret).status_code == 202
    wait_for(marker.exists, timeout=30, what=f"the task to sign and pause before commit\n{doomed.output()}")
    doomed.kill9()  # after the award row and the signed credential, before the commit
    event = InboundEvent.objects.get()
    wait_for(lambda: not Award.objects.exists(), timeout=10, what="the database to roll back")
    assert event.status == "received" and not Credential.objects.exists()

    # The broker would give the message back only after its visibility timeout (an hour): the periodic
    # re-drive (Celery beat, here every second for events pending more than two seconds) queues it again.
    worker = workers(beat=True, env={"BADGES_PIPELINE_REDRIVE_AFTER_SECONDS": "2"})
    wait_for(processed(), timeout=60, what=f"the re-drive\n{worker.output()}")
    assert Credential.objects.count() == 1 and Award.objects.count() == 1
    event.refresh_from_db()
    assert event.status == "processed"


def test_a_broker_outage_loses_nothing_and_the_redrive_processes_the_events_once_it_is_back(
        client, source, workers, tmp_path):
    redis = RedisServer(tmp_path).start()
    conf = celery_app.conf
    previous = conf.broker_url
    try:
        conf.broker_url = redis.url
        celery_app._after_fork()  # drop the pooled connections to the usual broker
        worker = workers(broker_url=redis.url, beat=True, env={"BADGES_PIPELINE_REDRIVE_AFTER_SECONDS": "2"})
        redis.stop()
        for objectid in (1, 2, 3):
            assert signed_post(client, MOODLE, completion(objectid), source.secret).status_code == 202
        assert InboundEvent.objects.filter(status="received").count() == 3  # stored, though nothing was queued
        redis.start()
        wait_for(processed(3), timeout=90, what=f"the re-drive after the outage\n{worker.output()}")
        assert Credential.objects.count() == 1  # one learner, one badge: the three events resolve to it
        assert set(InboundEvent.objects.values_list("status", flat=True)) == {"processed"}
    finally:
        conf.broker_url = previous
        celery_app._after_fork()
        redis.stop()


def test_a_pix_csv_campaign_is_processed_by_the_worker_in_batches(client, source, workers):
    """A CSV upload queues its events in batches; the worker issues a badge per validated competence."""
    from competencies.models import Competency
    from issuers.alignments import alignment_set
    from tests.competencies.factories import small_framework

    pix = small_framework(code="pix-crcn", title="Pix")
    for rank, code in enumerate(["4", "3", "2"], start=5):
        pix.levels.create(rank=rank, code=code, label=f"Niveau {code}")
    competency = Competency.objects.filter(framework=pix).first()
    for code in ("1.1", "1.2", "1.3"):
        achievement = AchievementFactory(issuer=source.source.issuer, slug=f"pix-{code.replace('.', '-')}")
        alignment_set(achievement=achievement, competency=competency, actor=SYSTEM)
        services.award_rule_create(source=source.source, course=f"pix:{code}", achievement=achievement,
                                   level_framework=pix)
    services.award_rule_create(source=source.source, course="pix", min_score=Decimal(300),
                               achievement=AchievementFactory(issuer=source.source.issuer, slug="pix-300"))
    body = fixture_bytes("csv/pix_certification_results.csv")
    response = signed_post(client, "/api/v1/events/csv/pix", body, source.secret, content_type="text/csv")
    assert response.status_code == 202
    queued = InboundEvent.objects.filter(status="received").count()
    assert queued == 4  # Camille's total and three competences with rules
    worker = workers()
    wait_for(processed(queued), timeout=60, what=f"the worker\n{worker.output()}")
    assert Credential.objects.filter(recipient_email=CAMILLE).count() == 4
