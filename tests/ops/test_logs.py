"""Structured logs: JSON lines, one per request and one per processed event, one request id from intake to the
credential, and never a secret, an email in clear or a credential body."""

from __future__ import annotations

import io
import json
import logging

import pytest

from badges_service import logs
from pipeline import services, signatures
from pipeline.models import InboundEvent
from tests.issuers.factories import AchievementFactory, IssuerFactory, PublicCredentialFactory
from tests.pipeline.factories import dumps, fixture_json

CAMILLE = "camille.dupont@ville-exemple.fr"


@pytest.fixture
def lines():
    """Everything logged at INFO and above, through the production formatter and filters."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonLines())
    handler.addFilter(logs.RequestIdFilter())
    handler.addFilter(logs.Redactor())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_redaction_removes_emails_tokens_signatures_and_documents():
    text = ('agent camille.dupont@ville-exemple.fr Authorization: Bearer abc.def-123 X-Badges-Signature: t=1,v1='
            + "ab" * 32 + ' {"token": "s3cr3t", "other": 1} secret=hunter2&x=1 '
            + 'gAAAAABnVb0aMpl3sUchAsecretatrestXYZ0123456789 {"@context": ["x"], "proof": {"proofValue": "z3"}}')
    clean = logs.redact(text)
    for leaked in ("camille", "abc.def-123", "ab" * 32, "s3cr3t", "hunter2", "gAAAAAB", "proofValue", "z3"):
        assert leaked not in clean, leaked
    assert "[email]" in clean and '"other": 1' in clean


def test_a_request_line_and_the_event_line_share_one_request_id_and_leak_nothing(client, db, lines, settings):
    drh = IssuerFactory(slug="drh")
    new = services.lms_source_create(name="moodle-ville", issuer=drh)
    services.award_rule_create(source=new.source, course="101",
                               achievement=AchievementFactory(issuer=drh, slug="accueil-usagers"))
    services.learner_map(source=new.source, lms_user_id="45", email=CAMILLE)
    body = dumps(fixture_json("moodle/course_completed.json") | {"token": new.secret})
    response = client.post("/api/v1/events/moodle", data=body, content_type="application/json",
                           HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert response.status_code == 202 and response["X-Request-ID"] == "lb-0123456789abcdef"
    signed = dumps(fixture_json("moodle/course_completed.json") | {"objectid": 9})
    assert client.post("/api/v1/events/moodle", data=signed, content_type="application/json",
                       HTTP_X_BADGES_SIGNATURE=signatures.sign(new.secret.encode(), signed)).status_code == 202
    event = InboundEvent.objects.get(event_id="course_completed:8812")
    assert event.request_id == "lb-0123456789abcdef"
    services.events_process(event_ids=list(InboundEvent.objects.values_list("pk", flat=True)))
    credential = event.awards.get().credential
    logging.getLogger("pipeline").warning("Could not mail %s its credential %s", CAMILLE, credential.document)

    # The credential page, the verification API, a failed sign-in: more places that could leak.
    page = PublicCredentialFactory(recipient_email="karim.benali@ville-exemple.fr")
    assert client.get(f"/credentials/{page.public_id}", HTTP_ACCEPT="text/html").status_code == 200
    client.post("/api/v1/verify", data=page.document, content_type="application/json")
    client.post("/comptes/connexion/", {"username": CAMILLE, "password": "mot-de-passe-secret"})

    found = lines()
    requests = [line for line in found if line["logger"] == "badges.request"]
    intake = next(line for line in requests if line["request_id"] == "lb-0123456789abcdef")
    assert (intake["method"], intake["path"], intake["status"], intake["view"]) == (
        "POST", "/api/v1/events/moodle", 202, "pipeline:event-moodle")
    assert isinstance(intake["duration_ms"], float) and intake["time"].endswith("+00:00")
    assert len(requests) == 5 and all(len(line["request_id"]) >= 8 for line in requests)
    processed = [line for line in found if line["logger"] == "badges.pipeline"]
    mine = next(line for line in processed if line["event"] == str(event.public_id))
    assert mine["request_id"] == "lb-0123456789abcdef" and mine["status"] == "processed"
    assert mine["credentials"] == [str(credential.public_id)]
    assert len(processed) == 2

    everything = json.dumps(found)
    for secret in (CAMILLE, "karim.benali", new.secret, "mot-de-passe-secret", "proofValue",
                   json.loads(credential.document)["proof"]["proofValue"]):
        assert secret not in everything, secret


def test_request_ids_are_distinct_and_a_forked_process_draws_others():
    import os
    import random

    drawn = [logs.new_request_id() for _ in range(2000)]
    assert len(set(drawn)) == 2000 and all(len(rid) == 32 and int(rid, 16) >= 0 for rid in drawn)
    state = random.getstate()
    logs.new_request_id()
    assert random.getstate() == state  # a generator of its own: the ids say nothing of any other use of random
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child writes the id it draws, as a forked web process would
        os.write(write, logs.new_request_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 32).decode() != logs.new_request_id()  # reseeded in the child, else both would draw the same
