"""Mon passeport → "Ajouter à mon portefeuille" in the system Chromium: the learner asks for a QR code, sees it with
its transaction code and the same-device link; axe-core finds no WCAG 2.1 A/AA violation at 375 and 1280 px, nothing
scrolls sideways at 320 px. Screenshots land in var/screenshots/ (wallet-offer-*)."""

from __future__ import annotations

import re

import pytest

from issuers import services
from issuers.permissions import SYSTEM
from tests.browser.test_accessibility import SCREENSHOTS
from tests.chromium import axe_violations, pages, session_of
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory
from wallets.models import CredentialOffer

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, settings, transactional_db):
    settings.BADGES_PUBLIC_URL = live_server.url
    issuer = IssuerFactory(slug="drh", name="Direction des ressources humaines")
    achievement = AchievementFactory(issuer=issuer, slug="accueil-usagers",
                                     name="Accueil des usagers et usagères en mairie de quartier")
    learner = UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")
    credential = services.credential_issue(achievement=achievement, recipient_email=learner.email, actor=SYSTEM)
    return {"url": live_server.url, "credential": credential, "session": session_of(learner)}


@pytest.fixture
def open_page(browser, site):
    with pages(browser, site["url"], site["session"], bypass_csp=True) as opener:
        yield opener


@pytest.mark.parametrize("width,height", [(375, 812), (1280, 900)])
def test_the_offer_page_shows_a_qr_code_and_its_code_and_passes_axe(open_page, site, width, height):
    page = open_page(f"/passeport/badges/{site['credential'].public_id}/", width=width, height=height)
    page.click("#add-to-wallet")
    page.wait_for_selector("#offer-other-device")
    assert axe_violations(page) == [], f"explanation page at {width} px"
    page.click("#offer-other-device")
    page.wait_for_selector("#offer-qr")
    assert re.fullmatch(r"\d{6}", page.locator("#tx-code").inner_text())
    assert page.locator("#offer-qr").evaluate("img => img.naturalWidth > 0 && img.complete")
    assert page.locator("#offer-link").get_attribute("href").startswith("openid-credential-offer://?")
    assert CredentialOffer.objects.count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"wallet-offer-{width}.png"), full_page=True)
    assert axe_violations(page) == [], f"offer at {width} px"


def test_the_offer_page_does_not_scroll_sideways_at_320_px(open_page, site):
    page = open_page(f"/passeport/badges/{site['credential'].public_id}/portefeuille/", width=320, height=640)
    page.click("#offer-other-device")
    page.wait_for_selector("#offer-qr")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
