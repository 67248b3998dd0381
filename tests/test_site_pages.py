"""What every visitor meets around the pages: the footer's links, the legal pages, the accessibility statement's
measured state, the favicon and touch icons, and trailing-slash variants of URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from badges_service.urls import AXE_CORE_VERSION


@pytest.mark.parametrize(("path", "target"), [
    ("/frameworks/", "/frameworks"),
    ("/verifier/", "/verifier"),
    ("/credentials/5f0c6d1e-3b5e-4a51-9a4e-0c1f6f3b2a11/?a=1", "/credentials/5f0c6d1e-3b5e-4a51-9a4e-0c1f6f3b2a11?a=1"),
    ("/mentions-legales", "/mentions-legales/"),  # Django's APPEND_SLASH, the other way round
])
def test_trailing_slash_variants_redirect_to_the_canonical_url(client, db, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target


def test_a_path_that_exists_nowhere_stays_a_404_and_a_post_is_not_redirected(client, db):
    assert client.get("/nowhere/").status_code == 404
    assert client.post("/verifier/").status_code == 404


def test_the_favicon_and_touch_icons_are_served(client, db):
    assert client.get("/favicon.ico")["Location"].endswith("/static/favicon.ico")
    assert client.get("/apple-touch-icon.png")["Location"].endswith("/static/icons/apple-touch-icon.png")
    head = client.get("/").content.decode().split("</head>")[0]
    assert 'rel="icon"' in head and 'rel="apple-touch-icon"' in head
    static = Path(settings.BASE_DIR) / "static"
    assert (static / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (static / "icons" / "apple-touch-icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_footer_leads_to_the_legal_pages_the_frameworks_and_the_api(client, db):
    footer = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode().split('<footer')[1]
    for href, words in (("/mentions-legales/", "Mentions légales"), ("/accessibilite/", "Accessibilité"),
                        ("/confidentialite/", "Données personnelles"), ("/conditions/", "Conditions"),
                        ("/mentions-legales/#contact", "Contact"), ("/frameworks", "Référentiels"),
                        ("/api/docs/", "API"), ("/verifier", "Vérifier un badge")):
        assert re.search(rf'<a href="{re.escape(href)}">[^<]*{words}', footer), href
    for href in ("/mentions-legales/", "/accessibilite/", "/confidentialite/", "/conditions/"):
        assert client.get(href).status_code == 200


def test_the_accessibility_statement_follows_the_rgaa_form_and_reports_the_axe_core_in_use(client, db):
    html = client.get("/accessibilite/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for heading in ("État de conformité", "Résultats des tests", "Contenus non accessibles",
                    "Établissement de cette déclaration", "Retour d’information et contact", "Voies de recours"):
        assert f">{heading}" in html, heading
    assert "non conforme" in html, "no complete audit yet: the RGAA requires this state"
    pinned = json.loads((Path(settings.BASE_DIR) / "interop" / "package.json").read_text())["dependencies"]
    assert pinned["axe-core"] == AXE_CORE_VERSION, "the statement names the axe-core the tests run"
    assert f"axe-core version {AXE_CORE_VERSION}" in html


def test_the_legal_notice_names_the_publisher_and_a_contact(client, db, settings):
    settings.BADGES_CONTACT_EMAIL = "contact@ville.test"
    html = client.get("/mentions-legales/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert settings.BADGES_PUBLISHER in html and 'href="mailto:contact@ville.test"' in html
    assert 'id="contact"' in html
