"""The learner space in the system Chromium: a signed-in learner opens a badge, makes it public, copies its link
(the share is counted), downloads it; the pages fit a 320 px phone and a desktop. Screenshots land in
test-artifacts/screenshots/ (passport-*)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from indicators.models import CredentialUsage
from issuers import services
from issuers.models import Credential, Issuer
from issuers.permissions import SYSTEM
from tests.browser.test_pages_in_chromium import SCREENSHOTS, _fits_the_viewport
from tests.chromium import pages, session_of
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, settings, transactional_db, tmp_path):
    settings.BADGES_PUBLIC_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    city = IssuerFactory(slug="ville", name="Ville d'Exemple", kind=Issuer.Kind.CITY)
    direction = IssuerFactory(slug="drh", name="Direction des ressources humaines", parent=city)
    learner = UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")
    achievement = AchievementFactory(issuer=direction, slug="accueil-usagers",
                                     name="Accueil des usagers et usagères en mairie de quartier")
    credential = services.credential_issue(achievement=achievement, recipient_email=learner.email, actor=SYSTEM)
    return {"url": live_server.url, "learner": learner, "credential": credential}


@pytest.fixture
def learner_page(browser, site):
    with pages(browser, site["url"], session_of(site["learner"]), permissions=("clipboard-read", "clipboard-write"),
               accept_downloads=True) as opener:
        yield opener


@pytest.mark.parametrize("width,height", [(320, 640), (1280, 800)])
def test_the_passport_pages_fit_the_screen(learner_page, site, width, height):
    credential = site["credential"]
    for name, path in [("home", "/passeport/"), ("badge", f"/passeport/badges/{credential.public_id}/"),
                       ("data", "/passeport/mes-donnees/")]:
        page = learner_page(path, width=width, height=height)
        assert page.locator("h1").count() == 1
        assert _fits_the_viewport(page), (name, width)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"passport-{name}-{width}.png"), full_page=True)


def test_a_learner_makes_a_badge_public_shares_and_downloads_it(learner_page, site):
    credential = site["credential"]
    page = learner_page(f"/passeport/badges/{credential.public_id}/")
    page.click("#make-public")
    page.wait_for_selector("#make-private")
    assert Credential.objects.get(pk=credential.pk).is_public

    page.click("#copy-link")
    expect(page.locator("#copy-feedback")).not_to_be_empty()  # (wait_for_function evaluates a string: CSP)
    assert page.locator("#copy-feedback").text_content() == "Lien copié."
    assert page.evaluate("navigator.clipboard.readText()") == f"{site['url']}/credentials/{credential.public_id}"
    for _ in range(50):
        if CredentialUsage.objects.filter(credential=credential, kind="share", channel="link").exists():
            break
        page.wait_for_timeout(100)
    assert CredentialUsage.objects.filter(credential=credential, kind="share", channel="link").count() == 1

    with page.expect_download() as download:
        page.click("#download-png")
    assert download.value.suggested_filename == f"badge-{credential.public_id}.png"
    assert CredentialUsage.objects.filter(credential=credential, kind="download", channel="png").count() == 1
