"""The public pages in a real browser: the system Chromium driven by Playwright.

Phone and desktop widths, no horizontal scrolling, keyboard access, images with text alternatives,
the page working with and without JavaScript. Screenshots land in var/screenshots/.
Nothing is fetched from outside the live server: every other request is aborted and reported.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from issuers import services
from issuers.models import Credential
from issuers.permissions import SYSTEM
from tests.chromium import page_opener, screenshot
from tests.issuers.factories import AchievementFactory, IssuerFactory

pytestmark = pytest.mark.browser

VIEWPORTS = [(320, 640), (375, 812), (1280, 800)]


@pytest.fixture
def site(live_server, settings, transactional_db):
    """Rows whose public URLs point at the live server, so the badge image and the did:web key resolve."""
    settings.BADGES_PUBLIC_URL = live_server.url
    issuer = IssuerFactory(slug="direction-des-ressources-humaines", name="Direction des ressources humaines",
                           description="Formation et accompagnement des agents de la Ville.")
    achievement = AchievementFactory(
        issuer=issuer, slug="accueil-usagers", name="Accueil des usagers et usagères en mairie de quartier",
        criteria_url="https://formation.ville-exemple.fr/accueil",
    )
    AchievementFactory(issuer=issuer, slug="bureautique", name="Bureautique : tableur, niveau Pratique")
    credential = services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                           recipient_name="Camille Dupont", actor=SYSTEM)
    services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)  # the learner shares it
    return {"issuer": issuer, "achievement": achievement, "credential": credential, "url": live_server.url}


@pytest.fixture
def open_page(browser, site):
    """Open a page of the live server in a fresh context; requests elsewhere are aborted and recorded."""
    with page_opener(browser, site["url"], block_outside=True) as opener:
        yield opener
    assert opener.outside == [], "the pages must not fetch anything from outside"



def _fits_the_viewport(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_credential_page_shows_a_valid_badge_without_horizontal_scroll(open_page, site, width, height):
    credential = site["credential"]
    page = open_page(f"/credentials/{credential.public_id}", width=width, height=height)

    assert page.response.status == 200
    assert page.get_by_role("heading", name="Valide", exact=True).is_visible()
    assert _fits_the_viewport(page)
    image = page.locator(".card__image img")
    assert image.get_attribute("alt") == credential.achievement.name
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the badge image loads"
    assert page.get_by_role("link", name="Télécharger le badge (JSON)").is_visible()
    assert "camille.dupont@" not in page.content()
    screenshot(page, "credential", width)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_the_keyboard_reaches_the_skip_link_first_then_the_download_link(open_page, site, width, height):
    page = open_page(f"/credentials/{site['credential'].public_id}", width=width, height=height)

    page.keyboard.press("Tab")
    focused = page.evaluate("({cls: document.activeElement.className, top: document.activeElement"
                            ".getBoundingClientRect().top, outline: getComputedStyle(document.activeElement)"
                            ".outlineStyle})")
    assert focused["cls"] == "skip-link"
    assert focused["top"] >= 0, "the skip link becomes visible when focused"
    assert focused["outline"] != "none", "focus is visible"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu", "the skip link moves focus to the content"

    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "download-link":
            break
    else:
        pytest.fail("Tab never reached the download link")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_the_copy_button_copies_the_page_link(open_page, site):
    page = open_page(f"/credentials/{site['credential'].public_id}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site["url"])

    page.get_by_role("button", name="Copier le lien").click()
    expect(page.locator("#copy-feedback")).not_to_be_empty()  # (wait_for_function evaluates a string: CSP)

    assert page.locator("#copy-feedback").inner_text() == "Lien copié."
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#page-url").input_value()


def test_the_page_works_without_javascript(open_page, site):
    credential = site["credential"]
    page = open_page(f"/credentials/{credential.public_id}", javascript=False)

    assert page.get_by_role("heading", name="Valide", exact=True).is_visible()
    assert page.locator("#page-url").input_value() == f"{site['url']}/credentials/{credential.public_id}"
    assert not page.get_by_role("button", name="Copier le lien").is_visible()
    page.locator("details.checks summary").click()
    assert page.get_by_text("Signature électronique", exact=True).is_visible()

    page.get_by_role("link", name="English").click()  # the language switcher is plain links
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Valid", exact=True).is_visible()
    assert page.evaluate("document.documentElement.lang") == "en"


def test_a_browser_set_to_english_gets_the_page_in_english(open_page, site):
    page = open_page(f"/credentials/{site['credential'].public_id}", locale="en-GB", width=1280, height=800)

    assert page.get_by_role("heading", name="Valid", exact=True).is_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    screenshot(page, "credential-en", 1280)


def _make_revoked(credential):
    services.credential_revoke(credential=credential, reason="Badge délivré par erreur", actor=SYSTEM)
    return credential


def _make_expired(credential):
    issued = timezone.now() - timedelta(days=400)
    expired = services.credential_issue(achievement=credential.achievement, recipient_email="agent@ville-exemple.fr",
                                        recipient_name="Dominique Martin", now=issued,
                                        valid_until=issued + timedelta(days=365), actor=SYSTEM)
    return services.credential_visibility_set(credential=expired, public=True, actor=SYSTEM)


def _make_suspended(credential):
    services.credential_suspend(credential=credential, reason="Vérification en cours", actor=SYSTEM)
    return credential


def _make_tampered(credential):
    document = json.loads(credential.document)
    document["credentialSubject"]["achievement"]["name"] = "Expert en tout"
    Credential.objects.filter(pk=credential.pk).update(document=json.dumps(document, ensure_ascii=False))
    return credential


@pytest.mark.parametrize(("state", "make", "title", "check"), [
    ("revoked", _make_revoked, "Révoqué", "Statut de révocation"),
    ("expired", _make_expired, "Expiré", "Période de validité"),
    ("suspended", _make_suspended, "Suspendu", "Statut de révocation"),
    ("invalid", _make_tampered, "Signature invalide", "Signature électronique"),
])
def test_a_badge_that_is_not_valid_says_so_with_an_icon_and_words(open_page, site, state, make, title, check):
    credential = make(site["credential"])
    page = open_page(f"/credentials/{credential.public_id}", width=375)

    banner = page.locator("[data-status]")
    assert banner.get_attribute("data-status") == state
    assert page.get_by_role("heading", name=title, exact=True).is_visible()
    assert banner.locator("svg").count() == 1
    page.locator("details.checks summary").click()
    failed = page.locator(".check--failed")
    assert failed.count() == 1
    assert check in failed.inner_text() and "Échoué" in failed.inner_text()
    assert _fits_the_viewport(page)
    screenshot(page, f"credential-{state}", 375)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
@pytest.mark.parametrize("name", ["home", "issuer", "achievement", "not-found"])
def test_the_other_public_pages_fit_every_width(open_page, site, name, width, height):
    path = {"home": "/", "issuer": f"/issuers/{site['issuer'].slug}",
            "achievement": f"/achievements/{site['achievement'].slug}", "not-found": "/credentials/inconnu"}[name]

    page = open_page(path, width=width, height=height)

    assert page.response.status == (404 if name == "not-found" else 200)
    assert page.locator("h1").count() == 1 and page.locator("h1").is_visible()
    assert _fits_the_viewport(page)
    assert page.evaluate("[...document.images].every(img => img.hasAttribute('alt'))")
    # Images below the fold load lazily (the home's issuers): load them all, as scrolling would.
    page.evaluate("Promise.all([...document.images].map(img => { img.loading = 'eager'; "
                  "return img.decode().catch(() => null); }))")
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    screenshot(page, name, width)


@pytest.mark.parametrize(("width", "height"), [(375, 812), (1280, 800)])
def test_the_page_shows_the_qr_code_of_its_own_address(open_page, site, width, height):
    """The QR code is the one of the page's own URL, loads, has a text alternative and fits a phone."""
    from verification.artefacts import qr_png

    credential = site["credential"]
    page = open_page(f"/credentials/{credential.public_id}", width=width, height=height)
    qr = page.locator(".card__qr img")
    assert qr.is_visible()
    assert qr.get_attribute("alt") == "QR code de l’adresse de cette page"
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    served = page.request.get(site["url"] + qr.get_attribute("src")).body()
    assert served == qr_png(f"{site['url']}/credentials/{credential.public_id}")
    assert page.get_by_role("link", name="Imprimer l’attestation (PDF)").is_visible()
    assert _fits_the_viewport(page)
    screenshot(page, "credential-qr", width)
