"""Intake over HTTP: stored before the 202, idempotent, and nothing stored for bad requests."""

import json
import time

import pytest

from pipeline import signatures
from pipeline.models import InboundEvent
from tests.pipeline.factories import dumps, fixture_bytes, fixture_json, signed_post

MOODLE = "/api/v1/events/moodle"
XAPI = "/api/v1/events/xapi"


def test_a_signed_moodle_completion_is_stored_queued_and_answered_202(client, moodle, no_queue):
    response = signed_post(client, MOODLE, fixture_bytes("moodle/course_completed.json"), moodle.secret)
    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert response.json() == {"id": str(event.public_id), "status": "received",
                               "url": f"https://badges.example.test/api/v1/events/{event.public_id}"}
    assert (event.source, event.event_id, event.lms_user_id, event.status) == (
        moodle.source, "course_completed:8812", "45", "received")
    assert no_queue == [event.pk]


def test_a_redelivery_returns_the_original_body_and_creates_nothing(client, moodle, no_queue):
    body = fixture_bytes("moodle/course_completed.json")
    first = signed_post(client, MOODLE, body, moodle.secret)
    InboundEvent.objects.update(status="processed")  # whatever happened since
    again = signed_post(client, MOODLE, body, moodle.secret)
    assert again.status_code == 202 and again.json() == first.json()
    assert InboundEvent.objects.count() == 1 and len(no_queue) == 1


def test_moodle_token_is_accepted_where_the_plugin_cannot_sign(client, moodle, no_queue):
    body = fixture_json("moodle/course_completed.json") | {"token": moodle.secret}
    response = client.post(MOODLE, data=dumps(body), content_type="application/json")
    assert response.status_code == 202
    assert "token" not in InboundEvent.objects.get().payload  # the secret is not kept


