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


def _rule_form(moodle, achievement, bands, **fields):
    data = {"source": moodle.source.pk, "course": "tableur", "achievement": achievement.pk, "active": "on",
            "bands-TOTAL_FORMS": str(len(bands)), "bands-INITIAL_FORMS": "0", "bands-MIN_NUM_FORMS": "0",
            "bands-MAX_NUM_FORMS": "1000", **fields}
    for n, (low, level) in enumerate(bands):
        data |= {f"bands-{n}-min_score": str(low), f"bands-{n}-level": level.pk}
    return data


def test_an_award_rule_saved_in_the_admin_is_checked_like_award_rule_create(client, django_user_model, moodle):
    """Regression: the admin saved rules with Django's default save, so their score bands could be off the
    rule's scale. It now makes them with ``award_rule_create``: refused, nothing written; accepted, bands and all."""
    from competencies.models import ProficiencyLevel
    from pipeline.models import AwardRule, ScoreBand
    from tests.competencies.factories import small_framework
    from tests.issuers.factories import AchievementFactory

    _admin(client, django_user_model)
    framework = small_framework()
    other = small_framework(code="AUTRE")
    achievement = AchievementFactory(issuer=moodle.source.issuer)
    n2, n3 = (ProficiencyLevel.objects.get(framework=framework, code=c) for c in ("N2", "N3"))
    off_scale = ProficiencyLevel.objects.get(framework=other, code="N4")
    before = AwardRule.objects.count()

    response = client.post("/admin/pipeline/awardrule/add/", _rule_form(
        moodle, achievement, [(50, n2), (80, off_scale)], level_framework=framework.pk), follow=True)
    assert "scale" in response.content.decode() or "échelle" in response.content.decode()
    assert AwardRule.objects.count() == before and not ScoreBand.objects.exists()

    client.post("/admin/pipeline/awardrule/add/", _rule_form(moodle, achievement, [(50, n2), (80, n3)],
                                                             level_framework=framework.pk))
    rule = AwardRule.objects.get(course="tableur")
    assert sorted((b.min_score, b.level.code) for b in rule.bands.all()) == [(50, "N2"), (80, "N3")]


def test_deletion_that_would_break_history_is_off_in_the_admin(client, django_user_model, moodle):
    _admin(client, django_user_model)
    rule = moodle.source.rules.get()
    assert client.get(f"/admin/pipeline/awardrule/{rule.pk}/delete/").status_code == 403
    for model in ("issuers/credential", "issuers/signingkey", "issuers/issuer", "issuers/achievement",
                  "pipeline/award", "pipeline/inboundevent", "pipeline/awardrule"):
        assert "delete_selected" not in client.get(f"/admin/{model}/").content.decode(), model


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
