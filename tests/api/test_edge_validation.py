"""Regressions found by the OpenAPI fuzz (tests/api/test_openapi_fuzz.py) and the probes that followed it: each
was a 500; each is now a 4xx refused at the edge, with a message.

Most are NUL characters, which PostgreSQL refuses in text (and ``\\u0000`` in jsonb); they pass on SQLite
too (which would have stored the NUL): the answer is the same on both. The others are JSON bodies nested
deeper than Python's decoder goes (a ``RecursionError``)."""

import base64
import json

import pytest

from issuers import services as issuer_services
from issuers.models import Issuer, IssuerMembership
from issuers.permissions import SYSTEM
from pipeline import services as pipeline_services
from pipeline.models import CsvImport, InboundEvent
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.pipeline.factories import dumps, fixture_json, make_source, signed_post


@pytest.fixture
def staff(db):
    drh = IssuerFactory(slug="drh")
    user = UserFactory()
    issuer_services.membership_set(issuer=drh, user=user, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    return user


@pytest.fixture
def source(db):
    drh = Issuer.objects.filter(slug="drh").first() or IssuerFactory(slug="drh")
    new = make_source(issuer=drh)
    pipeline_services.award_rule_create(source=new.source, course="101",
                                        achievement=AchievementFactory(issuer=drh, slug="accueil-usagers"))
    return new


@pytest.mark.parametrize("url", [
    "/api/v1/frameworks/a%00b/1.0",
    "/api/v1/frameworks/a%00b/1.0/competencies",
    "/api/v1/frameworks/ref/1.0/competencies?q=%00",
    "/frameworks/a%00b",
])
def test_a_nul_in_a_public_url_is_400_with_a_code(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nul_character"


def test_a_nul_in_a_signed_in_query_is_400(client, staff):
    client.force_login(staff)
    response = client.get("/api/v1/me/jobs?framework=%00")
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "nul_character",
                                        "message": "The query string contains a NUL character (%00)."}


def test_a_nul_in_the_csv_import_source_or_filename_is_400_and_imports_nothing(client, staff, source):
    client.force_login(staff)
    for query in ("source=a%00", f"source={source.source.name}&filename=a%00.csv"):
        response = client.post(f"/api/v1/events/csv/completions?{query}", data=b"lms_user_id,email\n",
                               content_type="text/csv")
        assert response.status_code == 400, query
    assert not CsvImport.objects.exists() and not InboundEvent.objects.exists()


def test_a_nul_in_basic_auth_credentials_is_refused_without_a_lookup(client, db):
    for credentials in ("a\x00b:secret", "agent:se\x00cret"):
        header = "Basic " + base64.b64encode(credentials.encode()).decode()
        response = client.get("/api/v1/achievements", HTTP_AUTHORIZATION=header)
        assert response.status_code in (401, 403)
        assert response.json()["error"]["message"] == "Invalid basic header. Credentials contain a NUL character."


@pytest.mark.parametrize("change", [{"extra": "x\x00"}, {"other": {"relateduserid": "45", "note": "\x00"}}])
def test_a_signed_moodle_body_with_a_nul_in_a_free_form_part_is_400_and_stores_nothing(client, source, change):
    body = dumps(fixture_json("moodle/course_completed.json") | change)
    response = signed_post(client, "/api/v1/events/moodle", body, source.secret)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"body": ["Le corps contient un caractère nul (\\u0000)."]}
    assert not InboundEvent.objects.exists()


def test_a_moodle_body_with_the_token_and_a_nul_is_400_and_stores_nothing(client, source):
    body = fixture_json("moodle/course_completed.json") | {"token": source.secret, "extra": "\x00"}
    response = client.post("/api/v1/events/moodle", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert not InboundEvent.objects.exists()


def test_an_unauthenticated_moodle_body_with_a_nul_is_still_401(client, source):
    body = fixture_json("moodle/course_completed.json") | {"token": "wrong", "extra": "\x00"}
    response = client.post("/api/v1/events/moodle", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 401  # nothing said about the body before authentication


def test_a_signed_xapi_statement_with_a_nul_in_an_extension_is_400(client, source):
    statement = fixture_json("xapi/completed_adl.json")
    statement.setdefault("context", {})["extensions"] = {"https://example.test/x": "\x00"}
    response = signed_post(client, "/api/v1/events/xapi", dumps(statement), source.secret)
    assert response.status_code == 400
    assert not InboundEvent.objects.exists()


def test_a_nul_in_a_header_or_a_cookie_is_400(client, db):
    response = client.get("/api/v1/achievements", HTTP_COOKIE="sessionid=abcdefgh\x00ij")
    assert response.status_code == 400 and response.json()["error"]["code"] == "nul_character"
    response = client.post("/api/v1/events/moodle", data=b"{}", content_type="application/json",
                           HTTP_X_BADGES_SOURCE="moodle\x00")
    assert response.status_code == 400 and response.json()["error"]["code"] == "nul_character"


DEEP = b"[" * 5000 + b"]" * 5000


def test_a_json_body_nested_too_deep_is_refused(client, staff, source):
    # unauthenticated: nothing is said about the body
    assert client.post("/api/v1/events/moodle", data=DEEP, content_type="application/json").status_code == 401
    signed = signed_post(client, "/api/v1/events/moodle", DEEP, source.secret)
    assert signed.status_code == 400
    assert signed.json()["error"]["details"]["fields"] == {"body": ["Le corps n'est pas du JSON valide (UTF-8)."]}
    client.force_login(staff)
    response = client.post("/api/v1/credentials", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "parse_error",
                                        "message": "JSON parse error - the document is nested too deeply."}
