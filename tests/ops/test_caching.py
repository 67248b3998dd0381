"""Public documents carry Cache-Control suited to what they are, and an ETag; If-None-Match gets a 304."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from issuers import services
from issuers.permissions import SYSTEM
from tests.issuers.factories import PublicCredentialFactory

LD = "application/ld+json"


@pytest.fixture
def credential(db):
    return PublicCredentialFactory()


def _revalidated(client, path: str, **headers):
    first = client.get(path, **headers)
    assert first.status_code == 200, first.content[:200]
    assert first["ETag"].startswith('"')
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    assert again.status_code == 304 and again.content == b""
    return first


def test_a_signed_credential_is_cached_a_day_and_revalidated_with_its_etag(client, credential):
    response = _revalidated(client, f"/credentials/{credential.public_id}", HTTP_ACCEPT=LD)
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response.content == credential.document.encode()
    download = _revalidated(client, f"/credentials/{credential.public_id}/credential.json")
    assert download["Cache-Control"] == "public, max-age=86400"
    assert _revalidated(client, f"/credentials/{credential.public_id}/ob2.jws")["Cache-Control"] == \
        "public, max-age=86400"


def test_a_status_list_is_cached_five_minutes_and_its_etag_changes_with_a_revocation(client, credential):
    path = urlsplit(json.loads(credential.document)["credentialStatus"]["statusListCredential"]).path
    before = _revalidated(client, path)
    assert before["Cache-Control"] == "public, max-age=300"
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_did_documents_achievements_and_issuer_profiles_are_cacheable(client, credential):
    issuer, achievement = credential.issuer.slug, credential.achievement.slug
    assert _revalidated(client, f"/issuers/{issuer}/did.json")["Cache-Control"] == "public, max-age=300"
    assert _revalidated(client, f"/issuers/{issuer}/ob2/revocations")["Cache-Control"] == "public, max-age=300"
    for path in (f"/achievements/{achievement}", f"/issuers/{issuer}"):
        assert _revalidated(client, path, HTTP_ACCEPT=LD)["Cache-Control"] == "public, max-age=3600", path
    for path in (f"/achievements/{achievement}/ob2", f"/issuers/{issuer}/ob2"):
        assert _revalidated(client, path)["Cache-Control"] == "public, max-age=3600", path


def test_pages_are_revalidated_and_never_shared(client, credential):
    """(A page says when it was checked and carries a form token: its ETag changes from one view to the next.)"""
    for path in (f"/credentials/{credential.public_id}", f"/achievements/{credential.achievement.slug}"):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response["Cache-Control"] == "private, no-cache" and response.has_header("ETag"), path


def test_a_private_credential_seen_by_its_issuer_is_never_stored(client, credential, django_user_model):
    services.credential_visibility_set(credential=credential, public=False, actor=SYSTEM)
    admin = django_user_model.objects.create_superuser("admin", "admin@ville-exemple.fr", "x")
    client.force_login(admin)
    response = client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT=LD)
    assert response.status_code == 200, response.content[:200]
    assert response["Cache-Control"] == "private, no-store" and not response.has_header("ETag")
    client.logout()
    assert client.get(f"/credentials/{credential.public_id}", HTTP_ACCEPT=LD).status_code == 404
