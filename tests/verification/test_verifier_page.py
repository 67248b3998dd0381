"""/verifier: the page people drop a badge on. A plain multipart form (no JavaScript needed) verified by the same
service, limits and refusals as POST /api/v1/verify, answered with the same human report as a credential page."""

from __future__ import annotations

import io
import json
import re
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from badges_service.openbadges import did_key, vc_jwt
from indicators.models import CredentialUsage
from issuers import identifiers, services
from issuers.permissions import SYSTEM
from tests.issuers.factories import CredentialFactory, PublicCredentialFactory
from tests.openbadges.samples import sample_credential

PAGE = "/verifier"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ours(achievement):
    return PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")


def _status(html: str) -> str:
    found = re.search(r'class="status [^"]*" data-status="([^"]+)"', html)
    return found.group(1) if found else ""


def _post(client, **data):
    return client.post(PAGE, data=data, HTTP_ACCEPT_LANGUAGE="fr")


def test_the_page_is_a_multipart_form_that_works_without_javascript(client, db):
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 200
    form = re.search(r"<form[^>]*data-verifier[^>]*>", html).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form and 'action="/verifier"' in form
    for name in ("file", "url", "credential"):
        assert f'name="{name}"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], "no inline script (a strict CSP is coming)"
    assert '<script src="/static/js/verifier.js" defer>' in html


def test_the_verifier_is_linked_from_the_header_and_the_home_page(client, db):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    header = home.split("</header>")[0]
    assert 'href="/verifier"' in header
    main = home.split('<main')[1].split("</main>")[0]
    assert 'href="/verifier"' in main
    assert 'href="/passeport/"' in main and 'href="/equipe/"' in main and 'href="/frameworks"' in main


def test_a_baked_png_reads_valid_with_the_badge_the_issuer_and_the_recipient(client, ours):
    png = client.get(f"/credentials/{ours.public_id}/baked.png").content
    response = _post(client, file=SimpleUploadedFile("badge.png", png, content_type="image/png"))
    html = response.content.decode()
    assert response.status_code == 200
    assert _status(html) == "valid" and ">Valide</h2>" in html
    assert ours.achievement.name in html and ours.issuer.name in html
    assert "Camille Dupont" in html, "a public badge: the name on record"
    assert f'href="/credentials/{ours.public_id}"' in html, "its verification page"
    assert response["Cache-Control"] == "no-store"
    assert CredentialUsage.objects.filter(credential=ours, kind="verification", channel="page").count() == 1


def test_a_baked_svg_and_the_pasted_json_and_the_json_file_read_valid(client, ours):
    svg = client.get(f"/credentials/{ours.public_id}/baked.svg").content
    assert _status(_post(client, file=SimpleUploadedFile("b.svg", svg, content_type="image/svg+xml"))
                   .content.decode()) == "valid"
    assert _status(_post(client, credential=ours.document).content.decode()) == "valid"
    upload = SimpleUploadedFile("badge.json", ours.document.encode(), content_type="application/json")
    assert _status(_post(client, file=upload).content.decode()) == "valid"


def test_an_ob2_assertion_and_a_vc_jwt_are_reported_too(client, ours):
    hosted = client.get(f"/credentials/{ours.public_id}/ob2").content
    html = _post(client, file=SimpleUploadedFile("a.json", hosted, content_type="application/json")).content.decode()
    assert _status(html) == "valid" and ours.achievement.name in html
    key = Ed25519PrivateKey.generate()
    did = did_key.did_key_from_public_key(key.public_key().public_bytes_raw())
    document = sample_credential(credential_id=f"urn:uuid:{uuid.uuid4()}")
    document["issuer"]["id"] = did
    token = vc_jwt.sign({"vc": document, "iss": did, "jti": document["id"]}, private_key=key, alg="EdDSA",
                        kid=did_key.verification_method_id(did))
    html = _post(client, file=SimpleUploadedFile("b.jwt", token.encode(), content_type="")).content.decode()
    assert _status(html) == "valid", html[html.find("status"):][:800]
    assert document["credentialSubject"]["achievement"]["name"] in html


