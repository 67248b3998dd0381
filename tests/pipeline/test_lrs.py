"""The xAPI 1.0.3 LRS (statements resource) as Moodle's log store and other xAPI clients use it: credentials,
version header, answers, redelivery, conflicts, and nothing half-stored."""

import base64
import json
import uuid

import pytest

from pipeline import services
from pipeline.models import InboundEvent, LmsSource
from tests.pipeline.factories import dumps, lrs_headers, make_source, moodle_statement

ENDPOINT = "/api/v1/xapi"
STATEMENTS = f"{ENDPOINT}/statements"
PLUGIN_BATCH = ["user_enrolment_created", "course_viewed", "quiz_viewed", "quiz_attempt_submitted",
                "quiz_question_answered", "quiz_attempt_reviewed", "lesson_ended", "scorm_scoreraw_submitted",
                "module_completion_updated", "course_completed"]


def post(client, new, body, **headers):
    return client.post(STATEMENTS, data=body if isinstance(body, bytes) else dumps(body),
                       content_type="application/json", **(lrs_headers(new) | headers))


def batch():
    return [moodle_statement(name) for name in PLUGIN_BATCH]


def test_lms_source_credentials_are_stored_as_a_digest_only(moodle):
    source = LmsSource.objects.get()
    assert source.lrs_username.startswith("moodle-ville-") and len(moodle.lrs_password) >= 40
    assert moodle.lrs_password not in source.lrs_password_digest and len(source.lrs_password_digest) == 64


def test_about_answers_without_credentials_with_the_versions(client, db):
    response = client.get(f"{ENDPOINT}/about")
    assert response.status_code == 200 and response["X-Experience-API-Version"] == "1.0.3"
    assert response.json()["version"][0] == "1.0.3" and "1.0.0" in response.json()["version"]


def test_a_plugin_batch_is_answered_200_with_the_ids_in_order_and_every_statement_stored(client, moodle, no_queue):
    response = post(client, moodle, batch())
    assert response.status_code == 200, response.content
    assert response["X-Experience-API-Version"] == "1.0.3"
    ids = response.json()
    assert len(ids) == len(PLUGIN_BATCH) and all(uuid.UUID(i) for i in ids)
    events = {e.event_id: e for e in InboundEvent.objects.all()}
    assert list(events) != [] and set(events) == set(ids)
    assert all(str(events[i].public_id) == i for i in ids)  # the statement id is the event id
    # Nothing names course 102 or its activities here (the rule is course 101): stored, ignored, never refused.
    assert {(e.status, e.reason) for e in events.values()} == {
        ("ignored", "unsupported_verb"), ("ignored", "unknown_course")}
    assert events[ids[0]].reason == "unsupported_verb" and events[ids[-1]].reason == "unknown_course"
    assert no_queue == []


def test_the_same_batch_sent_again_gets_the_same_ids_and_stores_nothing_new(client, moodle, no_queue):
    first = post(client, moodle, batch()).json()
    again = post(client, moodle, batch())
    assert again.status_code == 200 and again.json() == first
    assert InboundEvent.objects.count() == len(PLUGIN_BATCH)


def test_a_statement_the_rules_name_is_queued_once_whatever_the_retries(client, moodle, no_queue):
    statement = moodle_statement("course_completed_mbox")  # course 101, which the rule names
    for _ in range(3):
        assert post(client, moodle, [statement]).status_code == 200
    event = InboundEvent.objects.get()
    assert event.status == "received" and no_queue == [event.pk]


def test_put_stores_under_the_given_id_and_get_returns_the_statement_as_stored(client, moodle, no_queue):
    statement_id = str(uuid.uuid4())
    statement = moodle_statement("course_completed")
    response = client.put(f"{STATEMENTS}?statementId={statement_id}", data=dumps(statement),
                          content_type="application/json", **lrs_headers(moodle))
    assert response.status_code == 204 and response["X-Experience-API-Version"] == "1.0.3"
    got = client.get(STATEMENTS, {"statementId": statement_id}, **lrs_headers(moodle))
    assert got.status_code == 200 and got["X-Experience-API-Version"] == "1.0.3"
    document = got.json()
    assert document["id"] == statement_id and document["verb"] == statement["verb"]
    assert document["object"] == statement["object"] and document["timestamp"] == statement["timestamp"]
    assert document["version"] == "1.0.0" and document["stored"].endswith("Z")
    assert document["authority"]["account"]["name"] == moodle.source.lrs_username
    again = client.put(f"{STATEMENTS}?statementId={statement_id}", data=dumps(statement),
                       content_type="application/json", **lrs_headers(moodle))
    assert again.status_code == 204 and InboundEvent.objects.count() == 1


