"""axe-core in the system Chromium on the main pages, at phone and desktop widths, and no sideways scrolling.

axe-core (interop/node_modules/axe-core, pinned in interop/package.json) runs inside the page with the WCAG 2.0
and 2.1 level A and AA rules; any violation, whatever its impact, fails. Screenshots at 375 and 1280 px land in
var/screenshots/ (git-ignored) so people can look at them.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from competencies.interchange.case import case_id
from issuers import services
from issuers.alignments import alignment_set
from issuers.permissions import SYSTEM
from learners import services as learner_services
from tests.chromium import axe_violations, page_opener, screenshot
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.managers.factories import two_directions

pytestmark = pytest.mark.browser

WIDTHS = [(375, 812), (1280, 800)]


@pytest.fixture
def site(live_server, settings, transactional_db):
    """An issuer, aligned achievements, a valid and a revoked credential, a framework, a manager's team, and the
    account of one of its agents (Camille Martin, whose passport is shown)."""
    settings.BADGES_PUBLIC_URL = live_server.url
    team = two_directions()
    issuer = IssuerFactory(slug="direction-des-ressources-humaines", name="Direction des ressources humaines",
                           description="Formation et accompagnement des agents de la Ville.")
    achievement = AchievementFactory(issuer=issuer, slug="accueil-usagers",
                                     name="Accueil des usagers et usagères en mairie de quartier",
                                     criteria_url="https://formation.ville-exemple.fr/accueil")
    alignment_set(achievement=achievement, competency=team.competency("CMP-REL-01"), level=team.level("N2"),
                  actor=SYSTEM)
    valid = services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                      recipient_name="Camille Dupont", actor=SYSTEM)
    revoked = services.credential_issue(achievement=achievement, recipient_email="dominique@ville-exemple.fr",
                                        recipient_name="Dominique Martin", actor=SYSTEM)
    services.credential_revoke(credential=revoked, reason="Badge délivré par erreur", actor=SYSTEM)
    for credential in (valid, revoked):  # learners make their badges public; pages of private ones are 404
        services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
    fw = team.framework
    learner = UserFactory(username="camille.martin", email=team.mine.email)
    own_badge = services.credential_issue(achievement=achievement, recipient_email=team.mine.email,
                                          recipient_name=team.mine.display_name, actor=SYSTEM)
    # A verified badge from another administration meets a requirement of Camille's métier (CMP-NUM-01): the
    # passport, its competencies and the team view show it apart.
    facts = learner_services.ForeignBadgeFacts(
        credential_id="https://formation.ministere.example/a/1", format="ob2-hosted", name="Sécurité numérique",
        issuer_name="Ministère de l'Exemple", expires=None,
        alignments=[{"targetCode": case_id(fw.code, "competency", "CMP-NUM-01")}])
    learner_services.foreign_badge_create(user=learner, source="url", original=facts.credential_id, document="{}",
                                          facts=facts, report={"status": "valid", "valid": True},
                                          verified_at=timezone.now())
    sessions = {}
    admin = UserFactory(username="equipe-projet", is_superuser=True, is_staff=True)  # the indicators' reader
    for role, user in (("manager", team.manager_drh), ("learner", learner), ("admin", admin)):
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return {
        "url": live_server.url, "team": team, "sessions": sessions,
        "paths": {
            "home": "/",
            "issuer": f"/issuers/{issuer.slug}",
            "achievement": f"/achievements/{achievement.slug}",
            "credential": f"/credentials/{valid.public_id}",
            "credential-revoked": f"/credentials/{revoked.public_id}",
            "framework": f"/frameworks/{fw.code}/{fw.version}",
            "job": f"/frameworks/{fw.code}/{fw.version}/jobs/MET-ACC-01",
            "competency": f"/frameworks/{fw.code}/{fw.version}/competencies/CMP-REL-01",
            "team": "/equipe/",
            "sign-in": "/comptes/connexion/",
            "passport": "/passeport/",
            "passport-badge": f"/passeport/badges/{own_badge.public_id}/",
            "passport-competencies": "/passeport/competences/",
            "passport-data": "/passeport/mes-donnees/",
            "passport-applications": "/passeport/applications/",
            "indicators": "/indicateurs/",
            "privacy": "/confidentialite/",
            "terms": "/conditions/",
            "verifier": "/verifier",
            "accessibility": "/accessibilite/",
            "notice": "/mentions-legales/",
            "credential-unknown": "/credentials/00000000-0000-4000-8000-000000000000",
        },
    }


@pytest.fixture
def open_page(browser, site):
    """Open a page of the live server in a fresh context (signed in as ``signed_in``: "manager", "learner" or "admin");
    requests to anywhere else are aborted and recorded."""
    with page_opener(browser, site["url"], block_outside=True) as opener:
        def open_as(path: str, *, width: int, height: int, signed_in: str | None = None):
            return opener(path, width=width, height=height,
                          session=site["sessions"][signed_in] if signed_in else None)

        yield open_as
    assert opener.outside == [], "the pages must not fetch anything from outside"



PAGES = ["home", "issuer", "achievement", "credential", "credential-revoked", "framework", "job", "competency", "team",
         "sign-in", "passport", "passport-badge", "passport-competencies", "passport-data", "passport-applications",
         "indicators", "privacy", "terms", "verifier", "accessibility", "notice"]
SIGNED_IN = {"team": "manager", "passport": "learner", "passport-badge": "learner", "passport-competencies": "learner",
             "passport-data": "learner", "passport-applications": "learner", "indicators": "admin"}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_violation_at_phone_and_desktop_widths(open_page, site, name):
    for width, height in WIDTHS:
        page = open_page(site["paths"][name], width=width, height=height, signed_in=SIGNED_IN.get(name))
        assert page.response.status == 200, page.url
        assert page.url == site["url"] + site["paths"][name], "not sent elsewhere (to the sign-in page)"
        screenshot(page, f"a11y-{name}", width)
        assert axe_violations(page) == [], f"{name} at {width} px"


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_at_320_px(open_page, site, name):
    page = open_page(site["paths"][name], width=320, height=640, signed_in=SIGNED_IN.get(name))
    assert page.response.status == 200
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320


def test_the_team_view_with_search_results_and_an_error_has_no_violation(open_page, site):
    """The states the plain page does not show: results of a search, and a refused level."""
    team = site["team"]
    ok = f"/equipe/?competence={team.competency('CMP-REL-01').id}&niveau={team.level('N2').id}"
    refused = f"/equipe/?competence={team.competency('CMP-REL-01').id}&niveau="
    for label, path in (("results", ok), ("error", refused)):
        for width, height in WIDTHS:
            page = open_page(path, width=width, height=height, signed_in="manager")
            screenshot(page, f"a11y-team-{label}", width)
            assert axe_violations(page) == [], f"team {label} at {width} px"
        assert open_page(path, width=320, height=640, signed_in="manager").evaluate(
            "document.scrollingElement.scrollWidth") <= 320


def test_a_manager_searches_a_competency_with_the_keyboard_only(open_page, site):
    team = site["team"]
    page = open_page("/equipe/", width=375, height=812, signed_in="manager")

    competency = page.get_by_label("Compétence", exact=True)
    competency.focus()
    competency.select_option(label="Accueillir le public · Relation aux usagers")  # as arrow keys would
    level = page.get_by_label("Niveau minimum")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "niveau":
            break
    else:
        pytest.fail("Tab never reached the level select")
    level.select_option(label="Pratique")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Rechercher", "the button comes next"
    page.keyboard.press("Enter")
    page.wait_for_url("**/equipe/?*competence=*")  # the list filter (empty) travels with the search

    results = page.locator(".results")
    assert results.get_by_role("heading").inner_text() == \
        "2 agents détiennent « Accueillir le public » au niveau Pratique ou plus"
    assert results.get_by_text(team.mine.display_name).is_visible()
    assert results.get_by_text(team.public.display_name).is_visible()
    assert results.get_by_text(team.other.display_name).count() == 0
    assert page.get_by_label("Compétence", exact=True).input_value() == str(team.competency("CMP-REL-01").id), "kept"
    screenshot(page, "team-search", 375)


def test_choosing_a_competency_leaves_only_its_own_scale_to_pick(open_page, site):
    from competencies.models import Framework, ProficiencyLevel

    pix = Framework.objects.create(code="pix", version="1", title="Pix")
    ProficiencyLevel.objects.create(framework=pix, rank=1, code="1", label="Niveau 1")
    page = open_page("/equipe/", width=1280, height=800, signed_in="manager")

    page.get_by_label("Compétence", exact=True).select_option(label="Accueillir le public · Relation aux usagers")
    disabled = page.evaluate("[...document.querySelectorAll('[data-level-select] optgroup')]"
                             ".map(g => [g.label, g.disabled])")
    assert disabled == [["Pix (1)", True], [f"{site['team'].framework.title} (1.0)", False]]


def test_the_axe_check_does_fail_on_a_page_with_violations(open_page, site):
    """The harness can fail: the home page with an unlabelled field and a low-contrast paragraph added."""
    page = open_page("/", width=375, height=812)
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text"><p>Pâle</p>');
        // Through the CSSOM: a style attribute in markup is refused by the Content-Security-Policy.
        Object.assign(main.lastElementChild.style, {color: '#ccc', background: '#fff'});
    }""")
    assert {v["rule"] for v in axe_violations(page)} >= {"label", "color-contrast"}
