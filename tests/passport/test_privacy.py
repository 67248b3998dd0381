"""Nothing about a learner is public until the learner makes it so.

A private credential's page, documents and images answer exactly as an unknown id does, to visitors, to other
learners and to other issuers' staff; its owner and its issuer's staff still see them. What verifiers need to
check a presented document (issuer profiles, DID documents, achievements, status lists, ``POST /api/v1/verify``
with the document itself) stays public.
"""

from __future__ import annotations

import json
import re
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from badges_service.errors import PermissionDenied
from issuers import services, status_lists
from issuers.models import Credential, StatusList
from issuers.permissions import SYSTEM
from learners import policy
from learners import services as learner_services

ENDPOINTS = ["", "/credential.json", "/ob2", "/ob2.jws", "/baked.png", "/baked.svg", "/ob2/baked.png", "/qr.png",
             "/certificate.pdf"]


def _normalised(body: bytes, asked) -> bytes:
    """The answer minus what differs on every response (the language form's CSRF token) and the id asked for."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body).replace(str(asked).encode(), b"<id>")


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def viewers(learner, other_learner, issuer_staff, other_issuer_staff):
    return {"owner": learner, "other learner": other_learner, "anonymous": None, "issuer staff": issuer_staff,
            "other issuer staff": other_issuer_staff}


SEES_PRIVATE = {"owner": True, "other learner": False, "anonymous": False, "issuer staff": True,
                "other issuer staff": False}


@pytest.mark.parametrize("who", list(SEES_PRIVATE))
@pytest.mark.parametrize("suffix", ENDPOINTS)
def test_a_private_credential_is_seen_only_by_its_owner_and_its_issuers_staff(credential, viewers, who, suffix):
    client = _client_for(viewers[who])
    response = client.get(f"/credentials/{credential.public_id}{suffix}", HTTP_ACCEPT="application/ld+json")
    if SEES_PRIVATE[who]:
        assert response.status_code == 200, response.content[:200]
        assert response["Cache-Control"].startswith("private")  # never kept by a shared cache
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("accept", ["text/html", "application/ld+json"])
@pytest.mark.parametrize("suffix", ENDPOINTS)
def test_a_private_credential_answers_exactly_as_an_unknown_one(client, credential, accept, suffix):
    other_id = uuid.uuid4()
    private = client.get(f"/credentials/{credential.public_id}{suffix}", HTTP_ACCEPT=accept)
    unknown = client.get(f"/credentials/{other_id}{suffix}", HTTP_ACCEPT=accept)
    assert private.status_code == unknown.status_code == 404
    # Equal once the id asked for (echoed in the sign-in link's ?next=) and the CSRF token are set aside.
    assert _normalised(private.content, credential.public_id) == _normalised(unknown.content, other_id)
    assert private["Content-Type"] == unknown["Content-Type"]


@pytest.mark.parametrize("suffix", ENDPOINTS)
def test_a_public_credential_is_seen_by_anyone(client, credential, suffix):
    services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
    response = client.get(f"/credentials/{credential.public_id}{suffix}", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200


def test_making_a_credential_private_again_hides_it(client, credential, learner):
    learner_services.credential_visibility_choose(credential=credential, public=True, actor=learner)
    assert client.get(f"/credentials/{credential.public_id}").status_code == 200
    learner_services.credential_visibility_choose(credential=credential, public=False, actor=learner)
    assert client.get(f"/credentials/{credential.public_id}").status_code == 404
    credential.refresh_from_db()
    assert credential.made_public_at is None


def test_a_new_credential_is_private(credential):
    assert credential.is_public is False


def test_only_the_learner_may_change_the_visibility(credential, other_learner, issuer_staff):
    for user in (other_learner, issuer_staff):
        with pytest.raises(PermissionDenied):
            learner_services.credential_visibility_choose(credential=credential, public=True, actor=user)
        with pytest.raises(PermissionDenied):  # the issuers' write itself takes the system only
            services.credential_visibility_set(credential=credential, public=True, actor=user)
    credential.refresh_from_db()
    assert credential.is_public is False


def test_the_rule_lives_in_one_predicate(credential, learner, other_learner, issuer_staff):
    assert policy.can_see_credential(learner, credential)
    assert policy.can_see_credential(issuer_staff, credential)
    assert not policy.can_see_credential(other_learner, credential)
    assert not policy.can_see_credential(None, credential)


def test_staff_of_another_issuer_get_a_404_not_a_403_for_a_private_credential(credential, other_issuer_staff):
    client = _client_for(other_issuer_staff)
    response = client.post(f"/api/v1/credentials/{credential.public_id}/revoke", data=json.dumps({"reason": "x"}),
                           content_type="application/json")
    assert response.status_code == 404


def test_a_presented_private_credential_still_verifies(client, credential):
    response = client.post("/api/v1/verify", data=credential.document, content_type="application/ld+json")
    assert response.status_code == 200
    assert response.json()["valid"] is True


def test_the_url_of_a_private_credential_verifies_as_an_unknown_one(client, credential):
    private = client.post("/api/v1/verify", data=f"https://badges.example.test/credentials/{credential.public_id}",
                          content_type="text/plain").json()
    unknown = client.post("/api/v1/verify", data=f"https://badges.example.test/credentials/{uuid.uuid4()}",
                          content_type="text/plain").json()
    assert private["valid"] is False
    assert [(c["name"], c["code"]) for c in private["checks"]] == [(c["name"], c["code"]) for c in unknown["checks"]]
    ob2 = client.post("/api/v1/verify", data=f"https://badges.example.test/credentials/{credential.public_id}/ob2",
                      content_type="text/plain").json()
    assert ob2["valid"] is False


def test_the_url_of_a_public_credential_verifies(client, credential):
    services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
    report = client.post("/api/v1/verify", data=f"https://badges.example.test/credentials/{credential.public_id}",
                         content_type="text/plain").json()
    assert report["valid"] is True


def test_what_verifiers_need_stays_public(client, credential, direction):
    status_list = StatusList.objects.get(issuer=direction)
    for path in (f"/issuers/{direction.slug}", f"/issuers/{direction.slug}/did.json",
                 f"/issuers/{direction.slug}/ob2", f"/achievements/{credential.achievement.slug}",
                 f"/achievements/{credential.achievement.slug}/ob2", f"/issuers/{direction.slug}/ob2/revocations",
                 status_lists.list_url(status_list).removeprefix("https://badges.example.test")):
        assert client.get(path, HTTP_ACCEPT="application/ld+json").status_code == 200, path


def test_the_demo_credentials_are_public_so_the_readme_demo_works(client, db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Credential.objects.exists()
    assert not Credential.objects.filter(is_public=False).exists()
    example = out.getvalue().split("Example credential page: ")[1].split()[0]
    assert client.get(example.removeprefix("https://badges.example.test")).status_code == 200
