"""GET /healthz (liveness, no dependency) and GET /readyz (PostgreSQL, Redis, a Celery worker seen within a
minute; 503 naming what fails, never an error text)."""

from __future__ import annotations

import uuid

import pytest
from django.db import OperationalError

from badges_service import health


@pytest.fixture
def broker(settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis (CELERY_BROKER_URL=redis://...): worker marks are kept there")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings.CELERY_BROKER_URL


def test_healthz_answers_without_touching_anything_even_for_an_unknown_host(client, settings):
    """No database access is allowed in this test (no ``db`` fixture): a query would raise."""
    settings.ALLOWED_HOSTS = ["badges.ville.fr"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_the_database_redis_and_a_worker_seen_recently(client, broker, db):
    name = f"readyz-{uuid.uuid4().hex[:8]}@test"
    health.worker_mark(name)
    try:
        assert name in health.workers_seen()
        response = client.get("/readyz")
        assert response.status_code == 200, response.content
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "worker": "ok"}}
    finally:
        health.worker_unmark(name)
    assert name not in health.workers_seen()


def test_readyz_names_a_missing_worker(client, broker, db, monkeypatch):
    monkeypatch.setattr(health, "workers_seen", lambda within=60: [])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_readyz_names_a_database_that_does_not_answer_without_its_error_text(client, broker, db, monkeypatch):
    class Down:
        def __enter__(self):
            raise OperationalError('connection to server at "db.interne" (10.1.2.3), port 5432 failed: password')

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connections["default"], "cursor", lambda: Down())
    health.worker_mark("readyz-db@test")
    response = client.get("/readyz")
    health.worker_unmark("readyz-db@test")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert b"db.interne" not in response.content and b"password" not in response.content


def test_readyz_names_redis_when_it_does_not_answer(client, broker, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.REDIS_URL = settings.CELERY_BROKER_URL
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "failing", "worker": "failing"}
