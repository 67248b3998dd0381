"""Revoke, suspend, reinstate: one service each, used by the API, the admin and the operators' command."""

from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from badges_service.errors import Conflict, PermissionDenied
from issuers import identifiers, services
from issuers.models import Credential
from issuers.permissions import SYSTEM
from tests.issuers.factories import (
    AchievementFactory,
    CredentialFactory,
    PublicCredentialFactory,
    UserFactory,
)


def _post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_suspend_then_reinstate_then_revoke(achievement):
    credential = CredentialFactory(achievement=achievement)
    services.credential_suspend(credential=credential, reason="Contrôle", actor=SYSTEM)
    assert credential.suspended_at and credential.suspension_reason == "Contrôle"
    with pytest.raises(Conflict, match="already suspended"):
        services.credential_suspend(credential=credential, reason="encore", actor=SYSTEM)
    services.credential_reinstate(credential=credential, actor=SYSTEM)
    assert credential.suspended_at is None and credential.suspension_reason == ""
    with pytest.raises(Conflict, match="not suspended"):
        services.credential_reinstate(credential=credential, actor=SYSTEM)
    services.credential_revoke(credential=credential, reason="Erreur", actor=SYSTEM)
    with pytest.raises(Conflict):
        services.credential_suspend(credential=credential, reason="x", actor=SYSTEM)
    with pytest.raises(Conflict, match="cannot be reinstated"):
        services.credential_reinstate(credential=credential, actor=SYSTEM)


def test_a_stale_copy_cannot_revoke_twice(achievement):
    credential = CredentialFactory(achievement=achievement)
    stale = Credential.objects.get(pk=credential.pk)
    services.credential_revoke(credential=credential, reason="Erreur", actor=SYSTEM)
    with pytest.raises(Conflict):
        services.credential_revoke(credential=stale, reason="encore", actor=SYSTEM)


def test_staff_of_another_issuer_may_not_suspend_or_reinstate(db):
    credential = CredentialFactory(achievement=AchievementFactory())
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.credential_suspend(credential=credential, reason="x", actor=outsider)
    services.credential_suspend(credential=credential, reason="x", actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.credential_reinstate(credential=credential, actor=outsider)


def test_the_api_suspends_and_reinstates_own_credentials_only(staff_client):
    client, drh, dsin = staff_client
    own = CredentialFactory(achievement=AchievementFactory(issuer=drh))
    response = _post(client, f"/api/v1/credentials/{own.public_id}/suspend", {"reason": "Contrôle en cours"})
    assert response.status_code == 200 and response.json()["reason"] == "Contrôle en cours"
    assert _post(client, f"/api/v1/credentials/{own.public_id}/suspend", {"reason": "x"}).status_code == 409
    assert _post(client, f"/api/v1/credentials/{own.public_id}/reinstate").status_code == 200
    assert _post(client, f"/api/v1/credentials/{own.public_id}/reinstate").json()["error"]["code"] == "not_suspended"
    assert _post(client, f"/api/v1/credentials/{own.public_id}/suspend", {}).status_code == 400  # reason required
    other = PublicCredentialFactory(achievement=AchievementFactory(issuer=dsin))  # public: 403, not 404
    assert _post(client, f"/api/v1/credentials/{other.public_id}/suspend", {"reason": "x"}).status_code == 403


def test_the_operators_command_revokes_by_url_or_id(achievement):
    by_url, by_id = CredentialFactory(achievement=achievement), CredentialFactory(achievement=achievement)
    out = StringIO()
    call_command("revoke_credential", identifiers.credential_url(by_url.public_id), "--reason", "Doublon", stdout=out)
    call_command("revoke_credential", str(by_id.public_id), reason="Erreur de saisie", stdout=StringIO())
    by_url.refresh_from_db()
    by_id.refresh_from_db()
    assert by_url.revoked_at and by_url.revocation_reason == "Doublon"
    assert by_id.revocation_reason == "Erreur de saisie"
    assert "Revoked" in out.getvalue()
    with pytest.raises(CommandError, match="already revoked"):
        call_command("revoke_credential", str(by_id.public_id), reason="encore")
    with pytest.raises(CommandError, match="No such credential"):
        call_command("revoke_credential", str(uuid.uuid4()), reason="x")
    with pytest.raises(CommandError, match="empty"):
        call_command("revoke_credential", str(by_url.public_id), reason="  ")


def test_admin_actions_suspend_and_reinstate(admin_client, achievement):
    credential = CredentialFactory(achievement=achievement)
    url = "/admin/issuers/credential/"
    admin_client.post(url, {"action": "suspend", "_selected_action": [credential.pk]})
    credential.refresh_from_db()
    assert credential.suspended_at is not None
    admin_client.post(url, {"action": "reinstate", "_selected_action": [credential.pk]})
    credential.refresh_from_db()
    assert credential.suspended_at is None
    admin_client.post(url, {"action": "revoke", "_selected_action": [credential.pk]})
    credential.refresh_from_db()
    assert credential.revoked_at is not None
