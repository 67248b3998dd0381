"""Foreign Open Badges 2.0 badges verified through the SSRF-safe fetcher: hosted assertions by URL and as
local copies (Moodle's and Badgr's shapes), signed assertions with the issuer's key URL, revocation lists,
the recipient check, and baked PNG/SVG images of either version."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from badges_service.openbadges import baking
from verification.services import credential_verify_raw

from .document_server import DocumentServer
from .foreign_ob2 import EMAIL, other_key
from .test_verify_api_forms import ForeignIssuer


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"foreign-ob2-{uuid.uuid4()}"}}


def codes(report) -> dict:
    return {c.name: (c.result, c.code) for c in report.checks}


def png() -> bytes:
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'


def test_a_moodle_hosted_assertion_given_by_its_query_string_url_is_valid(platforms):
    assertion = platforms.moodle()
    report = credential_verify_raw(raw=assertion["id"])
    assert report.valid, codes(report)
    assert report.summary["format"] == "ob2-hosted" and "Ministère" in report.summary["issuer"]["name"]
    assert [c.name for c in report.checks if c.result == "passed"] == ["json", "context", "type", "schema", "key",
                                                                        "proof", "validity", "status"]


def test_a_moodle_local_copy_is_valid_and_an_altered_one_names_its_changes_and_shows_the_original(platforms):
    assertion = platforms.moodle()
    assert credential_verify_raw(raw=json.dumps(assertion)).valid
    altered = copy.deepcopy(assertion)
    altered["badge"]["name"] = "Expert"
    altered["issuedOn"] = "2020-01-01T00:00:00+01:00"
    report = credential_verify_raw(raw=json.dumps(altered))
    assert report.status == "altered" and not report.valid
    assert "badge.name" in report.check("proof").message and "issuedOn" in report.check("proof").message
    assert report.summary["name"] == assertion["badge"]["name"]


def test_a_badgr_assertion_is_fetched_with_its_badge_class_and_issuer_and_read_against_the_revocation_list(
        platforms):
    assertion = platforms.badgr()
    report = credential_verify_raw(raw=assertion["id"])
    assert report.valid, codes(report)
    assert report.summary["issuer"]["name"].startswith("Université de l'Exemple")
    requested = [path for path, _ in platforms.server.requests]
    assert "/public/badges/xuF70J_8Q6msEohXfR3edw" in requested and "/public/issuers/TPjkApBgS7CILthN5tFXdQ" \
        in requested


@pytest.mark.parametrize("platform", ["obf", "credly"])
def test_open_badge_factory_and_credly_assertions_verify_by_url_as_a_copy_and_baked(platforms, platform):
    assertion = getattr(platforms, platform)()
    for raw in (assertion["id"], json.dumps(assertion),
                baking.png_bake(png(), keyword="openbadges", text=assertion["id"])):
        report = credential_verify_raw(raw=raw, recipient_email=EMAIL)
        assert report.valid, codes(report)
        assert report.summary["format"] == "ob2-hosted" and codes(report)["recipient"] == ("passed", "ok")
    assert report.summary["issuer"]["name"] in ("Centre de gestion de l'Exemple", "Agence nationale de l'Exemple")
    assert report.summary["achievement"]["alignment"], report.summary  # kept for the competency profile


def test_an_open_badge_factory_assertion_past_its_expiry_or_revoked_by_410_is_not_valid(platforms):
    from datetime import UTC, datetime

    from django.core.cache import cache
    assertion = platforms.obf()
    assert credential_verify_raw(raw=assertion["id"], now=datetime(2031, 1, 1, tzinfo=UTC)).status == "expired"
    platforms.withdraw(assertion["id"])
    cache.clear()  # fetched documents are kept a short while (remote.document_get)
    assert credential_verify_raw(raw=json.dumps(assertion)).status == "revoked"


def test_a_credly_recipient_hashed_without_salt_is_checked_and_an_altered_copy_is_named(platforms):
    assertion = platforms.credly()
    assert codes(credential_verify_raw(raw=assertion["id"], recipient_email="autre@ministere.example"))[
        "recipient"] == ("failed", "recipient_mismatch")
    altered = {**assertion, "issuedOn": "2020-01-01T00:00:00.000Z"}
    report = credential_verify_raw(raw=json.dumps(altered))
    assert report.status == "altered" and "issuedOn" in report.check("proof").message


def test_a_foreign_assertion_on_its_issuer_revocation_list_is_revoked(platforms):
    assertion = platforms.badgr(revoked=("urn:uuid:another", "self"))
    revoked = credential_verify_raw(raw=json.dumps(assertion))
    assert revoked.status == "revoked" and "Fraude" in revoked.check("status").message


def test_a_hosted_assertion_whose_url_answers_410_gone_is_revoked_with_the_reason_its_body_gives(platforms):
    assertion = platforms.badgr()
    platforms.withdraw(assertion["id"], reason="Délivré par erreur")
    report = credential_verify_raw(raw=json.dumps(assertion))
    assert report.status == "revoked" and not report.valid
    assert codes(report)["key"] == ("passed", "ok") and codes(report)["status"] == ("failed", "revoked")
    assert "Délivré par erreur" in report.check("status").message


def test_a_moodle_assertion_answering_410_without_a_body_is_revoked_not_unverifiable(platforms):
    moodle = platforms.moodle()
    platforms.withdraw(moodle["id"])
    for raw in (json.dumps(moodle), baking.png_bake(png(), keyword="openbadges", text=json.dumps(moodle))):
        report = credential_verify_raw(raw=raw)
        assert report.status == "revoked", codes(report)
        assert report.check("status").message == "Revoked by its issuer."


def test_a_badge_class_answering_410_leaves_the_assertion_unverifiable_and_a_bare_url_says_it_is_gone(platforms):
    assertion = platforms.badgr()
    platforms.withdraw(assertion["badge"])
    assert credential_verify_raw(raw=json.dumps(assertion)).status == "unverifiable"
    platforms.withdraw(assertion["id"])
    report = credential_verify_raw(raw=assertion["id"])  # nothing left to say whose URL it is
    assert codes(report)["json"] == ("failed", "fetch_gone") and "410" in report.check("json").message


def test_the_recipient_is_checked_when_an_email_is_given(platforms):
    assertion = platforms.badgr()
    assert codes(credential_verify_raw(raw=assertion["id"], recipient_email=EMAIL.upper()))["recipient"] == \
        ("passed", "ok")
    report = credential_verify_raw(raw=assertion["id"], recipient_email="autre@ville.example")
    assert codes(report)["recipient"] == ("failed", "recipient_mismatch") and not report.valid


def test_a_hosted_assertion_on_another_origin_than_its_issuer_is_refused(platforms):
    assertion = platforms.badgr()
    moved = {**assertion, "id": "https://elsewhere.example/a/1"}
    assert codes(credential_verify_raw(raw=json.dumps(moved)))["key"] == ("failed", "origin_mismatch")


def test_a_foreign_signed_assertion_verifies_with_the_key_at_its_url_and_a_wrong_key_is_refused(platforms):
    token = platforms.signed()
    report = credential_verify_raw(raw=token, recipient_email=EMAIL)
    assert report.valid, codes(report)
    assert report.summary["format"] == "ob2-signed" and report.summary["issuer"]["name"] == "Région Exemple"
    forged = platforms.signed(key=other_key())  # signed with a key the issuer does not publish
    assert codes(credential_verify_raw(raw=forged))["proof"][0] == "failed"


def test_an_unreachable_foreign_issuer_is_unverifiable_not_invalid(platforms):
    assertion = platforms.moodle()
    platforms.server.routes.clear()
    report = credential_verify_raw(raw=json.dumps(assertion))
    assert report.status == "unverifiable"


def test_foreign_baked_ob2_png_and_svg_verify(platforms):
    moodle = platforms.moodle()
    baked_json = baking.png_bake(png(), keyword="openbadges", text=json.dumps(moodle))
    baked_url = baking.png_bake(png(), keyword="openbadges", text=moodle["id"])
    for image in (baked_json, baked_url):
        report = credential_verify_raw(raw=image)
        assert report.valid, codes(report)
        assert report.summary["baked"]["image"] == "png"
    token = platforms.signed()
    svg = baking.svg_bake(SVG, version="2.0", text=token)
    report = credential_verify_raw(raw=svg.encode())
    assert report.valid and report.summary["baked"]["image"] == "svg"


def test_a_foreign_baked_ob3_png_verifies(settings, tmp_path, db):
    server = DocumentServer(tls_dir=tmp_path)
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    settings.BADGES_FETCH_CA_FILE = str(server.ca_file)
    try:
        credential = ForeignIssuer(server).credential()
        image = baking.png_bake(png(), keyword="openbadgecredential", text=json.dumps(credential))
        report = credential_verify_raw(raw=image)
        assert report.valid, codes(report)
        assert report.summary["baked"]["version"] == "3.0"
    finally:
        server.close()


def test_the_verification_api_checks_the_recipient_it_is_given_and_refuses_one_that_is_not_an_email(platforms,
                                                                                                   client):
    assertion = platforms.moodle()
    answer = client.post("/api/v1/verify?recipient=" + EMAIL, data=assertion["id"], content_type="text/plain")
    assert answer.status_code == 200 and answer.json()["valid"], answer.json()
    assert {c["name"]: c["result"] for c in answer.json()["checks"]}["recipient"] == "passed"
    wrong = client.post("/api/v1/verify?recipient=x@y.example", data=assertion["id"], content_type="text/plain")
    assert wrong.json()["valid"] is False
    bad = client.post("/api/v1/verify?recipient=nobody", data=assertion["id"], content_type="text/plain")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_recipient"