def test_a_put_whose_body_names_another_id_is_400(client, moodle):
    statement = moodle_statement("course_completed") | {"id": str(uuid.uuid4())}
    response = client.put(f"{STATEMENTS}?statementId={uuid.uuid4()}", data=dumps(statement),
                          content_type="application/json", **lrs_headers(moodle))
    assert response.status_code == 400 and "id" in response.json()["error"]["details"]["fields"]
    assert not InboundEvent.objects.exists()


def test_an_unknown_statement_is_404_and_another_sources_statement_too(client, moodle, no_queue):
    other = make_source("autre-lms")
    [statement_id] = post(client, other, [moodle_statement("course_completed")]).json()
    assert client.get(STATEMENTS, {"statementId": statement_id}, **lrs_headers(moodle)).status_code == 404
    assert client.get(STATEMENTS, {"statementId": statement_id}, **lrs_headers(other)).status_code == 200
    assert client.get(STATEMENTS, {"statementId": str(uuid.uuid4())}, **lrs_headers(other)).status_code == 404


def test_an_id_reused_for_different_content_is_409_and_nothing_of_the_batch_is_stored(client, moodle, no_queue):
    statement_id = str(uuid.uuid4())
    original = moodle_statement("course_completed") | {"id": statement_id}
    assert post(client, moodle, [original]).status_code == 200
    changed = original | {"actor": {"account": {"homePage": "https://formation.ville-exemple.fr", "name": "46"}}}
    response = post(client, moodle, [moodle_statement("course_viewed"), changed])
    assert response.status_code == 409 and response["X-Experience-API-Version"] == "1.0.3"
    assert response.json()["error"]["details"]["statement_id"] == statement_id
    assert InboundEvent.objects.count() == 1  # the course view before it was not kept either


def test_what_the_lrs_assigns_or_the_verb_display_may_differ_on_redelivery(client, moodle, no_queue):
    statement_id = str(uuid.uuid4())
    original = moodle_statement("course_completed") | {"id": statement_id}
    assert post(client, moodle, original).status_code == 200
    again = original | {"verb": {"id": original["verb"]["id"], "display": {"fr": "A terminé"}},
                        "stored": "2026-01-12T09:00:00Z", "version": "1.0.0",
                        "timestamp": "2026-01-12T09:00:00.000Z"}  # the same instant as +01:00 at 10:00
    response = post(client, moodle, again)
    assert response.status_code == 200 and response.json() == [statement_id]


def test_a_batch_with_one_malformed_statement_is_400_naming_it_and_stores_nothing(client, moodle, no_queue):
    statements = batch()
    del statements[3]["verb"]["id"]
    response = post(client, moodle, statements)
    assert response.status_code == 400 and response["X-Experience-API-Version"] == "1.0.3"
    fields = response.json()["error"]["details"]["fields"]
    assert list(fields) == ["3"] and "id" in fields["3"]["verb"]
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize("change", [
    {"actor": {"name": "Sans identifiant"}},
    {"object": {"objectType": "Unknown", "id": "x"}},
    {"result": {"score": {"scaled": 1.5}}},
    {"timestamp": "hier"},
    {"context": {"contextActivities": {"parent": [{"definition": {}}]}}},
    {"version": "2.0.0"},
])
def test_malformed_statements_are_refused(client, moodle, change):
    response = post(client, moodle, [moodle_statement("course_completed") | change])
    assert response.status_code == 400 and not InboundEvent.objects.exists()


def test_two_statements_with_one_id_in_a_batch_are_400(client, moodle):
    statement = moodle_statement("course_completed") | {"id": str(uuid.uuid4())}
    assert post(client, moodle, [statement, statement]).status_code == 400


