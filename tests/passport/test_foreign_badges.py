"""Mon passeport, Badges obtenus ailleurs: a badge from another administration is added by URL or file,
verified first (refused with its report otherwise, nothing stored), kept with its report and date, re-checked
on demand and periodically, shown apart from the city's badges, public or private."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from badges_service.openbadges import baking
from learners.models import ForeignBadge
from tests.verification.foreign_ob2 import EMAIL
from verification import foreign_badges, tasks

ADD = "/passeport/ailleurs/ajouter"


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"foreign-passport-{uuid.uuid4()}"}}
    settings.BADGES_FETCH_CACHE_SECONDS = 0  # each verification reads the issuer's documents again


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


def png(width=8, height=8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_moodle_badge_added_by_url_is_verified_stored_and_listed_apart_from_the_citys(signed_in, platforms,
                                                                                          learner, credential):
    assertion = platforms.moodle()
    answer = signed_in.post(ADD, {"url": assertion["id"], "email": EMAIL})
    badge = ForeignBadge.objects.get(user=learner)
    assert answer.status_code == 302 and answer["Location"] == f"/passeport/ailleurs/{badge.public_id}/"
    assert badge.status == "valid" and badge.report["valid"] and badge.verified_at is not None
    assert badge.issuer_name.startswith("Ministère de l'Exemple") and badge.format == "ob2-hosted"
    assert badge.alignments[0]["targetUrl"].startswith("http://data.europa.eu/esco/skill/")
    assert badge.image_type == "image/png" and bytes(badge.image).startswith(baking.PNG_SIGNATURE)
    home = signed_in.get("/passeport/").content.decode()
    assert "Badges obtenus ailleurs" in home and badge.name in home and "Vérifié le" in home
    city_list, foreign_list = home.split("<p class=\"lead\">")[1].split('id="foreign-badges"')
    assert "Accueil des usagers" in city_list and badge.name not in city_list and badge.name in foreign_list
    detail = signed_in.get(f"/passeport/ailleurs/{badge.public_id}/").content.decode()
    assert "Ministère de l&#x27;Exemple" in detail and "recipient" not in detail.lower().split("<main")[0]
    image = signed_in.get(f"/passeport/ailleurs/{badge.public_id}/image")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_a_baked_png_and_a_json_file_are_accepted(signed_in, platforms, learner):
    moodle = platforms.moodle()
    baked = baking.png_bake(png(), keyword="openbadges", text=json.dumps(moodle))
    answer = signed_in.post(ADD, {"file": SimpleUploadedFile("badge.png", baked, content_type="image/png")})
    assert answer.status_code == 302
    badge = ForeignBadge.objects.get(user=learner)
    assert badge.source == "file" and json.loads(badge.original)["id"] == moodle["id"]
    assert baking.png_unbake(bytes(badge.image)) is None  # the kept image is a clean copy
    badge.delete()
    token = platforms.signed()
    answer = signed_in.post(ADD, {"file": SimpleUploadedFile("badge.json", token.encode(),
                                                             content_type="application/json")})
    assert answer.status_code == 302 and ForeignBadge.objects.get(user=learner).format == "ob2-signed"


def test_an_altered_copy_is_refused_with_its_report_and_nothing_is_stored(signed_in, platforms, learner):
    moodle = platforms.moodle()
    moodle["badge"]["name"] = "Expert en tout"
    answer = signed_in.post(ADD, {"file": SimpleUploadedFile("badge.json", json.dumps(moodle).encode(),
                                                             content_type="application/json")})
    page = answer.content.decode()
    assert answer.status_code == 422 and 'data-code="not_verified"' in page and "badge.name" in page
    assert not ForeignBadge.objects.exists()


def test_a_recipient_that_does_not_match_is_refused(signed_in, platforms):
    answer = signed_in.post(ADD, {"url": platforms.moodle()["id"], "email": "quelquun@autre.example"})
    assert answer.status_code == 422 and "Not issued to the email given." in answer.content.decode()
    assert not ForeignBadge.objects.exists()


@pytest.mark.parametrize(("image", "code"), [
    (png(3000, 1), "too_many_pixels"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><!DOCTYPE x [<!ENTITY a "b">]><rect/></svg>', None),
])
def test_a_hostile_image_is_refused_as_uploads_are(signed_in, platforms, image, code):
    moodle = platforms.moodle()
    if image.startswith(baking.PNG_SIGNATURE):
        image = baking.png_bake(image, keyword="openbadges", text=json.dumps(moodle))
    answer = signed_in.post(ADD, {"file": SimpleUploadedFile("badge.png", image)})
    assert answer.status_code == 422 and "Badge refusé" in answer.content.decode()
    if code:
        assert f'data-code="{code}"' in answer.content.decode()
    assert not ForeignBadge.objects.exists()


def test_a_hostile_data_image_in_the_badge_class_is_refused(signed_in, platforms):
    moodle = platforms.moodle()
    import base64
    moodle["badge"]["image"] = "data:image/png;base64," + base64.b64encode(png(4000, 2)).decode()
    platforms.publish(moodle)
    answer = signed_in.post(ADD, {"url": moodle["id"]})
    assert answer.status_code == 422 and 'data-code="too_many_pixels"' in answer.content.decode()
    assert not ForeignBadge.objects.exists()


def test_the_citys_own_badge_a_duplicate_and_an_empty_form_are_refused(signed_in, platforms, credential):
    own = signed_in.post(ADD, {"url": f"http://127.0.0.1:8000/credentials/{credential.public_id}"})
    assert own.status_code == 422
    url = platforms.moodle()["id"]
    assert signed_in.post(ADD, {"url": url}).status_code == 302
    assert signed_in.post(ADD, {"url": url}).status_code == 409
    assert signed_in.post(ADD, {}).status_code == 400
    assert ForeignBadge.objects.count() == 1


def test_a_recheck_on_demand_and_the_periodic_one_record_a_revocation(signed_in, platforms, learner, monkeypatch):
    assertion = platforms.badgr()
    signed_in.post(ADD, {"url": assertion["id"]})
    badge = ForeignBadge.objects.get(user=learner)
    platforms.badgr(revoked=("self",))
    signed_in.post(f"/passeport/ailleurs/{badge.public_id}/verifier")
    badge.refresh_from_db()
    assert badge.status == "revoked" and "Fraude" in json.dumps(badge.report)
    page = signed_in.get(f"/passeport/ailleurs/{badge.public_id}/").content.decode()
    assert "Révoqué" in page

    platforms.badgr()  # the issuer takes the revocation back
    ForeignBadge.objects.filter(pk=badge.pk).update(verified_at=datetime.now(UTC) - timedelta(days=8))
    queued = []
    monkeypatch.setattr(tasks.foreign_badge_recheck_task, "delay", queued.append)
    assert tasks.foreign_badges_recheck_task() == 1 and queued == [badge.pk]
    tasks.foreign_badge_recheck_task(badge.pk)
    badge.refresh_from_db()
    assert badge.status == "valid" and foreign_badges.foreign_badges_due() == []
    tasks.foreign_badge_recheck_task(10_000_000)  # deleted meanwhile: nothing to do


def test_a_badge_added_by_url_whose_url_then_answers_410_gone_is_rechecked_as_revoked(signed_in, platforms,
                                                                                      learner):
    assertion = platforms.badgr()
    signed_in.post(ADD, {"url": assertion["id"]})
    badge = ForeignBadge.objects.get(user=learner)
    platforms.withdraw(assertion["id"], reason="Retiré par l'université")
    signed_in.post(f"/passeport/ailleurs/{badge.public_id}/verifier")
    badge.refresh_from_db()
    assert badge.status == "revoked" and "Retiré par l'université" in json.dumps(badge.report, ensure_ascii=False)
    assert {c["name"]: c["result"] for c in badge.report["checks"]}["key"] == "passed"


def test_public_or_private_like_the_others_and_nobody_elses(signed_in, platforms, learner, other_learner, client):
    signed_in.post(ADD, {"url": platforms.moodle()["id"]})
    badge = ForeignBadge.objects.get(user=learner)
    public_page = f"/external-badges/{badge.public_id}"
    signed_in.logout()
    assert client.get(public_page).status_code == 404
    client.force_login(learner)
    client.post(f"/passeport/ailleurs/{badge.public_id}/visibilite", {"public": "1"})
    client.logout()
    page = client.get(public_page)
    assert page.status_code == 200 and badge.name in page.content.decode()
    assert EMAIL not in page.content.decode()
    assert client.get(public_page + "/image").status_code == 200
    client.force_login(other_learner)
    assert client.get(f"/passeport/ailleurs/{badge.public_id}/").status_code == 404
    assert client.post(f"/passeport/ailleurs/{badge.public_id}/supprimer").status_code == 404
    client.force_login(learner)
    client.post(f"/passeport/ailleurs/{badge.public_id}/supprimer")
    assert not ForeignBadge.objects.exists()
