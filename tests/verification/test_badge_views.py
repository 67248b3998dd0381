"""The public files next to a credential (exact URLs other tools rely on) and the documents they cite."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from PIL import Image

from badges_service.openbadges import bitstring_status_list as bsl
from issuers import ob2, services
from issuers.permissions import SYSTEM

from .pdf_text import pdf_text


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("suffix", "content_type"), [
    ("/ob2", "application/ld+json; charset=utf-8"), ("/ob2.jws", "application/jose"),
    ("/baked.png", "image/png"), ("/baked.svg", "image/svg+xml"), ("/ob2/baked.png", "image/png"),
    ("/qr.png", "image/png"), ("/certificate.pdf", "application/pdf"),
])
def test_every_url_next_to_a_credential_answers_with_its_type(client, credential, suffix, content_type):
    response = client.get(f"/credentials/{credential.public_id}{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert client.get(f"/credentials/{uuid.uuid4()}{suffix}").status_code == 404


def test_baked_images_are_made_on_first_request_then_served_from_storage(client, credential, settings):
    stored = settings.MEDIA_ROOT / "baked" / str(credential.public_id) / "ob3.png"
    assert not stored.exists()  # issuance never bakes
    first = client.get(f"/credentials/{credential.public_id}/baked.png").content
    assert stored.read_bytes() == first
    stored.write_bytes(first + b"")  # unchanged bytes, new mtime: still served from storage
    assert client.get(f"/credentials/{credential.public_id}/baked.png").content == first
    assert Image.open(io.BytesIO(first)).size == (512, 512)


def test_an_svg_file_is_served_with_a_sandboxing_policy(client, credential):
    response = client.get(f"/credentials/{credential.public_id}/baked.svg")
    assert "sandbox" in response["Content-Security-Policy"] and "<script" not in response.content.decode()


def test_the_qr_code_is_a_square_png(client, credential):
    image = Image.open(io.BytesIO(client.get(f"/credentials/{credential.public_id}/qr.png").content))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 250


def test_the_certificate_is_one_a4_page_in_french_never_indexed(client, credential):
    response = client.get(f"/credentials/{credential.public_id}/certificate.pdf")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4 in points
    text = pdf_text(pdf)
    for expected in ("Attestation de badge numérique", "Décerné à", "Camille Dupont", credential.achievement.name,
                     credential.issuer.name, "Vérifier ce badge", str(credential.public_id)):
        assert expected in text, expected
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    text = pdf_text(client.get(f"/credentials/{credential.public_id}/certificate.pdf").content)
    assert "Ce badge a été révoqué par son émetteur le" in text and "Motif : Erreur de saisie" in text


def test_the_status_list_and_ob2_documents_are_published_at_the_urls_the_documents_cite(client, credential):
    document = json.loads(credential.document)
    base = "https://badges.example.test"
    status_list = client.get(document["credentialStatus"]["statusListCredential"].removeprefix(base))
    assert status_list.status_code == 200 and status_list["Content-Type"].startswith("application/vc")
    listed = json.loads(status_list.content)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert len(bsl.decode(listed["credentialSubject"]["encodedList"])) * 8 >= 131_072

    hosted = client.get(f"/credentials/{credential.public_id}/ob2").json()
    badge = client.get(hosted["badge"].removeprefix(base)).json()
    profile = client.get(badge["issuer"].removeprefix(base)).json()
    key = client.get(profile["publicKey"][0].removeprefix(base)).json()
    revocations = client.get(profile["revocationList"].removeprefix(base)).json()
    assert (badge["type"], profile["type"], key["type"], revocations["type"]) == \
        ("BadgeClass", "Issuer", "CryptographicKey", "RevocationList")
    assert key["owner"] == profile["id"] == ob2.profile_url(credential.issuer)
    assert client.get(f"/issuers/{credential.issuer.slug}/status/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/issuers/{credential.issuer.slug}/status/not-a-uuid").status_code == 404
    assert client.get(f"/issuers/{credential.issuer.slug}/ob2/keys/zNope").status_code == 404


def test_the_page_shows_the_qr_code_and_the_downloads(client, credential):
    page = client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT="text/html").content.decode()
    base = f"/credentials/{credential.public_id}"
    assert f'<img src="{base}/qr.png" alt="QR code de l’adresse de cette page"' in page
    for suffix in ("/baked.png", "/baked.svg", "/certificate.pdf", "/ob2/baked.png", "/ob2", "/ob2.jws"):
        assert f'href="{base}{suffix}"' in page, suffix


def test_the_page_says_suspended_with_date_and_reason_then_valid_again(client, credential):
    services.credential_suspend(credential=credential, reason="Vérification en cours", actor=SYSTEM)
    page = client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT="text/html").content.decode()
    assert 'data-status="suspended"' in page
    assert "suspendu par son émetteur le" in page and "Vérification en cours" in page
    services.credential_reinstate(credential=credential, actor=SYSTEM)
    page = client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT="text/html").content.decode()
    assert 'data-status="valid"' in page
