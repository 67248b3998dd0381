"""Sign-in and the account menu in the system Chromium: keyboard only, 320 px wide, axe-core with an error shown.
Screenshots land in var/screenshots/ (git-ignored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.browser.test_pages_in_chromium import CHROMIUM, CHROMIUM_ARGS, _unavailable
from tests.issuers.factories import UserFactory

pytestmark = pytest.mark.browser

AXE = Path(django_settings.BASE_DIR) / "interop" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "motdepasse-solide-42"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ORM calls between browser actions stay synchronous
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_at(browser, live_server):
    contexts = []

    def opener(width: int, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


def _screenshot(page, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def _axe_violations(page) -> list:
    if not AXE.exists():
        _unavailable(f"{AXE} is missing (cd interop && npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_a_person_signs_in_with_the_keyboard_only_on_a_phone(page_at, live_server, transactional_db):
    UserFactory(username="camille", first_name="Camille", last_name="Dupont", is_superuser=True, is_staff=True)
    page = page_at(320, 640)
    page.goto(f"{live_server.url}/comptes/connexion/?next=/")

    page.keyboard.press("Tab")  # skip link
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
        if focused[-1] == "id_username":
            break
    assert focused[-1] == "id_username", focused
    page.keyboard.type("camille")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    nav = page.locator("nav.account-nav")
    assert "Camille Dupont" in nav.inner_text()
    for label in ("Mon passeport", "Indicateurs", "Administration", "Se déconnecter"):
        assert nav.get_by_text(label).is_visible(), label
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    _screenshot(page, "account-menu-superuser", 320)

    page.get_by_role("button", name="Se déconnecter").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("a.account-nav__signin").is_visible()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_sign_in_page_with_an_error_has_no_axe_violation(page_at, live_server, transactional_db, width):
    page = page_at(width)
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.fill("#id_username", "camille")
    page.fill("#id_password", "pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("#signin-errors")

    assert page.get_by_role("alert").inner_text().startswith("Identifiant ou mot de passe incorrect")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    _screenshot(page, "sign-in-error", width)
    assert _axe_violations(page) == []
