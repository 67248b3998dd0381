"""Mon passeport → "Ajouter à mon portefeuille": the learner's own badge only, a fresh offer on each POST shown once
(QR code, link, transaction code), never cached, refused for a revoked badge."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from issuers import services as issuer_services
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, UserFactory
from wallets.models import CredentialOffer

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")


@pytest.fixture
def award(learner):
    return issuer_services.credential_issue(achievement=AchievementFactory(name="Accueil des usagers"),
                                            recipient_email=learner.email, actor=SYSTEM)


def url(award) -> str:
    return f"/passeport/badges/{award.public_id}/portefeuille/"


def test_the_badge_page_links_to_the_wallet_page(client, learner, award):
    client.force_login(learner)
    page = client.get(f"/passeport/badges/{award.public_id}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'href="{url(award)}"' in page and "Ajouter à mon portefeuille" in page


def test_the_page_needs_sign_in_and_the_badge_of_the_learner(client, learner, award):
    assert client.get(url(award)).status_code == 302
    client.force_login(UserFactory(username="autre"))
    assert client.get(url(award)).status_code == 404
    assert client.post(url(award), {"device": "other"}).status_code == 404
    assert not CredentialOffer.objects.exists()


def test_a_cross_device_offer_shows_a_qr_code_a_link_and_the_transaction_code(client, learner, award):
    client.force_login(learner)
    response = client.post(url(award), {"device": "other"}, HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert 'src="data:image/png;base64,' in page
    tx_code = re.search(r'id="tx-code"[^>]*>(\d{6})<', page).group(1)
    link = html.unescape(re.search(r'id="offer-link" href="([^"]+)"', page).group(1))
    assert link.startswith("openid-credential-offer://?credential_offer=")
    assert "tx_code" in parse_qs(urlsplit(link).query)["credential_offer"][0]
    assert tx_code not in link
    offer = CredentialOffer.objects.get()
    assert offer.learner == learner and offer.tx_code_digest


def test_a_same_device_offer_has_no_transaction_code(client, learner, award):
    client.force_login(learner)
    page = client.post(url(award), {"device": "same"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="tx-code"' not in page and 'id="offer-link"' in page
    assert CredentialOffer.objects.get().tx_code_digest == ""


def test_each_post_makes_a_new_offer(client, learner, award):
    client.force_login(learner)
    client.post(url(award), {"device": "other"})
    client.post(url(award), {"device": "other"})
    assert CredentialOffer.objects.count() == 2


def test_a_revoked_badge_is_refused_with_a_message(client, learner, award):
    issuer_services.credential_revoke(credential=award, reason="Erreur", actor=SYSTEM)
    client.force_login(learner)
    response = client.post(url(award), {"device": "other"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "This badge was revoked" in response.content.decode()
    assert not CredentialOffer.objects.exists()
