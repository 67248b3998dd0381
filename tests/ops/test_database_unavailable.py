"""While the database does not answer, intake says 503 with Retry-After: never a 500, never a false 202."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from pipeline import services
from pipeline.models import InboundEvent
from tests.pipeline.factories import dumps, fixture_json


def _down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def source(db):
    return services.lms_source_create(name="moodle-ville")


def test_intake_answers_503_with_retry_after_when_the_insert_fails(source, monkeypatch):
    monkeypatch.setattr("badges_service.bulk.rows_insert", _down)  # the event's INSERT (pipeline.services.receipt)
    body = dumps(fixture_json("moodle/course_completed.json") | {"token": source.secret})
    response = Client().post("/api/v1/events/moodle", data=body, content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "5432" not in response.content.decode()
    assert not InboundEvent.objects.exists()


def test_a_page_whose_database_is_down_answers_503_not_500(db, monkeypatch):
    monkeypatch.setattr("verification.views.selectors.issuer_list", _down)
    response = Client(raise_request_exception=False).get("/", HTTP_ACCEPT="text/html")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert b"5432" not in response.content


def test_other_errors_stay_500(db, monkeypatch):
    monkeypatch.setattr("verification.views.selectors.issuer_list", lambda: 1 / 0)
    assert Client(raise_request_exception=False).get("/").status_code == 500
