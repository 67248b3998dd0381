"""Every format a credential leaves the service in comes back and verifies: issue -> bake -> unbake -> verify,
over HTTP, through the API, and from the command line; and any change to one of them is caught."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from badges_service.openbadges import baking, jws
from issuers import identifiers, services
from issuers.permissions import SYSTEM
from verification.services import credential_verify_raw

FORMATS = {  # url suffix -> (format in the report, baked image or None)
    "/baked.png": ("ob3", "png"),
    "/baked.svg": ("ob3", "svg"),
    "/ob2/baked.png": ("ob2-hosted", "png"),
    "/ob2.jws": ("ob2-signed", None),
    "/ob2": ("ob2-hosted", None),
    "/credential.json": ("ob3", None),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fetch(client, credential, suffix: str) -> bytes:
    response = client.get(f"/credentials/{credential.public_id}{suffix}")
    assert response.status_code == 200, (suffix, response.content[:300])
    return response.content


def failed(report) -> dict:
    return {c.name: c.code for c in report.checks if c.result == "failed"}


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_each_format_round_trips_and_verifies_with_the_same_named_checks(client, credential, suffix):
    report = credential_verify_raw(raw=fetch(client, credential, suffix))
    assert report.valid, failed(report)
    assert [c.name for c in report.checks] == ["json", "context", "type", "schema", "key", "proof", "validity",
                                               "status"]
    fmt, image = FORMATS[suffix]
    assert report.summary["format"] == fmt
    assert report.summary.get("baked", {}).get("image") == image
    assert report.summary["achievement"]["name"] == credential.achievement.name


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_revocation_is_seen_in_every_format_with_date_and_reason(client, credential, suffix):
    content = fetch(client, credential, suffix)  # baked before the revocation: the image itself never changes
    services.credential_revoke(credential=credential, reason="Délivré par erreur", actor=SYSTEM)
    report = credential_verify_raw(raw=content)
    assert report.status == "revoked"
    message = report.check("status").message
    assert credential.revoked_at.date().isoformat() in message and "Délivré par erreur" in message


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_suspension_is_seen_in_every_format_until_reinstated(client, credential, suffix):
    content = fetch(client, credential, suffix)
    services.credential_suspend(credential=credential, reason="Contrôle en cours", actor=SYSTEM)
    report = credential_verify_raw(raw=content)
    assert report.status == "suspended" and "Contrôle en cours" in report.check("status").message
    services.credential_reinstate(credential=credential, actor=SYSTEM)
    assert credential_verify_raw(raw=content).valid


# --- tampering ---------------------------------------------------------------------------------------


def _renamed(text: str) -> str:
    document = json.loads(text)
    subject = document.get("credentialSubject")
    if subject:
        subject["achievement"]["name"] += " (expert)"
    else:
        document["recipient"]["identity"] = "sha256$" + "0" * 64
    return json.dumps(document, ensure_ascii=False)


def test_a_baked_png_whose_credential_was_changed_fails_the_proof(client, credential):
    image = fetch(client, credential, "/baked.png")
    forged = baking.png_bake(image, keyword="openbadgecredential", text=_renamed(baking.png_unbake(image).text))
    assert failed(credential_verify_raw(raw=forged))["proof"] == "signature_invalid"


def test_a_baked_svg_whose_credential_was_changed_fails_the_proof(client, credential):
    svg = fetch(client, credential, "/baked.svg").decode()
    original = baking.svg_unbake(svg).text
    assert original in svg
    forged = svg.replace(original, _renamed(original))
    assert baking.svg_unbake(forged).text != original
    assert failed(credential_verify_raw(raw=forged.encode()))["proof"] == "signature_invalid"


def test_an_ob2_baked_png_whose_assertion_was_changed_differs_from_the_hosted_copy(client, credential):
    image = fetch(client, credential, "/ob2/baked.png")
    forged = baking.png_bake(image, keyword="openbadges", text=_renamed(baking.png_unbake(image).text))
    assert failed(credential_verify_raw(raw=forged))["proof"] == "altered"


def test_a_hosted_assertion_claimed_from_another_origin_is_refused(client, credential):
    assertion = json.loads(fetch(client, credential, "/ob2"))
    assertion["id"] = assertion["id"].replace("badges.example.test", "evil.example")
    assert failed(credential_verify_raw(raw=json.dumps(assertion)))["key"] == "origin_mismatch"


def test_a_signed_assertion_with_a_changed_payload_or_algorithm_is_refused(client, credential):
    token = fetch(client, credential, "/ob2.jws").decode()
    header, payload, signature = token.split(".")
    changed = jws.b64url_encode(_renamed(jws.b64url_decode(payload).decode()).encode())
    assert failed(credential_verify_raw(raw=f"{header}.{changed}.{signature}"))["proof"] == "signature_invalid"
    none = jws.b64url_encode(b'{"alg":"none"}')
    assert failed(credential_verify_raw(raw=f"{none}.{payload}."))["proof"] == "alg_not_allowed"
    hs256 = jws.b64url_encode(b'{"alg":"HS256"}')
    assert failed(credential_verify_raw(raw=f"{hs256}.{payload}.{signature}"))["proof"] == "alg_not_allowed"


def test_a_signed_assertion_re_signed_with_another_key_is_refused(client, credential):
    from cryptography.hazmat.primitives.asymmetric import rsa

    token = fetch(client, credential, "/ob2.jws").decode()
    payload = jws.b64url_decode(token.split(".")[1])
    forged = jws.sign(payload, private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert failed(credential_verify_raw(raw=forged))["proof"] == "signature_invalid"


def test_a_damaged_image_is_unreadable_not_valid(client, credential):
    image = fetch(client, credential, "/baked.png")
    report = credential_verify_raw(raw=image[:-20] + b"\0" * 20)
    assert report.check("json").result == "failed" and not report.valid
    plain = credential_verify_raw(raw=baking.png_bake(image, keyword="openbadgecredential", text="{}")[:-12]
                                  + image[-12:])
    assert not plain.valid


def test_an_image_without_a_badge_says_so(client, achievement):
    response = client.get(f"/achievements/{achievement.slug}/image")
    report = credential_verify_raw(raw=response.content)
    assert report.check("json").code == "no_baked_credential"


# --- URLs, the API and the command line --------------------------------------------------------------


def test_the_url_of_our_credential_or_hosted_assertion_is_resolved_locally(credential):
    assert credential_verify_raw(raw=identifiers.credential_url(credential.public_id)).summary["format"] == "ob3"
    assert credential_verify_raw(raw=identifiers.credential_url(credential.public_id) + "/ob2").valid


def test_a_foreign_url_is_fetched_and_one_that_cannot_be_had_says_why(db):
    """Foreign URLs are fetched (SSRF-safe, see test_verify_api_forms.py); here the name does not resolve."""
    report = credential_verify_raw(raw="https://badges.other-city.example/assertions/42")
    assert report.check("json").code == "fetch_dns_failed" and not report.valid


def test_an_unknown_url_of_ours_is_not_fetched_and_is_unverifiable_not_invalid(db):
    report = credential_verify_raw(raw="https://badges.example.test/credentials/not-a-credential")
    assert report.status == "unverifiable" and report.check("json").code == "not_fetched"


@pytest.mark.parametrize(("suffix", "content_type"), [
    ("/baked.png", "image/png"), ("/baked.svg", "image/svg+xml"), ("/ob2/baked.png", "image/png"),
    ("/ob2.jws", "application/jwt"), ("/ob2.jws", "text/plain"), ("/ob2.jws", "application/jose"),
    ("/ob2", "application/ld+json"), ("/credential.json", "application/json"),
])
def test_the_verification_api_takes_each_format_by_content_type(client, credential, suffix, content_type):
    body = fetch(client, credential, suffix)
    response = client.post("/api/v1/verify", data=body, content_type=content_type)
    assert response.status_code == 200
    assert response.json()["valid"] is True, response.json()
    services.credential_revoke(credential=credential, reason="Erreur", actor=SYSTEM)
    answer = client.post("/api/v1/verify", data=body, content_type=content_type).json()
    assert answer["status"] == "revoked"


@pytest.mark.parametrize(("suffix", "name"), [("/baked.png", "badge.png"), ("/baked.svg", "badge.svg"),
                                              ("/ob2/baked.png", "badge-ob2.png"), ("/ob2.jws", "badge.jws")])
def test_verify_credential_accepts_baked_images_and_jws_files(client, credential, tmp_path, suffix, name):
    path = tmp_path / name
    path.write_bytes(fetch(client, credential, suffix))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_credential", str(path), stdout=out)
    assert exit_.value.code == 0, out.getvalue()
    assert json.loads(out.getvalue())["valid"] is True
    services.credential_revoke(credential=credential, reason="Erreur", actor=SYSTEM)
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_credential", str(path), stdout=StringIO())
    assert exit_.value.code == 1
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_credential", str(tmp_path / "broken.png"), stdout=StringIO())
    assert exit_.value.code == 2
