"""The admin's event log: filters by status and reason, and re-processing through the same service."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.models import CsvImport, InboundEvent
from tests.pipeline.factories import FIXTURES, fixture_bytes, signed_post


def _admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@ville-exemple.fr", "motdepasse-solide-42")
    client.force_login(admin)
    return client


def test_the_event_log_filters_by_status_and_reason(client, django_user_model, moodle, no_queue):
    signed_post(client, "/api/v1/events/moodle", fixture_bytes("moodle/course_completed.json"), moodle.secret)
    _admin(client, django_user_model)
    page = client.get("/admin/pipeline/inboundevent/?status__exact=received")
    assert page.status_code == 200 and b"course_completed:8812" in page.content
    assert b"course_completed:8812" not in client.get("/admin/pipeline/inboundevent/?status__exact=failed").content
    assert client.get("/admin/pipeline/inboundevent/?reason=unknown_course").status_code == 200


def test_reprocess_sends_failed_events_back_to_the_queue(client, django_user_model, moodle, no_queue):
    signed_post(client, "/api/v1/events/moodle", fixture_bytes("moodle/course_completed.json"), moodle.secret)
    event = InboundEvent.objects.get()
    InboundEvent.objects.update(status="failed", reason="no_active_key")
    _admin(client, django_user_model)
    response = client.post("/admin/pipeline/inboundevent/", {"action": "reprocess", "_selected_action": [event.pk]})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.reason) == ("received", "") and no_queue[-1] == event.pk


def test_admins_upload_a_csv_and_see_its_report(client, django_user_model, moodle, no_queue):
    _admin(client, django_user_model)
    assert b"upload/" in client.get("/admin/pipeline/csvimport/").content
    upload = SimpleUploadedFile("campagne.csv", (FIXTURES / "csv/completions.csv").read_bytes())
    response = client.post("/admin/pipeline/csvimport/upload/",
                           {"source": moodle.source.pk, "kind": "completions", "file": upload})
    assert response.status_code == 302
    record = CsvImport.objects.get()
    assert (record.filename, record.accepted, record.rejected) == ("campagne.csv", 3, 2)
    assert client.get(f"/admin/pipeline/csvimport/{record.pk}/change/").status_code == 200


def test_the_source_form_shows_the_secret_once(client, django_user_model, drh):
    _admin(client, django_user_model)
    response = client.post("/admin/pipeline/lmssource/add/", {"name": "moodle-2", "token_allowed": "on",
                                                              "active": "on"}, follow=True)
    assert "affiché une seule fois" in response.content.decode()


def test_the_source_form_shows_the_lrs_settings_with_the_password_once(client, django_user_model, drh):
    from pipeline.models import LmsSource
    _admin(client, django_user_model)
    response = client.post("/admin/pipeline/lmssource/add/", {"name": "moodle-3", "token_allowed": "on",
                                                              "active": "on"}, follow=True)
    page = response.content.decode()
    source = LmsSource.objects.get(name="moodle-3")
    assert "https://badges.example.test/api/v1/xapi/" in page and source.lrs_username in page
    change = client.get(f"/admin/pipeline/lmssource/{source.pk}/change/").content.decode()
    assert source.lrs_username in change and "/api/v1/xapi/" in change
    assert source.lrs_password_digest not in change  # the digest is not shown either
    rotated = client.post("/admin/pipeline/lmssource/", {"action": "rotate_lrs_credentials",
                                                         "_selected_action": [source.pk]}, follow=True)
    source.refresh_from_db()
    assert source.lrs_username in rotated.content.decode()
