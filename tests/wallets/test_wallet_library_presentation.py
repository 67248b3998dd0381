"""OpenID4VP 1.0 verification from a wallet, driven by the OpenWallet Foundation's ``@openid4vc/openid4vp`` (the
presentation signed by Digital Bazaar's ``@digitalbazaar/vc``), over real HTTP against the live server: a request
made through the API, answered by ``direct_post``, read back from ``GET /api/v1/presentation-requests/<id>``.
Refused: a replayed presentation, a presentation for another request's nonce, a credential that does not satisfy
the query, a revoked credential, someone else's credential."""

from __future__ import annotations

import json
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rest_framework.test import APIClient

from badges_service.openbadges import did_key
from issuers import copies
from issuers import services as issuer_services
from issuers.alignments import alignment_set
from issuers.models import CredentialCopy
from issuers.permissions import SYSTEM
from tests.interop.node import node_available, run_node
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.managers.factories import two_directions

pytestmark = [pytest.mark.interop, pytest.mark.skipif(not node_available(), reason="interop/node_modules missing")]


@pytest.fixture
def live(live_server, settings, transactional_db):
    settings.BADGES_PUBLIC_URL = live_server.url
    team = two_directions()
    issuer = IssuerFactory(slug="formation", name="Centre de formation")
    achievement = AchievementFactory(issuer=issuer, slug="accueil-usagers", name="Accueil des usagers")
    alignment_set(achievement=achievement, competency=team.competency("CMP-REL-01"), level=team.level("N2"),
                  actor=SYSTEM)
    award = issuer_services.credential_issue(achievement=achievement,
                                             recipient_email="camille.dupont@ville-exemple.fr", actor=SYSTEM)
    seed = secrets.token_bytes(32)
    holder = did_key.did_key_from_public_key(
        Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw())
    copy = copies.credential_copy_issue(credential=award, holder=holder, format=CredentialCopy.LDP_VC, actor=SYSTEM)
    api = APIClient()
    api.force_authenticate(UserFactory(username="plateforme-recrutement"))
    return {"team": team, "issuer": issuer, "award": award, "seed": seed.hex(), "api": api,
            "credential": json.loads(copy.document)}


def ask(live, **query) -> dict:
    response = live["api"].post("/api/v1/presentation-requests", query, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def outcome(live, made: dict) -> dict:
    return live["api"].get(f"/api/v1/presentation-requests/{made['id']}").json()


def wallet(live, made: dict, **extra) -> dict:
    return run_node("openid4vp_wallet.mjs", {"request_uri": made["request_uri"], "credential": live["credential"],
                                             "seed": live["seed"], **extra})


def test_a_badge_at_the_level_asked_is_accepted(live):
    team = live["team"]
    made = ask(live, competency=team.competency("CMP-REL-01").pk, min_level=team.level("N2").code)
    assert made["request_uri"].startswith("openid4vp://?")
    got = wallet(live, made)
    assert got["client_id"] == made["client_id"] and got["client_id"].startswith("redirect_uri:")
    assert got["dcql"] == made["dcql_query"]
    assert got["posts"] == [{"status": 200, "body": {}}]
    result = outcome(live, made)
    assert result["status"] == "accepted", result
    assert result["result"]["holder"] == live["credential"]["credentialSubject"]["id"]
    assert result["result"]["matched"][0]["id"] == live["credential"]["id"]


def test_any_badge_from_the_issuer_is_accepted(live):
    made = ask(live, issuer="formation")
    assert wallet(live, made)["posts"][0]["status"] == 200
    assert outcome(live, made)["status"] == "accepted"


def test_a_replayed_presentation_is_refused_and_the_outcome_kept(live):
    made = ask(live, issuer="formation")
    posts = wallet(live, made, scenario="replay")["posts"]
    assert posts[0]["status"] == 200
    assert posts[1]["status"] == 400 and posts[1]["body"]["error"] == "invalid_request"
    assert outcome(live, made)["status"] == "accepted"


def test_a_presentation_for_another_requests_nonce_is_refused(live):
    first, second = ask(live, issuer="formation"), ask(live, issuer="formation")
    got = wallet(live, first, scenario="other_request", other_request_uri=second["request_uri"])
    assert got["posts"][0]["status"] == 200
    result = outcome(live, second)
    assert result["status"] == "refused" and "presentation_invalid" in result["result"]["reasons"]
    assert outcome(live, first)["status"] == "pending"


def test_a_badge_below_the_level_asked_is_refused(live):
    team = live["team"]
    made = ask(live, competency=team.competency("CMP-REL-01").pk, min_level=team.level("N3").code)
    wallet(live, made)
    result = outcome(live, made)
    assert result["status"] == "refused" and result["result"]["reasons"] == ["query_not_satisfied"]


def test_a_badge_from_another_issuer_is_refused(live):
    IssuerFactory(slug="autre", name="Une autre direction")
    made = ask(live, issuer="autre")
    wallet(live, made)
    assert outcome(live, made)["result"]["reasons"] == ["query_not_satisfied"]


def test_a_revoked_badge_is_refused(live):
    issuer_services.credential_revoke(credential=live["award"], reason="Délivré par erreur", actor=SYSTEM)
    made = ask(live, issuer="formation")
    wallet(live, made)
    result = outcome(live, made)
    assert result["status"] == "refused" and "presentation_invalid" in result["result"]["reasons"]
    statuses = [c["status"] for c in result["report"]["credential"]["credentials"]]
    assert statuses == ["revoked"]


def test_someone_elses_badge_is_refused(live):
    made = ask(live, issuer="formation")
    wallet(live, made, seed=secrets.token_bytes(32).hex())  # signed by a key that is not the badge's holder
    result = outcome(live, made)
    assert result["status"] == "refused" and "holder_not_subject" in result["result"]["reasons"]