def test_a_tampered_json_says_the_signature_does_not_match_and_why(client, ours):
    document = json.loads(ours.document)
    document["credentialSubject"]["achievement"]["name"] = "Expertise en tout"
    upload = SimpleUploadedFile("badge.json", json.dumps(document).encode(), content_type="application/json")
    response = _post(client, file=upload)
    html = response.content.decode()
    assert response.status_code == 200
    assert _status(html) == "invalid"
    assert "Signature invalide" in html and "il a pu être" in html
    why = html.split('class="status__why"')[1].split("</div>")[0]
    assert "Signature électronique" in why, "the failed check, named for people"


def test_a_link_to_a_revoked_badge_reads_revoked_with_the_date_and_reason(client, ours):
    services.credential_revoke(credential=ours, reason="Délivré par erreur", actor=SYSTEM)
    html = _post(client, url=identifiers.credential_url(ours.public_id)).content.decode()
    assert _status(html) == "revoked"
    assert "Révoqué" in html and "Délivré par erreur" in html


def test_a_link_to_a_private_badge_reads_like_an_unknown_one(client, achievement):
    private = CredentialFactory(achievement=achievement, recipient_name="Personne Privée")
    unknown = _post(client, url=identifiers.credential_url(uuid.uuid4())).content.decode()
    hidden = _post(client, url=identifiers.credential_url(private.public_id)).content.decode()
    assert "Personne Privée" not in hidden and achievement.name not in hidden.split("<main")[1]
    assert _status(hidden) == _status(unknown) == "unreadable"


def test_a_presented_private_badge_verifies_without_showing_the_name_on_record(client, achievement):
    private = CredentialFactory(achievement=achievement, recipient_name="Personne Privée")
    html = _post(client, credential=private.document).content.decode()
    assert _status(html) == "valid"
    assert "Personne Privée" not in html and "forme protégée" in html


@pytest.mark.parametrize(("data", "status", "words"), [
    ({"file": ("x.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")}, 400, None),
    ({"file": ("pic.png", None, "image/png")}, 400, "aucun badge"),
    ({"credential": "{oops"}, 400, "ni un fichier de badge"),
    ({"file": ("big.png", b"x" * (5 * 1024 * 1024), "image/png")}, 413, "trop volumineux"),
    ({"url": "http://127.0.0.1:9/x"}, 400, "a été refusé"),
])
def test_unreadable_input_gets_the_api_s_status_and_a_reason_in_words(client, db, data, status, words):
    fields = {}
    for name, value in data.items():
        if isinstance(value, tuple):
            filename, content, content_type = value
            if content is None:
                out = io.BytesIO()
                Image.new("RGB", (8, 8), "#123456").save(out, format="PNG")
                content = out.getvalue()
            fields[name] = SimpleUploadedFile(filename, content, content_type=content_type)
        else:
            fields[name] = value
    response = _post(client, **fields)
    html = response.content.decode()
    assert response.status_code == status
    assert _status(html) == "unreadable"
    if words:
        assert words in html


def test_an_empty_form_asks_for_a_file_a_link_or_a_text(client, db):
    response = _post(client)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_form_shares_the_verification_api_s_rate_limit(client, db, settings):
    settings.BADGES_RATE_LIMITS = {**settings.BADGES_RATE_LIMITS, "verify": "2/minute"}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"verifier-{uuid.uuid4()}"}}
    statuses = [_post(client, credential="{}").status_code for _ in range(2)]
    assert 429 not in statuses
    assert client.post("/api/v1/verify", data="{}", content_type="application/json").status_code == 429
    assert _post(client, credential="{}").status_code == 429
    assert client.get(PAGE).status_code == 200, "reading the page is not a verification"


def test_a_tampered_copy_does_not_borrow_the_name_and_page_of_the_genuine_badge(client, ours):
    document = json.loads(ours.document)
    document["credentialSubject"]["achievement"]["name"] = "Expertise en tout"
    html = _post(client, credential=json.dumps(document)).content.decode()
    assert _status(html) == "invalid"
    assert "Camille Dupont" not in html and f'href="/credentials/{ours.public_id}"' not in html
