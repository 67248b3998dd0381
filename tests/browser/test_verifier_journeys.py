"""Journeys in the system Chromium at 375 and 1280 px, typed and clicked as people do:

1. A recruiter drops a baked PNG on /verifier and reads "Valide"; drops a tampered JSON and reads why it is not;
   pastes the link of a revoked badge and reads "Révoqué" with the reason; the same form works without JavaScript.
2. An agent switches their profile to visible in their passport, and a manager of another direction then finds
   them by competency (and no longer once the agent switches back).

axe-core runs on every result page; screenshots land in var/screenshots/journeys/ (git-ignored).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from issuers import identifiers, services
from issuers.permissions import SYSTEM
from tests.browser import test_journeys as journeys
from tests.chromium import axe_violations

pytestmark = pytest.mark.browser

PHONE, DESKTOP, shoot, sign_in = journeys.PHONE, journeys.DESKTOP, journeys.shoot, journeys.sign_in
site, new_context = journeys.site, journeys.new_context  # the journeys' fixtures: the same people and badges
CONTEXTS = {375: PHONE, 1280: DESKTOP}


def drop_file(page, *, name: str, content: bytes, mime: str) -> None:
    """Drop a file on the verifier's drop zone as a person dragging it from their desktop would."""
    page.evaluate("""([name, b64, mime]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, {type: mime}));
        const zone = document.querySelector('[data-drop-zone]');
        for (const type of ['dragenter', 'dragover', 'drop']) {
            zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
        }
    }""", [name, base64.b64encode(content).decode(), mime])


def status_of(page) -> str:
    return page.locator("#resultat .status").get_attribute("data-status")


@pytest.fixture
def published(site):
    """Camille's badge made public, and a revoked one of another agent, also public."""
    credential = services.credential_visibility_set(credential=site["credential"], public=True, actor=SYSTEM)
    team = site["team"]
    revoked = services.credential_issue(achievement=credential.achievement, recipient_email=team.other.email,
                                        recipient_name=team.other.display_name, actor=SYSTEM)
    services.credential_visibility_set(credential=revoked, public=True, actor=SYSTEM)
    services.credential_revoke(credential=revoked, reason="Délivré par erreur", actor=SYSTEM)
    return {"valid": credential, "revoked": revoked}


@pytest.mark.parametrize("width", [375, 1280])
def test_a_recruiter_drops_a_baked_png_then_a_tampered_json_then_pastes_a_revoked_link(new_context, site,
                                                                                         published, width):
    valid, revoked = published["valid"], published["revoked"]
    png = Client().get(f"/credentials/{valid.public_id}/baked.png").content
    page = new_context(**CONTEXTS[width]).new_page()

    page.goto(site["url"] + "/")
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("link", name="Vérifier un badge").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/verifier"
    page.get_by_text("… ou déposez le fichier ici.").wait_for(state="visible")  # drag and drop, with JavaScript
    assert axe_violations(page) == []
    shoot(page, "verifier-empty")

    with page.expect_navigation():
        drop_file(page, name="badge-camille.png", content=png, mime="image/png")
    assert status_of(page) == "valid"
    assert page.locator("#resultat .status__title").inner_text().strip() == "Valide"
    assert page.locator("#resultat").get_by_text(valid.achievement.name).first.is_visible()
    assert page.locator("#resultat").get_by_text("Camille Martin").is_visible()
    assert page.get_by_text("Le badge a été lu à l’intérieur de l’image PNG.").is_visible()
    assert axe_violations(page) == [], f"valid result at {width} px"
    shoot(page, "verifier-valid-png")

    tampered = json.loads(valid.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Direction générale des services"
    with page.expect_navigation():
        drop_file(page, name="badge.json", content=json.dumps(tampered).encode(), mime="application/json")
    assert status_of(page) == "invalid"
    assert page.locator("#resultat .status__title").inner_text().strip() == "Signature invalide"
    why = page.locator("#resultat .status__why")
    assert why.get_by_text("Signature électronique").is_visible()
    assert page.get_by_text("il a pu être modifié", exact=False).is_visible()
    assert axe_violations(page) == [], f"tampered result at {width} px"
    shoot(page, "verifier-tampered-json")

    page.get_by_label("Ou le lien d’un badge").fill(identifiers.credential_url(revoked.public_id))
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier", exact=True).click()
    assert status_of(page) == "revoked"
    assert page.locator("#resultat .status__title").inner_text().strip() == "Révoqué"
    assert page.locator("#resultat").get_by_text("Motif indiqué : Délivré par erreur").is_visible()
    assert axe_violations(page) == [], f"revoked result at {width} px"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    shoot(page, "verifier-revoked-link")


def test_the_verifier_works_without_javascript(new_context, site, published):
    png = Client().get(f"/credentials/{published['valid'].public_id}/baked.png").content
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(site["url"] + "/verifier")
    assert not page.get_by_text("… ou déposez le fichier ici.").is_visible()
    page.get_by_label("Un fichier de badge").set_input_files(
        files=[{"name": "badge.png", "mimeType": "image/png", "buffer": png}])
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier", exact=True).click()
    assert status_of(page) == "valid"
    shoot(page, "verifier-no-javascript")


def _search(page, site) -> list[str]:
    team = site["team"]
    page.goto(site["url"] + "/equipe/")
    page.get_by_label("Compétence", exact=True).select_option(value=str(team.competency("CMP-REL-01").id))
    page.get_by_label("Niveau minimum").select_option(label="Pratique")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher", exact=True).click()
    return page.locator(".results").inner_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_an_agent_makes_their_profile_visible_and_a_manager_of_another_direction_finds_them(new_context, site,
                                                                                           width):
    team = site["team"]
    manager = new_context(**CONTEXTS[width]).new_page()
    manager.goto(site["url"] + "/equipe/")
    sign_in(manager, team.manager_dsin.username)
    before = _search(manager, site)
    assert team.public.display_name in before and team.mine.display_name not in before

    agent = new_context(**CONTEXTS[width]).new_page()
    agent.goto(site["url"] + "/passeport/competences/")
    sign_in(agent, "camille.martin")
    state = agent.locator("#visibility-state")
    assert state.get_attribute("data-visible") == "0"
    assert axe_violations(agent) == []
    with agent.expect_navigation():
        agent.get_by_role("button", name="Rendre mon profil visible aux autres directions").click()
    assert agent.locator("#visibility-state").get_attribute("data-visible") == "1"
    assert agent.get_by_text("Votre profil est maintenant visible").is_visible()
    assert axe_violations(agent) == [], f"passport profile at {width} px"
    shoot(agent, "passport-profile-visible")

    after = _search(manager, site)
    assert team.mine.display_name in after, "found by a manager of another direction"
    shoot(manager, "team-search-finds-visible-agent")

    with agent.expect_navigation():
        agent.get_by_role("button", name="Ne plus rendre mon profil visible aux autres directions").click()
    assert team.mine.display_name not in _search(manager, site)
