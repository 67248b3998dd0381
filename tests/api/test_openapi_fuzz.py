"""Property-based fuzz of the API from its own OpenAPI schema (schemathesis): no input gives a server error.

The schema is the one served at /api/schema/; every operation in it is exercised through the WSGI app,
anonymously and as issuer staff (HTTP basic auth, a member of one issuer and a learner with a profile),
with valid (schema-conforming) and invalid inputs, on random path parameters and on real objects.
Pipeline intake operations are also sent signed by a registered source, so that generated bodies get
past authentication to the parsers. Bounded and derandomized for CI.
"""

from __future__ import annotations

import base64
import json
import os
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet

from issuers import services as issuer_services
from issuers.models import IssuerMembership
from issuers.permissions import SYSTEM
from learners.models import Learner
from pipeline import signatures
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, CredentialFactory, UserFactory
from tests.pipeline.factories import make_source

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

PASSWORD = "motdepasse-solide-42"
# FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 for a deeper, randomized local run; CI keeps the bounded, derandomized one.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None,
                derandomize=not os.environ.get("FUZZ_RANDOM"), database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, keeping the test's database connection (as the test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, monkeypatch):
    """Real objects for the operations to find: an issuer with staff, an achievement, credentials, a framework,
    a learner, a registered source and one of its events."""
    monkeypatch.setattr("pipeline.services.queueing.enqueue", lambda ids: None)
    monkeypatch.setattr("pipeline.services.receipt.enqueue", lambda ids: None)
    monkeypatch.setattr("pipeline.services.lrs.enqueue", lambda ids: None)
    framework = small_framework()
    from issuers.models import Issuer

    drh = Issuer.objects.get(slug="drh")
    staff = UserFactory(username="fuzz-staff", email="fuzz.staff@ville-exemple.fr")
    issuer_services.membership_set(issuer=drh, user=staff, role=IssuerMembership.Role.ADMIN, actor=SYSTEM)
    Learner.objects.create(email=staff.email, display_name="Fuzz Staff", user=staff, direction=drh)
    achievement = AchievementFactory(issuer=drh, slug="fuzz-accueil")
    credential = CredentialFactory(achievement=achievement, recipient_email=staff.email)
    source = make_source(name="fuzz-moodle", issuer=drh)
    job = framework.jobs.first()
    return {
        "staff": staff, "source": source,
        "path_parameters": {
            "slug": achievement.slug, "issuer_slug": drh.slug, "public_id": str(credential.public_id),
            "code": framework.code, "version": framework.version, "job_code": job.code if job else "x",
            "kind": "completions",
        },
    }


def _schema(app):
    return schemathesis.openapi.from_wsgi("/api/schema/", app)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _strategy(operation, fixed: dict):
    known = {name: value for name, value in fixed.items() if f"{{{name}}}" in operation.path}
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if known:
        strategies += [operation.as_strategy(generation_mode=mode, path_parameters=known) for mode in modes]
    return st.one_of(strategies)


def _basic(user) -> str:
    return "Basic " + base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()


def _fuzz(strategy, send) -> None:
    @FUZZ
    @given(case=strategy)
    def run(case):
        send(case)

    run()


def test_the_schema_lists_every_api_operation(wsgi_app, world):
    labels = {op.label for op in _operations(_schema(wsgi_app))}
    assert "POST /api/v1/verify" in labels and "POST /api/v1/events/moodle" in labels
    assert len(labels) >= 20


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_operation_gives_a_server_error(wsgi_app, world, who):
    schema = _schema(wsgi_app)
    headers = {"Authorization": _basic(world["staff"])} if who == "staff" else {}
    failures = []
    for operation in _operations(schema):
        def send(case, headers=headers):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            _fuzz(_strategy(operation, world["path_parameters"]), send)
        except Exception as exc:  # collect them all, then fail once with every operation named
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_signed_intake_gives_no_server_error(wsgi_app, world, client):
    """Generated bodies, signed by a registered source: they reach the parsers and the services."""
    schema = _schema(wsgi_app)
    secret = world["source"].secret.encode()
    failures = []
    for operation in _operations(schema):
        if operation.method.upper() != "POST" or not operation.path.startswith("/api/v1/events/"):
            continue

        def send(case):
            if isinstance(case.body, NotSet):
                body = b""
            elif isinstance(case.body, str | bytes):
                body = case.body.encode() if isinstance(case.body, str) else case.body
            else:
                body = json.dumps(case.body).encode()
            url = quote(case.formatted_path, safe="/%")
            if case.query:
                url += "?" + urlencode(case.query, doseq=True)
            response = client.post(url, data=body, content_type=case.media_type or "application/json",
                                   HTTP_X_BADGES_SIGNATURE=signatures.sign(secret, body))
            assert response.status_code < 500, (url, body[:500], response.status_code, response.content[:500])

        try:
            _fuzz(_strategy(operation, world["path_parameters"]), send)
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_the_xapi_lrs_gives_no_server_error_to_its_own_source(wsgi_app, world):
    """Generated statements, sent with the source's LRS credentials and the version header: they reach the
    statement parser and the store."""
    schema = _schema(wsgi_app)
    new = world["source"]
    token = base64.b64encode(f"{new.source.lrs_username}:{new.lrs_password}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
    failures = []
    operations = [o for o in _operations(schema) if o.path.startswith("/api/v1/xapi/")]
    assert {o.label for o in operations} >= {"POST /api/v1/xapi/statements", "PUT /api/v1/xapi/statements"}
    for operation in operations:
        def send(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            _fuzz(_strategy(operation, world["path_parameters"]), send)
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
