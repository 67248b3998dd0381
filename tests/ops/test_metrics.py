"""GET /metrics: Prometheus text behind a bearer token (404 when none is configured), with request metrics and
the service's own figures: events by source and outcome, the backlog and its age, credentials, verifications."""

from __future__ import annotations

import json
import re

import pytest
from freezegun import freeze_time

from pipeline import services
from tests.issuers.factories import AchievementFactory, IssuerFactory, PublicCredentialFactory
from tests.pipeline.test_event_process import moodle_completion, receive

TOKEN = "metrics-token-for-the-test-0123456789"


@pytest.fixture
def token(settings, monkeypatch):
    settings.BADGES_METRICS_TOKEN = TOKEN
    monkeypatch.setattr("badges_service.metrics.DB_FIGURES_SECONDS", 0)  # read the database at each scrape
    return TOKEN


def scrape(client, token=TOKEN) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def value(text: str, name: str, **labels) -> float:
    """The sample ``name{labels}`` (labels in any order, all given)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name:
            found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(match.group(3))
    raise AssertionError(f"no sample {name}{labels}")


def test_metrics_do_not_exist_without_a_token_configured(client, settings, db):
    settings.BADGES_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_refuse_a_missing_token_with_401_and_a_wrong_one_with_403(client, token, db):
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic " + token).status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + token[:-1] + "x").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + token).status_code == 200


def test_metrics_count_requests_by_view_and_status_with_latency(client, token, db):
    client.get("/healthz")
    client.get("/conditions/")
    text = scrape(client)
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert value(text, "django_http_responses_total_by_status_view_method_total", view="terms", status="200") >= 1


def test_metrics_report_events_by_source_the_backlog_and_its_age(client, token, db):
    drh = IssuerFactory(slug="drh")
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    services.award_rule_create(source=new.source, course="101",
                               achievement=AchievementFactory(issuer=drh, slug="accueil-usagers"))
    services.learner_map(source=new.source, lms_user_id="45", email="camille.dupont@ville-exemple.fr")
    with freeze_time("2026-12-01 09:00:00"):
        waiting = receive(new.source, moodle_completion(objectid=1))
    done = receive(new.source, moodle_completion(objectid=2))
    services.event_process(event_id=done.pk)
    other = services.lms_source_create(name="xapi-rh").source
    services.award_rule_create(source=other, course="101", achievement=AchievementFactory(issuer=drh))
    receive(other, moodle_completion(objectid=3, user="999"))

    with freeze_time("2026-12-01 09:10:00"):
        text = scrape(client)
    assert value(text, "badges_events_received_total", source="moodle-ville") == 2
    assert value(text, "badges_events_processed_total", source="moodle-ville") == 1
    assert value(text, "badges_events_failed_total", source="moodle-ville") == 0
    assert value(text, "badges_events_received_total", source="xapi-rh") == 1
    assert value(text, "badges_events", source="moodle-ville", status="received") == 1
    assert value(text, "badges_events_pending") == 2
    assert value(text, "badges_events_pending_oldest_age_seconds") == 600  # the event received at 09:00
    assert value(text, "badges_credentials_issued_total", issuer="drh") == 1
    assert waiting.pk  # still pending


def test_metrics_count_verifications_by_outcome(client, token, db):
    credential = PublicCredentialFactory()
    before = scrape(client)

    def count(text, outcome):
        try:
            return value(text, "badges_verifications_total", channel="api", outcome=outcome)
        except AssertionError:
            return 0

    document = json.loads(credential.document)
    assert client.post("/api/v1/verify", data=credential.document, content_type="application/json").status_code == 200
    document["name"] = "Forged"
    assert client.post("/api/v1/verify", data=json.dumps(document), content_type="application/json").status_code == 200
    after = scrape(client)
    assert count(after, "valid") == count(before, "valid") + 1
    assert count(after, "invalid") == count(before, "invalid") + 1
