"""The issuer staff API over real HTTP requests (Django test client): issuance, revocation, edits, rights."""

import json

import pytest

from issuers.models import Credential
from tests.issuers.factories import (
    AchievementFactory,
    CredentialFactory,
    PublicCredentialFactory,
)


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_issuing_through_the_api_returns_201_and_the_signed_credential(staff_client):
    client, drh, _ = staff_client
    AchievementFactory(issuer=drh, slug="accueil")
    response = _post(client, "/api/v1/credentials", {"achievement": "accueil", "recipient_email": "a@ville.fr"})
    assert response.status_code == 201
    body = response.json()
    assert body["credential"]["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert body["id"] == body["credential"]["id"]


def test_issuing_for_another_issuer_is_403_with_a_code_and_stores_nothing(staff_client):
    client, _, dsin = staff_client
    AchievementFactory(issuer=dsin, slug="cyber")
    response = _post(client, "/api/v1/credentials", {"achievement": "cyber", "recipient_email": "a@ville.fr"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Credential.objects.exists()


def test_revoking_another_issuers_credential_is_403(staff_client):
    client, _, dsin = staff_client
    # Public, so the staff member can know it exists: the refusal is about rights (a private one is 404).
    credential = PublicCredentialFactory(achievement=AchievementFactory(issuer=dsin))
    response = _post(client, f"/api/v1/credentials/{credential.public_id}/revoke", {"reason": "x"})
    assert response.status_code == 403
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_revoking_an_own_credential_works_once(staff_client):
    client, drh, _ = staff_client
    credential = CredentialFactory(achievement=AchievementFactory(issuer=drh))
    url = f"/api/v1/credentials/{credential.public_id}/revoke"
    assert _post(client, url, {"reason": "Délivré par erreur"}).status_code == 200
    second = _post(client, url, {"reason": "encore"})
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_revoked"


def test_editing_another_issuers_achievement_is_403(staff_client):
    client, _, dsin = staff_client
    AchievementFactory(issuer=dsin, slug="cyber")
    response = client.patch("/api/v1/achievements/cyber", data=json.dumps({"name": "x"}),
                            content_type="application/json")
    assert response.status_code == 403


def test_creating_an_achievement_for_the_own_issuer(staff_client):
    client, drh, _ = staff_client
    response = _post(client, "/api/v1/issuers/drh/achievements", {
        "slug": "tableur", "name": "Tableur", "description": "Formules", "criteria_narrative": "Quiz réussi",
        "achievement_type": "Competency", "tags": ["bureautique"]})
    assert response.status_code == 201, response.content
    assert response.json()["id"].endswith("/achievements/tableur")


@pytest.mark.parametrize("payload, field", [
    ({"recipient_email": "a@ville.fr"}, "achievement"),
    ({"achievement": "accueil", "recipient_email": "pas un email"}, "recipient_email"),
    ({"achievement": "accueil", "recipient_email": "a@ville.fr", "valid_until": "demain"}, "valid_until"),
])
def test_bad_input_is_400_with_field_errors(staff_client, payload, field):
    client, drh, _ = staff_client
    AchievementFactory(issuer=drh, slug="accueil")
    response = _post(client, "/api/v1/credentials", payload)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]["fields"]
    assert not Credential.objects.exists()


def test_an_unknown_achievement_type_is_refused_with_its_code(staff_client):
    client, drh, _ = staff_client
    response = _post(client, "/api/v1/issuers/drh/achievements", {
        "slug": "x", "name": "x", "description": "x", "criteria_narrative": "x", "achievement_type": "Trophée"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_achievement_type"


def test_anonymous_requests_are_refused(client, db):
    response = _post(client, "/api/v1/credentials", {"achievement": "x", "recipient_email": "a@ville.fr"})
    assert response.status_code in (401, 403)
