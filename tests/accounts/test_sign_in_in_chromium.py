"""Sign-in and the account menu in the system Chromium: keyboard only, 320 px wide, axe-core with an error shown.
Screenshots land in var/screenshots/ (git-ignored)."""

from __future__ import annotations

import pytest

from tests.chromium import axe_violations, screenshot
from tests.issuers.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "motdepasse-solide-42"


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



def test_a_person_signs_in_with_the_keyboard_only_on_a_phone(page_at, live_server, transactional_db):
    UserFactory(username="camille", first_name="Camille", last_name="Dupont", is_superuser=True, is_staff=True)
    page = page_at(320, 640)
    page.goto(f"{live_server.url}/comptes/connexion/?next=/")

    page.keyboard.press("Tab")  # skip link
    focused = []
    for _ in range(30):  # around the page: the form, the footer's links, then the header
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
    screenshot(page, "account-menu-superuser", 320)

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
    screenshot(page, "sign-in-error", width)
    assert axe_violations(page) == []
