"""GET /api/v1/events/<id> and the CSV upload API: who may call them and what they answer."""

from issuers import services as issuer_services
from issuers.models import IssuerMembership
from issuers.permissions import SYSTEM
from pipeline import services
from pipeline.models import CsvImport, InboundEvent
from tests.issuers.factories import IssuerFactory, UserFactory
from tests.pipeline.factories import FIXTURES, fixture_bytes, make_source, signed_get, signed_post


def _processed_event(client, moodle):
    services.learner_map(source=moodle.source, lms_user_id="45", email="camille.dupont@ville-exemple.fr")
    signed_post(client, "/api/v1/events/moodle", fixture_bytes("moodle/course_completed.json"), moodle.secret)
    event = InboundEvent.objects.get()
    return services.event_process(event_id=event.pk)


def test_the_source_reads_its_event_and_the_credential_urls_once_processed(client, moodle):
    event = _processed_event(client, moodle)
    response = signed_get(client, f"/api/v1/events/{event.public_id}", moodle.secret)
    assert response.status_code == 200
    body = response.json()
    credential = event.awards.get().credential
    assert body["status"] == "processed" and body["event_id"] == "course_completed:8812"
    assert body["credentials"] == [f"https://badges.example.test/credentials/{credential.public_id}"]


def test_another_source_cannot_see_the_event(client, moodle):
    event = _processed_event(client, moodle)
    other = make_source("autre")
    assert signed_get(client, f"/api/v1/events/{event.public_id}", other.secret).status_code == 404


def test_issuer_staff_read_their_sources_events_and_others_do_not(client, moodle):
    event = _processed_event(client, moodle)
    staff, outsider = UserFactory(), UserFactory()
    issuer_services.membership_set(issuer=moodle.source.issuer, user=staff, role=IssuerMembership.Role.STAFF,
                                   actor=SYSTEM)
    issuer_services.membership_set(issuer=IssuerFactory(), user=outsider, role=IssuerMembership.Role.ADMIN,
                                   actor=SYSTEM)
    client.force_login(outsider)
    assert client.get(f"/api/v1/events/{event.public_id}").status_code == 403
    client.force_login(staff)
    assert client.get(f"/api/v1/events/{event.public_id}").json()["status"] == "processed"


def test_anonymous_callers_get_401(client, moodle):
    event = _processed_event(client, moodle)
    assert client.get(f"/api/v1/events/{event.public_id}").status_code in (401, 403)
    assert client.get(f"/api/v1/events/{event.public_id}").status_code == 401


def test_a_signed_csv_upload_answers_a_per_row_report(client, moodle, no_queue):
    body = (FIXTURES / "csv/completions.csv").read_bytes()
    response = signed_post(client, "/api/v1/events/csv/completions", body, moodle.secret, content_type="text/csv")
    assert response.status_code == 202
    report = response.json()
    assert (report["rows"], report["accepted"], report["rejected"]) == (5, 3, 2)
    assert [r["status"] for r in report["report"]] == ["accepted", "accepted", "accepted", "rejected", "rejected"]
    assert report["report"][0]["events"][0]["status"] == "received"
    assert report["report"][1]["events"][0]["status"] == "ignored"  # course 102 has no rule here
    assert InboundEvent.objects.count() == 3 and len(no_queue) == 1
    again = signed_post(client, "/api/v1/events/csv/completions", body, moodle.secret, content_type="text/csv")
    assert all(e["duplicate"] for r in again.json()["report"] if r["status"] == "accepted" for e in r["events"])
    assert InboundEvent.objects.count() == 3 and CsvImport.objects.count() == 2


def test_staff_upload_a_csv_for_their_issuers_source(client, moodle, no_queue):
    staff = UserFactory()
    issuer_services.membership_set(issuer=moodle.source.issuer, user=staff, role=IssuerMembership.Role.STAFF,
                                   actor=SYSTEM)
    client.force_login(staff)
    body = (FIXTURES / "csv/positioning.csv").read_bytes()
    response = client.post("/api/v1/events/csv/positioning?source=moodle-ville", data=body, content_type="text/csv")
    assert response.status_code == 202 and response.json()["rejected"] == 1
    assert CsvImport.objects.get().uploaded_by == staff


def test_a_csv_upload_without_credentials_is_401_and_a_bad_file_is_400(client, moodle):
    body = (FIXTURES / "csv/completions.csv").read_bytes()
    assert client.post("/api/v1/events/csv/completions", data=body, content_type="text/csv").status_code == 401
    bad = signed_post(client, "/api/v1/events/csv/pix", b"email\na@b.fr\n", moodle.secret, content_type="text/csv")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_csv"
    unknown = signed_post(client, "/api/v1/events/csv/autre", body, moodle.secret, content_type="text/csv")
    assert unknown.status_code == 400
    assert not InboundEvent.objects.exists()