def test_a_wrong_token_is_401_and_stores_nothing(client, moodle):
    body = fixture_json("moodle/course_completed.json") | {"token": moodle.secret[:-1] + "x"}
    response = client.post(MOODLE, data=dumps(body), content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_token"
    assert not InboundEvent.objects.exists()


def test_a_source_may_refuse_tokens(client, drh):
    from tests.pipeline.factories import make_source
    signed_only = make_source("lms-signe", token_allowed=False)
    body = fixture_json("moodle/course_completed.json") | {"token": signed_only.secret}
    assert client.post(MOODLE, data=dumps(body), content_type="application/json").status_code == 401


def test_no_signature_and_no_token_is_401(client, moodle):
    response = client.post(MOODLE, data=fixture_bytes("moodle/course_completed.json"), content_type="application/json")
    assert response.status_code == 401 and not InboundEvent.objects.exists()


def test_a_bad_signature_is_401_and_stores_nothing(client, moodle):
    body = fixture_bytes("moodle/course_completed.json")
    response = signed_post(client, MOODLE, body, moodle.secret + "x")
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_signature"
    header = signatures.sign(moodle.secret.encode(), body)  # signed, then the body changed
    tampered = client.post(MOODLE, data=body.replace(b"8812", b"8899"), content_type="application/json",
                           HTTP_X_BADGES_SIGNATURE=header)
    assert tampered.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_stale_timestamp_is_401(client, moodle):
    body = fixture_bytes("moodle/course_completed.json")
    response = signed_post(client, MOODLE, body, moodle.secret, timestamp=int(time.time()) - 301)
    assert response.status_code == 401 and response.json()["error"]["code"] == "stale_signature"
    assert not InboundEvent.objects.exists()


def test_an_unknown_source_is_401(client, moodle):
    body = fixture_bytes("moodle/course_completed.json")
    response = signed_post(client, MOODLE, body, moodle.secret, HTTP_X_BADGES_SOURCE="inconnue")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unknown_source"
    response = client.post(f"{MOODLE}?source=inconnue", data=dumps(fixture_json("moodle/course_completed.json")
                                                                   | {"token": moodle.secret}),
                           content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unknown_source"


def test_a_named_source_is_checked_against_its_own_secret_only(client, moodle):
    from tests.pipeline.factories import make_source
    other = make_source("autre-lms")
    body = fixture_bytes("moodle/course_completed.json")
    assert signed_post(client, MOODLE, body, other.secret, HTTP_X_BADGES_SOURCE="moodle-ville").status_code == 401
    assert signed_post(client, MOODLE, body, moodle.secret, HTTP_X_BADGES_SOURCE="moodle-ville").status_code == 202


def test_a_malformed_body_is_400_with_field_errors_and_stores_nothing(client, moodle):
    response = signed_post(client, MOODLE, fixture_bytes("moodle/course_completed_without_user.json"), moodle.secret)
    assert response.status_code == 400
    assert "timecreated" in response.json()["error"]["details"]["fields"]
    assert signed_post(client, MOODLE, b"{not json", moodle.secret).status_code == 400
    assert not InboundEvent.objects.exists()


def test_an_unknown_course_is_202_and_stored_as_ignored_without_queueing(client, moodle, no_queue):
    body = fixture_json("moodle/course_completed.json") | {"courseid": "999"}
    response = signed_post(client, MOODLE, dumps(body), moodle.secret)
    assert response.status_code == 202 and response.json()["status"] == "ignored"
    assert response.json()["reason"] == "unknown_course"
    assert InboundEvent.objects.get().status == "ignored" and no_queue == []


def test_a_body_over_the_limit_is_413(client, moodle, settings):
    settings.BADGES_PIPELINE_MAX_BODY_BYTES = 1000
    body = dumps(fixture_json("moodle/course_completed.json") | {"extra": "x" * 1000})
    response = signed_post(client, MOODLE, body, moodle.secret)
    assert response.status_code == 413 and not InboundEvent.objects.exists()


def test_other_moodle_events_are_acknowledged_and_not_stored(client, moodle):
    response = signed_post(client, MOODLE, fixture_bytes("moodle/course_viewed.json"), moodle.secret)
    assert response.status_code == 202 and response.json() == {"status": "ignored", "reason": "unsupported_event"}
    assert not InboundEvent.objects.exists()


def test_an_xapi_list_is_stored_statement_by_statement(client, moodle, no_queue):
    statements = [fixture_json("xapi/completed_adl.json"), fixture_json("xapi/experienced.json"),
                  fixture_json("xapi/failed.json")]
    response = signed_post(client, XAPI, dumps(statements), moodle.secret)
    assert response.status_code == 202
    receipts = response.json()
    assert [r["status"] for r in receipts] == ["received", "ignored", "ignored"]
    assert receipts[1] == {"status": "ignored", "reason": "unsupported_verb"}
    assert receipts[2]["reason"] == "unknown_course"  # the quiz has no rule
    assert InboundEvent.objects.count() == 2 and len(no_queue) == 1
    again = signed_post(client, XAPI, dumps(statements), moodle.secret)
    assert again.json() == receipts and InboundEvent.objects.count() == 2


def test_one_invalid_statement_makes_the_whole_xapi_request_400(client, moodle):
    statements = [fixture_json("xapi/completed_adl.json"), fixture_json("xapi/invalid_two_identifiers.json")]
    response = signed_post(client, XAPI, dumps(statements), moodle.secret)
    assert response.status_code == 400 and "1" in response.json()["error"]["details"]["fields"]
    assert not InboundEvent.objects.exists()


def test_xapi_has_no_token_fallback(client, moodle):
    response = client.post(XAPI, data=fixture_bytes("xapi/completed_adl.json"), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("fixture", ["xapi/completed_adl.json", "xapi/completed_tincan.json"])
def test_a_single_xapi_statement_answers_a_single_receipt(client, moodle, no_queue, fixture):
    response = signed_post(client, XAPI, fixture_bytes(fixture), moodle.secret)
    assert response.status_code == 202 and response.json()["status"] == "received"
    assert json.loads(response.content)["id"] == str(InboundEvent.objects.get().public_id)
