"""Expiry: ``validUntil`` from the achievement's validity rule, and every surface says "expired" once it passes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from issuers import services
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, PublicCredentialFactory
from verification.services import credential_verify_raw

from .pdf_text import pdf_text

ISSUED = "2025-03-10T09:00:00+00:00"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def yearly(db):
    return AchievementFactory(validity_days=365)


def test_the_achievements_validity_rule_sets_valid_until(yearly):
    with freeze_time(ISSUED):
        credential = PublicCredentialFactory(achievement=yearly)
    document = json.loads(credential.document)
    assert document["validUntil"] == "2026-03-10T09:00:00Z"
    assert json.loads(credential.ob2.document)["expires"] == "2026-03-10T09:00:00Z"


def test_an_explicit_valid_until_wins_over_the_rule_and_no_rule_means_no_expiry(yearly, achievement):
    with freeze_time(ISSUED):
        explicit = PublicCredentialFactory(achievement=yearly, valid_until=timezone.now() + timedelta(days=30))
        forever = PublicCredentialFactory(achievement=achievement)
    assert json.loads(explicit.document)["validUntil"] == "2025-04-09T09:00:00Z"
    assert "validUntil" not in json.loads(forever.document)


def test_the_rule_is_editable_and_applies_to_later_credentials_only(yearly):
    with freeze_time(ISSUED):
        before = PublicCredentialFactory(achievement=yearly)
        services.achievement_update(achievement=yearly, validity_days=30, actor=SYSTEM)
        after = PublicCredentialFactory(achievement=yearly)
    assert json.loads(before.document)["validUntil"] == "2026-03-10T09:00:00Z"
    assert json.loads(after.document)["validUntil"] == "2025-04-09T09:00:00Z"


@pytest.mark.parametrize("suffix", ["/credential.json", "/baked.png", "/baked.svg", "/ob2", "/ob2.jws",
                                    "/ob2/baked.png"])
def test_every_format_is_valid_the_day_before_and_expired_the_day_after(client, yearly, suffix):
    with freeze_time(ISSUED):
        credential = PublicCredentialFactory(achievement=yearly)
        content = client.get(f"/credentials/{credential.public_id}{suffix}").content
    with freeze_time("2026-03-09T09:00:00+00:00"):
        assert credential_verify_raw(raw=content).valid
    with freeze_time("2026-03-10T09:00:01+00:00"):
        report = credential_verify_raw(raw=content)
        assert report.status == "expired"
        assert "2026-03-10" in report.check("validity").message
        assert report.check("proof").result == "passed"  # genuine, just no longer valid


def test_the_page_api_and_certificate_say_expired(client, yearly):
    with freeze_time(ISSUED):
        credential = PublicCredentialFactory(achievement=yearly, recipient_name="Camille Dupont")
    with freeze_time("2026-06-01T10:00:00+00:00"):
        page = client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT="text/html").content.decode()
        assert 'data-status="expired"' in page and "10 mars 2026" in page
        document = client.get(f"/credentials/{credential.public_id}/credential.json").content
        assert client.post("/api/v1/verify", data=document, content_type="application/json").json()["status"] \
            == "expired"
        text = pdf_text(client.get(f"/credentials/{credential.public_id}/certificate.pdf").content)
        assert "Ce badge a expiré le 10 mars 2026" in text
