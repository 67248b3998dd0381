"""The verifier's pages in the system Chromium: the request form, the QR code while it waits, the accepted and
refused results; axe-core finds no WCAG 2.1 A/AA violation at 375 and 1280 px. Screenshots land in
var/screenshots/ (presentation-*)."""

from __future__ import annotations

import json
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import did_key, eddsa_rdfc_2022
from issuers import copies, services
from issuers.alignments import alignment_set
from issuers.models import CredentialCopy
from issuers.permissions import SYSTEM
from tests.browser.test_accessibility import SCREENSHOTS
from tests.chromium import axe_violations, pages, session_of
from tests.issuers.factories import AchievementFactory, IssuerFactory
from tests.managers.factories import two_directions
from wallets import presentations

pytestmark = pytest.mark.browser


def _answer(made, credential: dict, private: Ed25519PrivateKey) -> None:
    """What a wallet posts: a presentation signed by the holder for this request (our own signer: the wallet
    library's run is in test_wallet_library_presentation)."""
    did = did_key.did_key_from_public_key(private.public_key().public_bytes_raw())
    presentation = eddsa_rdfc_2022.proof_create(
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"], "holder": did,
         "verifiableCredential": [credential]},
        private_key=private, verification_method=did_key.verification_method_id(did), created="2026-12-03T10:00:00Z",
        proof_purpose="authentication", extra={"challenge": made.nonce, "domain": presentations.client_id(made)})
    presentations.response_receive(public_id=str(made.public_id), vp_token=json.dumps({"badge": [presentation]}),
                                   state=made.state)


@pytest.fixture
def site(live_server, settings, transactional_db):
    settings.BADGES_PUBLIC_URL = live_server.url
    team = two_directions()
    issuer = IssuerFactory(slug="formation", name="Centre de formation de la Ville")
    achievement = AchievementFactory(issuer=issuer, slug="accueil-usagers",
                                     name="Accueil des usagers et usagères en mairie de quartier")
    alignment_set(achievement=achievement, competency=team.competency("CMP-REL-01"), level=team.level("N2"),
                  actor=SYSTEM)
    award = services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                      actor=SYSTEM)
    private = Ed25519PrivateKey.from_private_bytes(secrets.token_bytes(32))
    holder = did_key.did_key_from_public_key(private.public_key().public_bytes_raw())
    credential = json.loads(copies.credential_copy_issue(credential=award, holder=holder,
                                                         format=CredentialCopy.LDP_VC, actor=SYSTEM).document)
    manager = team.manager_drh
    accepted = presentations.request_create(requester=manager, competency=team.competency("CMP-REL-01"),
                                            min_level=team.level("N2"))
    _answer(accepted, credential, private)
    refused = presentations.request_create(requester=manager, competency=team.competency("CMP-REL-01"),
                                           min_level=team.level("N3"))
    _answer(refused, credential, private)
    pending = presentations.request_create(requester=manager, issuer=issuer)
    return {"url": live_server.url, "session": session_of(manager),
            "paths": {"new": "/equipe/presentations/", "pending": f"/equipe/presentations/{pending.public_id}/",
                      "accepted": f"/equipe/presentations/{accepted.public_id}/",
                      "refused": f"/equipe/presentations/{refused.public_id}/"}}


@pytest.fixture
def open_page(browser, site):
    with pages(browser, site["url"], site["session"], bypass_csp=True) as opener:
        yield opener


@pytest.mark.parametrize("name", ["new", "pending", "accepted", "refused"])
def test_the_verifier_pages_pass_axe_at_phone_and_desktop_widths(open_page, site, name):
    for width, height in [(375, 812), (1280, 900)]:
        page = open_page(site["paths"][name], width=width, height=height)
        if name in ("accepted", "refused"):
            assert page.locator("#outcome").get_attribute("data-status") == name
        if name == "pending":
            assert page.locator("#request-qr").evaluate("img => img.naturalWidth > 0")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"presentation-{name}-{width}.png"), full_page=True)
        assert axe_violations(page) == [], f"{name} at {width} px"
        assert open_page(site["paths"][name], width=320, height=640).evaluate(
            "document.scrollingElement.scrollWidth") <= 320
