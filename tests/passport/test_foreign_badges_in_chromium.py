"""Mon passeport, Badges obtenus ailleurs, in the system Chromium: the learner adds a Moodle badge by its URL,
sees it verified on its page and apart from the city's badges; a refused one shows its report. Every page
at 375 and 1280 px, without sideways scrolling and without axe-core violations. Screenshots land in
test-artifacts/screenshots/ (passport-foreign-*)."""

from __future__ import annotations

import json

import pytest

from issuers import services
from issuers.models import Issuer
from issuers.permissions import SYSTEM
from learners.models import ForeignBadge
from tests.browser.test_pages_in_chromium import SCREENSHOTS, _fits_the_viewport
from tests.chromium import axe_violations, pages, session_of
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.verification.document_server import DocumentServer
from tests.verification.foreign_ob2 import ForeignPlatforms

pytestmark = pytest.mark.browser
WIDTHS = [(375, 812), (1280, 800)]


@pytest.fixture
def site(live_server, settings, transactional_db, tmp_path):
    settings.BADGES_PUBLIC_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    server = DocumentServer()
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    city = IssuerFactory(slug="ville", name="Ville d'Exemple", kind=Issuer.Kind.CITY)
    direction = IssuerFactory(slug="drh", name="Direction des ressources humaines", parent=city)
    learner = UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")
    achievement = AchievementFactory(issuer=direction, slug="accueil-usagers", name="Accueil des usagers")
    services.credential_issue(achievement=achievement, recipient_email=learner.email, actor=SYSTEM)
    yield {"url": live_server.url, "learner": learner, "platforms": ForeignPlatforms(server)}
    server.close()


@pytest.fixture
def learner_page(browser, site):
    with pages(browser, site["url"], session_of(site["learner"]), bypass_csp=True) as opener:
        yield opener


def _check(page, name: str, width: int) -> None:
    assert page.locator("h1").count() == 1
    assert _fits_the_viewport(page), (name, width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"passport-foreign-{name}-{width}.png"), full_page=True)
    assert axe_violations(page) == [], (name, width)


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_a_learner_adds_a_moodle_badge_by_url_and_sees_it_apart(learner_page, site, width, height):
    assertion = site["platforms"].moodle()
    page = learner_page("/passeport/ailleurs/ajouter", width=width, height=height)
    _check(page, "add", width)
    page.fill("#id_url", assertion["id"])
    page.click("#foreign-submit")
    page.wait_for_selector("#foreign-recheck")
    badge = ForeignBadge.objects.get(user=site["learner"])
    assert page.url.endswith(f"/passeport/ailleurs/{badge.public_id}/")
    assert "Vérifié le" in page.locator(".facts").text_content()
    _check(page, "detail", width)
    page = learner_page("/passeport/", width=width, height=height)
    assert page.locator("#foreign-badges .badge-item").count() == 1
    assert "Ministère de l'Exemple" in page.locator("#foreign-badges").text_content()
    _check(page, "home", width)


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_a_refused_badge_shows_its_report(learner_page, site, width, height, tmp_path):
    assertion = site["platforms"].moodle()
    assertion["badge"]["name"] = "Expert en tout"
    upload = tmp_path / "badge.json"
    upload.write_text(json.dumps(assertion), encoding="utf-8")
    page = learner_page("/passeport/ailleurs/ajouter", width=width, height=height)
    page.set_input_files("#id_file", str(upload))
    page.click("#foreign-submit")
    page.wait_for_selector("#refusal")
    assert "badge.name" in page.locator(".check-list").text_content()
    assert not ForeignBadge.objects.exists()
    page.locator("details.checks > summary").click()
    _check(page, "refused", width)
