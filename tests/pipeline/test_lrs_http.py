"""The LRS through real HTTP, as Moodle's log store reaches it: the production web process (gunicorn through
``badges_service.web``; see web_server.py), Redis, a Celery worker and PostgreSQL. Needs PostgreSQL and
Redis (see workers.py): skipped without them, except under CI, where they must run."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from issuers.models import Credential
from pipeline import services
from pipeline.models import Award, InboundEvent
from tests.issuers.factories import AchievementFactory, IssuerFactory
from tests.pipeline.factories import moodle_statement
from tests.pipeline.test_worker import processed, queue, workers  # noqa: F401 (fixtures)
from tests.pipeline.web_server import WebServer
from tests.pipeline.workers import database_url, wait_for
from verification.services import credential_verify

pytestmark = pytest.mark.worker
CAMILLE = "camille.dupont@ville-exemple.fr"
PLUGIN = ["user_enrolment_created", "course_viewed", "quiz_viewed", "quiz_attempt_submitted",
          "quiz_question_answered", "quiz_attempt_reviewed", "lesson_ended", "scorm_scoreraw_submitted",
          "module_completion_updated", "course_completed", "course_completed_mbox"]


@pytest.fixture
def lms(transactional_db):
    """A source whose rules name course 101 and course 102; Moodle users 45 and 1..19 are mapped."""
    drh = IssuerFactory(slug="drh")
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    for course, slug in (("101", "accueil-usagers"), ("102", "cybersecurite-essentiels")):
        services.award_rule_create(source=new.source, course=course,
                                   achievement=AchievementFactory(issuer=drh, slug=slug))
    services.learner_map(source=new.source, lms_user_id="45", email=CAMILLE)
    for n in range(1, 20):
        services.learner_map(source=new.source, lms_user_id=str(n), email=f"agent.{n}@ville-exemple.fr")
    return new


@pytest.fixture
def web(tmp_path, queue):  # noqa: F811 (the fixture imported above)
    server = WebServer(tmp_path, {
        "DJANGO_SETTINGS_MODULE": "tests.pipeline.worker_settings", "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "BADGES_PIPELINE_QUEUE": queue,
        "BADGES_KEY_ENCRYPTION_KEYS": ",".join(settings.BADGES_KEY_ENCRYPTION_KEYS),
        "BADGES_PIPELINE_MAX_BODY_BYTES": "65536"})
    yield server.start(wait_for)
    server.stop()


def plugin_batch() -> list[dict]:
    """30 statements, the plugin's usual batch: every shape once, then 19 course completions."""
    completions = []
    for n in range(1, 20):
        statement = moodle_statement("course_completed")
        statement["actor"]["account"]["name"] = str(n)
        statement["object"]["id"] = statement["object"]["id"].replace("102", "101")
        completions.append(statement)
    return [moodle_statement(name) for name in PLUGIN] + completions


def call(web, method, path, body=None, *, new=None, version="1.0.3", password=None, headers=None):
    """One request as the plugin's curl makes it; (status, headers, parsed body or raw bytes)."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if version:
        sent["X-Experience-API-Version"] = version
    if new is not None:
        secret = new.lrs_password if password is None else password
        sent["Authorization"] = "Basic " + base64.b64encode(f"{new.source.lrs_username}:{secret}".encode()).decode()
    request = urllib.request.Request(web.url + path, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, received, content = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, received, content = error.code, error.headers, error.read()
    try:
        return status, received, json.loads(content) if content else None
    except ValueError:
        return status, received, content


def test_a_plugin_batch_over_http_is_stored_answered_and_awarded_by_a_real_worker(web, lms, workers):  # noqa: F811
    worker = workers()
    status, headers, ids = call(web, "POST", "/api/v1/xapi/statements", plugin_batch(), new=lms)
    assert status == 200, (ids, web.output())
    assert headers["X-Experience-API-Version"] == "1.0.3" and len(ids) == 30
    assert InboundEvent.objects.count() == 30
    wait_for(processed(30), timeout=90, what=f"the worker to process the batch\n{worker.output()}")
    assert sorted(Award.objects.values_list("achievement__slug", flat=True)) == sorted(
        ["accueil-usagers"] * 20 + ["cybersecurite-essentiels"])  # 19 agents and Karim (mbox); Camille
    credential = Credential.objects.get(achievement__slug="cybersecurite-essentiels")
    assert credential.recipient_email == CAMILLE and credential_verify(document=json.loads(credential.document)).valid

    course_completion = ids[PLUGIN.index("course_completed")]
    status, _, document = call(web, "GET", f"/api/v1/xapi/statements?statementId={course_completion}", new=lms)
    assert status == 200 and document["id"] == course_completion and document["version"] == "1.0.0"
    status, _, event = call(web, "GET", f"/api/v1/events/{course_completion}", new=lms, version=None)
    assert status == 200 and event["status"] == "processed"
    assert event["credentials"] == [f"https://badges.example.test/credentials/{credential.public_id}"]
    status, _, about = call(web, "GET", "/api/v1/xapi/about", version=None)
    assert status == 200 and "1.0.3" in about["version"]


def test_the_same_batch_sent_by_four_clients_at_once_is_stored_once(web, lms):
    batch = plugin_batch()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: call(web, "POST", "/api/v1/xapi/statements", batch, new=lms), range(4)))
    assert {status for status, _, _ in answers} == {200}, [a[2] for a in answers]
    assert len({tuple(ids) for _, _, ids in answers}) == 1  # the same ids, in order, for every delivery
    assert InboundEvent.objects.count() == 30


def test_bad_requests_over_http_are_refused_and_store_nothing(web, lms):
    statements = "/api/v1/xapi/statements"
    status, headers, body = call(web, "POST", statements, plugin_batch(), new=lms, password="mauvais")
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic ")
    assert headers["X-Experience-API-Version"] == "1.0.3"
    status, _, body = call(web, "POST", statements, plugin_batch(), new=lms, version=None)
    assert status == 400 and body["error"]["code"] == "xapi_version_missing"
    too_big = plugin_batch() * 3  # over the server's 64 KiB limit
    status, _, _ = call(web, "POST", statements, too_big, new=lms)
    assert status == 413
    broken = plugin_batch()
    broken[7]["result"]["score"]["raw"] = 150  # beyond max
    status, _, body = call(web, "POST", statements, broken, new=lms)
    assert status == 400 and list(body["error"]["details"]["fields"]) == ["7"]
    assert not InboundEvent.objects.exists()
    first = moodle_statement("course_completed") | {"id": "0a4f7a52-8f3c-4f5e-9d1a-3b2c1d0e9f8a"}
    assert call(web, "POST", statements, [first], new=lms)[0] == 200
    conflicting = first | {"result": {"completion": True, "success": False}}
    status, _, body = call(web, "PUT", f"{statements}?statementId={first['id']}", conflicting, new=lms)
    assert status == 409 and body["error"]["code"] == "statement_conflict"
    assert InboundEvent.objects.count() == 1
