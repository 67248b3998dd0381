"""Uploading badge images: cleaned on the way in, through the API and the admin alike."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from badges_service.errors import ApplicationError, PermissionDenied
from issuers import badge_images, services
from issuers.models import IssuerMembership
from issuers.permissions import SYSTEM
from tests.issuers.factories import UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#00798c").save(out, format="PNG")
    return out.getvalue()


def test_an_uploaded_svg_is_stored_sanitised(achievement):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
           b'<script>alert(2)</script><circle r="4" cx="5" cy="5"/></svg>')
    badge_images.achievement_image_set(achievement=achievement, data=svg, actor=SYSTEM)
    stored = badge_images.achievement_image(achievement)
    assert stored.kind == "svg" and b"<circle" in stored.content
    assert b"script" not in stored.content and b"onload" not in stored.content


def test_a_hostile_upload_is_refused_and_nothing_is_stored(achievement):
    with pytest.raises(ApplicationError) as error:
        badge_images.achievement_image_set(achievement=achievement, data=b"GIF89a....", actor=SYSTEM)
    assert error.value.code == "unsupported_image"
    achievement.refresh_from_db()
    assert not achievement.image


def test_only_the_issuers_staff_may_upload(achievement):
    with pytest.raises(PermissionDenied):
        badge_images.achievement_image_set(achievement=achievement, data=png_bytes(), actor=UserFactory())


def test_the_api_takes_the_image_as_the_request_body(client, achievement):
    staff = UserFactory()
    services.membership_set(issuer=achievement.issuer, user=staff, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    client.force_login(staff)
    url = f"/api/v1/achievements/{achievement.slug}/image"
    response = client.put(url, data=png_bytes(), content_type="image/png")
    assert response.status_code == 200, response.content
    assert client.get(f"/achievements/{achievement.slug}/image")["Content-Type"] == "image/png"
    bad = client.put(url, data=b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
                     content_type="image/svg+xml")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unsafe_svg"


def test_the_admin_refuses_a_hostile_upload_with_a_message(admin_client, achievement):
    url = f"/admin/issuers/achievement/{achievement.pk}/change/"
    form = {"issuer": achievement.issuer.pk, "slug": achievement.slug, "name": achievement.name,
            "description": achievement.description, "criteria_narrative": achievement.criteria_narrative,
            "achievement_type": "Badge", "tags": '["accueil"]', "language": "fr",
            "image": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\nnot really", content_type="image/png")}
    response = admin_client.post(url, form)
    assert response.status_code == 200 and "Not a readable PNG" in response.content.decode()
    form["image"] = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    achievement.refresh_from_db()
    assert achievement.image.name.endswith(".png")
