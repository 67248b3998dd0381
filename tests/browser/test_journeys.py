"""End-to-end journeys in the system Chromium, as people live them: typed into forms and clicked, never
``force_login``.

1. A learner signs in, opens "Mon passeport" and a badge, makes it public, copies its share link, goes to
   LinkedIn's add-to-profile form (intercepted: nothing leaves the machine), downloads the baked PNG and the PDF.
2. A visitor opens that link on a phone and sees "Valide"; once the learner makes the badge private again, the
   same link shows the not-found page.
3. A manager signs in and searches a competency with a minimum level in the team view.

Every step's main page is photographed at 375 and 1280 px into var/screenshots/journeys/ (git-ignored).
Requests to any other host than the live server are aborted and reported, except LinkedIn's form, which answers
from the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings

from badges_service.openbadges import baking
from indicators.models import CredentialUsage
from issuers import services
from issuers.alignments import alignment_set
from issuers.models import Credential
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.managers.factories import two_directions

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots" / "journeys"
PASSWORD = "motdepasse-solide-42"  # UserFactory's
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
WIDTHS = (375, 1280)
LINKEDIN = "https://www.linkedin.com/"


@pytest.fixture
def site(live_server, settings, transactional_db, tmp_path):
    """Two directions and their agents; Camille Martin (direction drh, agent d'accueil) has an account and a
    private badge aligned to "Accueillir le public" at "Pratique"; the drh manager has an account too."""
    settings.BADGES_PUBLIC_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path  # baked images are stored on first download
    IssuerFactory(slug="drh", name="Direction des ressources humaines")  # named here, found by two_directions
    IssuerFactory(slug="dsin", name="Direction des systèmes d’information")
    team = two_directions()
    learner = UserFactory(username="camille.martin", email=team.mine.email, first_name="Camille",
                          last_name="Martin")
    achievement = AchievementFactory(issuer=team.drh, slug="accueil-usagers",
                                     name="Accueil des usagers et usagères en mairie de quartier",
                                     criteria_url="https://formation.ville-exemple.fr/accueil")
    alignment_set(achievement=achievement, competency=team.competency("CMP-REL-01"), level=team.level("N2"),
                  actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email=team.mine.email,
                                           recipient_name="Camille Martin", actor=SYSTEM)
    return {"url": live_server.url, "team": team, "learner": learner, "credential": credential}


@pytest.fixture
def new_context(browser, site):
    """A fresh browser context (no cookies) whose requests to other hosts are aborted and recorded; LinkedIn's
    add-to-profile form answers a small page from here and its URLs are recorded."""
    contexts, outside, linkedin = [], [], []
    own = urlsplit(site["url"]).netloc

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc == own:
            route.continue_()
        elif url.startswith(LINKEDIN):
            linkedin.append(url)
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body="<!doctype html><html lang='en'><title>LinkedIn</title><h1>Add certification</h1>")
        else:
            outside.append(url)
            route.abort()

    def opener(**options):
        context = browser.new_context(locale="fr-FR", accept_downloads=True, **options)
        context.route("**/*", guard)
        contexts.append(context)
        return context

    opener.linkedin = linkedin
    yield opener
    for context in contexts:
        context.close()
    assert outside == [], "the journeys must not fetch anything from outside"


def shoot(page, name: str) -> None:
    """The page at 375 and at 1280 px, whole length; the viewport is put back afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": size["height"]})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def fits_the_width(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Type the identifier and password into the local sign-in form and press the button."""
    assert urlsplit(page.url).path == "/comptes/connexion/"
    page.get_by_label("Identifiant", exact=True).press_sequentially(username)
    page.get_by_label("Mot de passe", exact=True).press_sequentially(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter", exact=True).click()


def usage(credential: Credential, kind: str, channel: str) -> int:
    return CredentialUsage.objects.filter(credential=credential, kind=kind, channel=channel).count()


def test_a_learner_shares_and_downloads_a_badge_and_a_visitor_checks_it_on_a_phone(new_context, site):
    credential, url = site["credential"], site["url"]
    page = new_context(**DESKTOP).new_page()
    page.goto(url + "/")

    # Signs in from the header's link, comes back to the page they were on, and opens the passport from the menu.
    page.get_by_role("link", name="Se connecter", exact=True).click()
    shoot(page, "01-sign-in")
    sign_in(page, "camille.martin")
    assert urlsplit(page.url).path == "/"
    page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Mon passeport").click()
    page.wait_for_url("**/passeport/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mes badges"
    assert page.locator(".badge-item").count() == 3
    assert page.locator(".lead").inner_text() == "Vous détenez 3 badges. Aucun n’est public."
    shoot(page, "02-passport")

    # Opens the badge: private by default.
    page.get_by_role("link", name=credential.achievement.name).click()
    page.wait_for_url(f"**/passeport/badges/{credential.public_id}/")
    assert page.locator("#visibility-state").get_attribute("data-public") == "0"
    shoot(page, "03-badge-private")

    # Makes it public.
    page.get_by_role("button", name="Rendre public").click()
    page.wait_for_selector("#make-private")
    assert page.get_by_text("Votre badge est maintenant public").is_visible()
    assert Credential.objects.get(pk=credential.pk).is_public
    shoot(page, "04-badge-public")

    # Copies the share link: the clipboard holds the credential page's URL, and the share is counted once.
    share_link = f"{url}/credentials/{credential.public_id}"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    assert page.get_by_label("Lien vers la page de vérification du badge").input_value() == share_link
    with page.expect_response(lambda r: r.url.endswith("/partager/link") and r.request.method == "POST") as shared:
        page.get_by_role("button", name="Copier le lien").click()
    assert shared.value.json() == {"recorded": True}
    assert page.locator("#copy-feedback").inner_text() == "Lien copié."
    assert page.evaluate("navigator.clipboard.readText()") == share_link
    assert usage(credential, "share", "link") == 1

    # Adds it to LinkedIn: the form is LinkedIn's own, filled with the certification's fields.
    page.get_by_role("button", name="Ajouter à LinkedIn").click()
    page.wait_for_url(f"{LINKEDIN}**")
    assert new_context.linkedin == [page.url]
    target = urlsplit(page.url)
    assert (target.netloc, target.path) == ("www.linkedin.com", "/profile/add")
    fields = {name: values[0] for name, values in parse_qs(target.query).items()}
    issued = credential.issued_at.astimezone()
    assert fields == {"startTask": "CERTIFICATION_NAME", "name": credential.achievement.name,
                      "organizationName": site["team"].drh.name, "issueYear": str(issued.year),
                      "issueMonth": str(issued.month), "certUrl": share_link, "certId": str(credential.public_id)}
    assert usage(credential, "share", "linkedin") == 1
    page.go_back()
    page.wait_for_url(f"**/passeport/badges/{credential.public_id}/**")

    # Downloads the baked PNG (it carries the signed credential, byte for byte) and the PDF certificate.
    with page.expect_download() as png:
        page.get_by_role("link", name="Image du badge (PNG)").click()
    assert png.value.suggested_filename == f"badge-{credential.public_id}.png"
    baked = baking.unbake(Path(png.value.path()).read_bytes())
    assert baked is not None and baked.version == "3.0"
    assert json.loads(baked.text) == json.loads(credential.document)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Attestation imprimable (PDF)").click()
    assert pdf.value.suggested_filename == f"attestation-{credential.public_id}.pdf"
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF-")
    assert (usage(credential, "download", "png"), usage(credential, "download", "pdf")) == (1, 1)

    page.reload()
    assert sorted(page.locator("#usage li").all_inner_texts()) == [
        "Ajouté à LinkedIn : 1", "Attestation téléchargée : 1", "Lien copié : 1", "Téléchargé en PNG : 1"]
    shoot(page, "05-badge-shared")

    # A visitor opens the link on a phone, in a browser of their own: the badge is valid, and fits the screen.
    visitor = new_context(**PHONE).new_page()
    response = visitor.goto(share_link)
    assert response.status == 200
    assert visitor.get_by_role("heading", name="Valide", exact=True).is_visible()
    assert visitor.get_by_role("heading", name=credential.achievement.name, exact=True).is_visible()
    assert site["learner"].email not in visitor.content()
    assert fits_the_width(visitor)
    shoot(visitor, "06-visitor-valid")

    # The learner makes the badge private again: the same link now shows the not-found page.
    page.get_by_role("button", name="Rendre privé").click()
    page.wait_for_selector("#make-public")
    response = visitor.reload()
    assert response.status == 404
    assert visitor.get_by_role("heading", level=1).inner_text() == "Ce badge est introuvable ou n’est pas public"
    assert visitor.get_by_role("heading", name="Valide", exact=True).count() == 0
    assert credential.achievement.name not in visitor.content()
    assert fits_the_width(visitor)
    shoot(visitor, "07-visitor-private")


def test_a_manager_signs_in_and_finds_agents_by_competency_and_minimum_level(new_context, site):
    team = site["team"]
    page = new_context(**DESKTOP).new_page()

    page.goto(site["url"] + "/equipe/")  # sent to the sign-in form, and back to the team view afterwards
    sign_in(page, "manager-drh")
    assert urlsplit(page.url).path == "/equipe/"
    assert page.get_by_role("heading", level=1).inner_text() == "Mon équipe"
    assert page.locator(".lead").inner_text() == "Direction : Direction des ressources humaines"
    shoot(page, "08-team")

    page.get_by_label("Compétence", exact=True).select_option(label="Accueillir le public · Relation aux usagers")
    page.get_by_label("Niveau minimum").select_option(label="Maîtrise")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()

    results = page.locator(".results")
    assert results.get_by_role("heading").inner_text() == \
        "2 agents détiennent « Accueillir le public » au niveau Maîtrise ou plus"
    assert sorted(results.locator(".result__name").all_inner_texts()) == \
        sorted([team.mine.display_name, team.public.display_name])
    assert team.other.display_name not in results.inner_text(), "another direction's hidden profile stays hidden"
    assert team.other.display_name not in page.content()
    assert fits_the_width(page)
    shoot(page, "09-team-search")

    # One level higher, nobody holds it.
    page.get_by_label("Niveau minimum").select_option(label="Expertise")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    assert page.locator(".results").get_by_role("heading").inner_text() == \
        "0 agent détient « Accueillir le public » au niveau Expertise ou plus"