@pytest.mark.parametrize("headers", [
    {"HTTP_AUTHORIZATION": ""},
    {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"moodle-ville-0000:x").decode()},
    {"HTTP_AUTHORIZATION": "Basic pas-du-base64"},
    {"HTTP_AUTHORIZATION": "Bearer abc"},
])
def test_missing_or_wrong_credentials_are_401_with_a_basic_challenge(client, moodle, headers):
    response = post(client, moodle, batch(), **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic ")
    assert response["X-Experience-API-Version"] == "1.0.3" and not InboundEvent.objects.exists()


def test_a_wrong_password_is_401(client, moodle):
    response = client.post(STATEMENTS, data=dumps(batch()), content_type="application/json",
                           **lrs_headers(moodle, password=moodle.lrs_password[:-1]))
    assert response.status_code == 401 and not InboundEvent.objects.exists()


def test_an_inactive_source_is_401(client, moodle):
    LmsSource.objects.update(active=False)
    assert post(client, moodle, batch()).status_code == 401


def test_rotated_lrs_credentials_replace_the_old_ones_at_once(client, moodle, no_queue):
    old = lrs_headers(moodle)
    lrs = services.lms_source_lrs_credentials_rotate(source=LmsSource.objects.get())
    assert client.post(STATEMENTS, data=dumps(batch()), content_type="application/json", **old).status_code == 401
    token = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode()
    response = client.post(STATEMENTS, data=dumps(batch()), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert response.status_code == 200


@pytest.mark.parametrize("version,status", [(None, 400), ("0.95", 400), ("1.1.0", 400), ("2.0.0", 400),
                                            ("1.0", 200), ("1.0.0", 200), ("1.0.3", 200), ("1.0.9", 200)])
def test_the_version_header_is_required_and_must_be_1_0_x(client, moodle, no_queue, version, status):
    response = client.post(STATEMENTS, data=dumps(batch()), content_type="application/json",
                           **lrs_headers(moodle, version=version))
    assert response.status_code == status and response["X-Experience-API-Version"] == "1.0.3"
    if status == 400:
        assert response.json()["error"]["code"].startswith("xapi_version") and not InboundEvent.objects.exists()


def test_a_body_over_the_limit_is_413_and_stores_nothing(client, moodle, settings):
    settings.BADGES_PIPELINE_MAX_BODY_BYTES = 4096
    body = dumps(batch())
    assert len(body) > 4096
    response = post(client, moodle, body)
    assert response.status_code == 413 and response["X-Experience-API-Version"] == "1.0.3"
    assert not InboundEvent.objects.exists()


def test_not_json_and_other_media_types_are_400(client, moodle):
    assert post(client, moodle, b"{not json").status_code == 400
    response = client.post(STATEMENTS, data=b"--x\r\n", content_type="multipart/mixed; boundary=x",
                           **lrs_headers(moodle))
    assert response.status_code == 400 and "multipart" in json.dumps(response.json())


def test_unknown_query_parameters_are_400(client, moodle):
    response = client.get(STATEMENTS, {"statementId": str(uuid.uuid4()), "statementid": "x"}, **lrs_headers(moodle))
    assert response.status_code == 400
    assert post(client, moodle, batch(), QUERY_STRING="method=GET").status_code == 400


def test_a_voided_statement_is_only_found_as_voided(client, moodle, no_queue):
    [target] = post(client, moodle, [moodle_statement("course_viewed")]).json()
    voiding = {"actor": {"mbox": "mailto:admin@ville-exemple.fr"},
               "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
               "object": {"objectType": "StatementRef", "id": target}}
    assert post(client, moodle, [voiding]).status_code == 200
    assert client.get(STATEMENTS, {"statementId": target}, **lrs_headers(moodle)).status_code == 404
    assert client.get(STATEMENTS, {"voidedStatementId": target}, **lrs_headers(moodle)).json()["id"] == target


def test_the_event_api_answers_for_a_statement_with_the_sources_lrs_credentials(client, moodle, no_queue):
    [statement_id] = post(client, moodle, [moodle_statement("course_completed_mbox")]).json()
    response = client.get(f"/api/v1/events/{statement_id}", **lrs_headers(moodle, version=None))
    assert response.status_code == 200
    assert response.json()["id"] == statement_id and response.json()["status"] == "received"
    other = make_source("autre-lms")
    assert client.get(f"/api/v1/events/{statement_id}", **lrs_headers(other, version=None)).status_code == 404
    wrong = client.get(f"/api/v1/events/{statement_id}", **lrs_headers(moodle, password="x", version=None))
    assert wrong.status_code == 401


def test_a_statement_id_another_source_holds_gets_an_event_id_of_its_own(client, moodle, no_queue):
    statement = moodle_statement("course_completed") | {"id": str(uuid.uuid4())}
    other = make_source("autre-lms")
    assert post(client, other, [statement]).status_code == 200
    assert post(client, moodle, [statement]).json() == [statement["id"]]
    mine = InboundEvent.objects.get(source=moodle.source)
    assert mine.event_id == statement["id"] and str(mine.public_id) != statement["id"]
    response = client.get(f"/api/v1/events/{statement['id']}", **lrs_headers(moodle, version=None))
    assert response.status_code == 200 and response.json()["id"] == str(mine.public_id)


def test_statements_about_agents_and_sub_statements_are_stored_as_ignored(client, moodle, no_queue):
    sub = {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@ville-exemple.fr"},
           "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
           "object": {"id": "https://formation.ville-exemple.fr/course/view.php?id=101"}}
    about_agent = moodle_statement("course_viewed") | {"object": {"objectType": "Agent",
                                                                  "mbox": "mailto:b@ville-exemple.fr"}}
    response = post(client, moodle, [moodle_statement("course_viewed") | {"object": sub}, about_agent])
    assert response.status_code == 200
    assert {e.reason for e in InboundEvent.objects.all()} == {"unsupported_object"}
    nested = moodle_statement("course_viewed") | {"object": sub | {"object": sub}}
    assert post(client, moodle, [nested]).status_code == 400


def query(client, new, **params):
    response = client.get(STATEMENTS, params, **lrs_headers(new))
    assert response.status_code == 200, response.content
    assert response["X-Experience-API-Consistent-Through"]
    return response.json()


def test_a_query_without_id_returns_the_sources_statements_newest_first_in_pages(client, moodle, no_queue):
    ids = post(client, moodle, batch()).json()
    result = query(client, moodle, limit=4)
    assert [s["id"] for s in result["statements"]] == ids[::-1][:4]
    assert result["more"].startswith(STATEMENTS + "?")
    seen = [s["id"] for s in result["statements"]]
    while result["more"]:
        result = client.get(result["more"], **lrs_headers(moodle)).json()
        seen += [s["id"] for s in result["statements"]]
    assert seen == ids[::-1]
    assert [s["id"] for s in query(client, moodle, ascending="true")["statements"]] == ids
    assert query(client, make_source("autre-lms"))["statements"] == []


def test_query_filters_verb_activity_agent_and_related_activities(client, moodle, no_queue):
    ids = dict(zip(PLUGIN_BATCH, post(client, moodle, batch()).json(), strict=True))
    quiz = "https://formation.ville-exemple.fr/mod/quiz/view.php?id=3101"
    completed = query(client, moodle, verb="http://adlnet.gov/expapi/verbs/completed")["statements"]
    assert {s["id"] for s in completed} == {ids[n] for n in ("quiz_attempt_submitted", "lesson_ended",
                                                             "scorm_scoreraw_submitted", "module_completion_updated",
                                                             "course_completed")}
    assert [s["id"] for s in query(client, moodle, activity=quiz)["statements"]] == [ids["quiz_viewed"]]
    related = {s["id"] for s in query(client, moodle, activity=quiz, related_activities="true")["statements"]}
    assert related == {ids[n] for n in ("quiz_viewed", "quiz_attempt_submitted", "quiz_question_answered",
                                        "quiz_attempt_reviewed")}
    agent = json.dumps({"account": {"homePage": "https://formation.ville-exemple.fr", "name": "45"}})
    assert len(query(client, moodle, agent=agent)["statements"]) == len(PLUGIN_BATCH)
    nobody = json.dumps({"mbox": "mailto:personne@ville-exemple.fr"})
    assert query(client, moodle, agent=nobody)["statements"] == []
    instructor = json.dumps({"account": {"homePage": "https://formation.ville-exemple.fr", "name": "2"}})
    assert query(client, moodle, agent=instructor)["statements"] == []
    assert len(query(client, moodle, agent=instructor, related_agents="true")["statements"]) == 2
    ids_only = query(client, moodle, activity=quiz, format="ids")["statements"][0]
    assert ids_only["object"] == {"objectType": "Activity", "id": quiz} and "display" not in ids_only["verb"]


@pytest.mark.parametrize("params", [{"agent": "{not json"}, {"agent": json.dumps({"name": "sans identifiant"})},
                                    {"limit": "-1"}, {"since": "hier"}, {"format": "tout"}, {"Verb": "x"}])
def test_malformed_query_parameters_are_400(client, moodle, params):
    assert client.get(STATEMENTS, params, **lrs_headers(moodle)).status_code == 400


def test_the_event_api_finds_a_statement_by_its_id_with_the_signature_or_a_staff_session(
        client, moodle, no_queue, django_user_model):
    from tests.pipeline.factories import signed_get, signed_post

    statement = moodle_statement("course_completed_mbox") | {"id": str(uuid.uuid4())}
    signed = signed_post(client, "/api/v1/events/xapi", dumps(statement), moodle.secret)  # the signed route
    assert signed.status_code == 202 and signed.json()["id"] != statement["id"]
    by_signature = signed_get(client, f"/api/v1/events/{statement['id']}", moodle.secret)
    assert by_signature.status_code == 200 and by_signature.json()["event_id"] == statement["id"]
    client.force_login(django_user_model.objects.create_superuser("admin", "a@ville-exemple.fr", "x-y-z-42-solide"))
    assert client.get(f"/api/v1/events/{statement['id']}").json()["id"] == signed.json()["id"]


def test_other_xapi_resources_are_404_with_the_version_header(client, moodle):
    response = client.get(f"{ENDPOINT}/activities/state", {"activityId": "x"}, **lrs_headers(moodle))
    assert response.status_code == 404 and response["X-Experience-API-Version"] == "1.0.3"
    assert response.json()["error"]["code"] == "xapi_resource_not_implemented"


def test_the_plugins_halving_of_refused_batches_ends_with_every_good_statement_stored(client, moodle, no_queue):
    """With "Resend failed batches", the plugin sends a batch refused with a 400 again in halves, down to one
    statement: whole-batch refusals then leave exactly the malformed statement behind."""
    statements = [moodle_statement(PLUGIN_BATCH[n % len(PLUGIN_BATCH)]) | {"id": str(uuid.uuid4())}
                  for n in range(30)]
    del statements[17]["actor"]["account"]
    refused = []

    def send(part):
        status = post(client, moodle, part).status_code
        if status == 400 and len(part) > 1:
            middle = round(len(part) / 2)
            send(part[:middle])
            send(part[middle:])
        elif status != 200:
            refused.extend(part)

    send(statements)
    assert refused == [statements[17]]
    stored = set(InboundEvent.objects.values_list("event_id", flat=True))
    assert stored == {s["id"] for s in statements} - {statements[17]["id"]}


@pytest.mark.parametrize("same", [True, False])
def test_a_statement_stored_meanwhile_by_a_concurrent_request_is_compared_with_it(moodle, no_queue, monkeypatch, same):
    """Between this request's read of the stored ids and its INSERT, another request stores the statement: the
    INSERT skips it (ON CONFLICT DO NOTHING) and the copy found is compared."""
    from badges_service.errors import Conflict
    from pipeline.intake import xapi
    from pipeline.services import lrs as lrs_service

    statement = moodle_statement("course_completed_mbox") | {"id": str(uuid.uuid4())}
    other = statement if same else statement | {"result": {"success": False}}
    real_build = lrs_service._build

    def build_after_another_request(*args, **kwargs):
        monkeypatch.setattr(lrs_service, "_build", real_build)
        services.events_receive(source=moodle.source, items=xapi.parse(other, keep_unsupported=True))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(lrs_service, "_build", build_after_another_request)
    items = xapi.parse(statement, keep_unsupported=True)
    if same:
        assert lrs_service.statements_store(source=moodle.source, items=items) == [statement["id"]]
        assert InboundEvent.objects.count() == 1 and len(no_queue) == 1  # queued by the other request only
    else:
        with pytest.raises(Conflict):
            lrs_service.statements_store(source=moodle.source, items=items)
