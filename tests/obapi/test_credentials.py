"""getCredentials and upsertCredential (OB 3.0 §6.2.2, §6.2.3) over real HTTP, with a token from the real flow."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from badges_service.openbadges import did_key, eddsa_rdfc_2022, jwk
from issuers import identifiers
from issuers.permissions import SYSTEM
from obapi.models import HeldCredential
from obapi.scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT
from tests.issuers.factories import AchievementFactory, CredentialFactory
from tests.openbadges.samples import sample_credential

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LINK_BASE = settings.BADGES_PUBLIC_URL + "/ims/ob/v3p0/credentials"


def minor_code(response) -> str:
    return response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def assert_status_info(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_severity"] == "error"
    assert body["imsx_description"]
    assert minor_code(response) == code


@pytest.fixture
def achievement(transactional_db):
    return AchievementFactory()


@pytest.fixture
def camille_credentials(camille, achievement):
    """Five credentials issued to Camille, a day apart, oldest first."""
    return [CredentialFactory(achievement=achievement, recipient_email=camille.email, now=START + timedelta(days=i))
            for i in range(5)]


@pytest.fixture
def token_of(oauth_client, signed_in):
    def token_of(user, scope=None) -> str:
        kwargs = {"scope": scope} if scope else {}
        return oauth_client.access_token(signed_in(user), **kwargs)["access_token"]
    return token_of


def foreign_credential(credential_id="urn:uuid:2f2b5d0e-0c4e-4b43-9d1b-3b8c4c1f8a11") -> dict:
    """A credential from another platform, signed with its own did:key."""
    private = Ed25519PrivateKey.generate()
    did = did_key.did_key_from_public_key(private.public_key().public_bytes_raw())
    document = sample_credential(credential_id=credential_id)
    document["issuer"]["id"] = did
    return eddsa_rdfc_2022.proof_create(document, private_key=private,
                                        verification_method=did_key.verification_method_id(did),
                                        created="2025-01-02T03:04:05Z")


def test_the_owner_gets_their_issued_credentials_newest_first_byte_for_byte(oauth_client, camille, token_of,
                                                                            camille_credentials):
    answer = oauth_client.api("GET", "credentials", token_of(camille))

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["X-Total-Count"] == "5"
    body = answer.json()
    assert body["compactJwsString"] == []
    assert [c["id"] for c in body["credential"]] == \
        [identifiers.credential_url(c.public_id) for c in reversed(camille_credentials)]
    for credential in camille_credentials:  # the signed documents are inside the body as they were signed
        assert credential.document in answer.text


def test_paging_headers_follow_limit_and_offset_exactly(oauth_client, camille, token_of, camille_credentials):
    token = token_of(camille)
    newest_first = [identifiers.credential_url(c.public_id) for c in reversed(camille_credentials)]

    first = oauth_client.api("GET", "credentials?limit=2", token)
    assert first.headers["X-Total-Count"] == "5"
    assert first.headers["Link"] == (f'<{LINK_BASE}?limit=2&offset=2>; rel="next", '
                                     f'<{LINK_BASE}?limit=2&offset=4>; rel="last", '
                                     f'<{LINK_BASE}?limit=2&offset=0>; rel="first"')
    assert [c["id"] for c in first.json()["credential"]] == newest_first[0:2]

    middle = oauth_client.api("GET", "credentials?limit=2&offset=2", token)
    assert middle.headers["Link"] == (f'<{LINK_BASE}?limit=2&offset=4>; rel="next", '
                                      f'<{LINK_BASE}?limit=2&offset=4>; rel="last", '
                                      f'<{LINK_BASE}?limit=2&offset=0>; rel="first", '
                                      f'<{LINK_BASE}?limit=2&offset=0>; rel="prev"')
    assert [c["id"] for c in middle.json()["credential"]] == newest_first[2:4]

    last = oauth_client.api("GET", "credentials?limit=2&offset=4", token)
    assert last.headers["X-Total-Count"] == "5"
    assert last.headers["Link"] == (f'<{LINK_BASE}?limit=2&offset=4>; rel="last", '
                                    f'<{LINK_BASE}?limit=2&offset=0>; rel="first", '
                                    f'<{LINK_BASE}?limit=2&offset=2>; rel="prev"')
    assert [c["id"] for c in last.json()["credential"]] == newest_first[4:]

    beyond = oauth_client.api("GET", "credentials?limit=2&offset=9", token)
    assert beyond.json()["credential"] == []
    assert beyond.headers["X-Total-Count"] == "5"


def test_since_keeps_only_credentials_issued_after_it_and_stays_in_the_links(oauth_client, camille, token_of,
                                                                             camille_credentials):
    since = (START + timedelta(days=2, hours=1)).isoformat().replace("+00:00", "Z")
    answer = oauth_client.api("GET", "credentials", token_of(camille), params={"since": since, "limit": 10})
    assert answer.headers["X-Total-Count"] == "2"
    assert [c["id"] for c in answer.json()["credential"]] == \
        [identifiers.credential_url(c.public_id) for c in reversed(camille_credentials[3:])]
    assert "since=2025-03-03T10%3A00%3A00Z" in answer.headers["Link"]


def test_another_persons_credentials_are_invisible(oauth_client, camille, dominique, token_of, achievement,
                                                   camille_credentials):
    theirs = CredentialFactory(achievement=achievement, recipient_email=dominique.email)
    answer = oauth_client.api("GET", "credentials", token_of(camille))
    assert identifiers.credential_url(theirs.public_id) not in answer.text
    assert answer.headers["X-Total-Count"] == "5"
    their_view = oauth_client.api("GET", "credentials", token_of(dominique))
    assert [c["id"] for c in their_view.json()["credential"]] == [identifiers.credential_url(theirs.public_id)]


def test_a_verified_foreign_credential_is_created_then_replaced(oauth_client, camille, dominique, token_of):
    token = token_of(camille)
    document = foreign_credential()
    raw = json.dumps(document, ensure_ascii=False, indent=1)

    created = oauth_client.api("POST", "credentials", token, data=raw.encode(),
                               headers={"Content-Type": "application/json"})
    assert created.status_code == 201, created.text
    assert created.text == raw  # OB 3.0 §6.2.3: the response body is the credential of the request
    assert created.headers["Content-Type"] == "application/json"

    replaced = oauth_client.api("POST", "credentials", token, data=raw.encode(),
                                headers={"Content-Type": "application/vc+ld+json"})
    assert replaced.status_code == 200
    assert replaced.headers["Content-Type"] == "application/vc+ld+json"
    assert HeldCredential.objects.filter(owner=camille).count() == 1

    listed = oauth_client.api("GET", "credentials", token)
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.json()["credential"] == [document]
    assert oauth_client.api("GET", "credentials", token_of(dominique)).json()["credential"] == []


def test_a_verified_vc_jwt_is_stored_and_listed_as_a_compact_jws(oauth_client, camille, token_of):
    private = Ed25519PrivateKey.generate()
    did = did_key.did_key_from_public_key(private.public_key().public_bytes_raw())
    document = sample_credential(credential_id="urn:uuid:6f0c7a52-3c1e-4a43-8f5e-2d7b9c0e1a24")
    document["issuer"]["id"] = did
    token = jwk.sign({"vc": document, "iss": did, "jti": document["id"],
                         "nbf": int(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp())},
                        private_key=private, alg="EdDSA", kid=did_key.verification_method_id(did), typ="JWT")

    created = oauth_client.api("POST", "credentials", token_of(camille), data=token.encode(),
                               headers={"Content-Type": "text/plain"})
    assert created.status_code == 201, created.text
    assert created.text == token
    listed = oauth_client.api("GET", "credentials", token_of(camille)).json()
    assert listed == {"credential": [], "compactJwsString": [token]}

    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    refused = oauth_client.api("POST", "credentials", token_of(camille), data=forged.encode(),
                               headers={"Content-Type": "text/plain"})
    assert_status_info(refused, 400, "invalid_data")
    assert HeldCredential.objects.filter(owner=camille).count() == 1


def test_upserting_a_credential_issued_here_to_the_owner_is_a_replacement_of_the_same(oauth_client, camille,
                                                                                      token_of, achievement):
    issued = CredentialFactory(achievement=achievement, recipient_email=camille.email)
    answer = oauth_client.api("POST", "credentials", token_of(camille), data=issued.document.encode(),
                              headers={"Content-Type": "application/json"})
    assert answer.status_code == 200
    assert answer.text == issued.document
    assert not HeldCredential.objects.exists()


@pytest.mark.parametrize("tamper", [
    lambda d: d.update(name="Un autre badge"),
    lambda d: d["credentialSubject"].update(id="did:example:quelquun"),
    lambda d: d.pop("proof"),
])
def test_a_credential_that_does_not_verify_is_refused(oauth_client, camille, token_of, tamper):
    document = copy.deepcopy(foreign_credential())
    tamper(document)
    answer = oauth_client.api("POST", "credentials", token_of(camille, scope=CREDENTIAL_UPSERT), json=document)
    assert_status_info(answer, 400, "invalid_data")
    assert "does not verify" in answer.json()["imsx_description"]
    assert not HeldCredential.objects.exists()


def test_a_revoked_credential_is_refused(oauth_client, camille, token_of, achievement):
    from issuers import services

    issued = CredentialFactory(achievement=achievement, recipient_email="autre@ville-exemple.fr")
    services.credential_revoke(credential=issued, reason="Erreur de saisie", actor=SYSTEM)
    answer = oauth_client.api("POST", "credentials", token_of(camille), data=issued.document.encode(),
                              headers={"Content-Type": "application/json"})
    assert_status_info(answer, 400, "invalid_data")
    assert "status" in answer.json()["imsx_description"]


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln", "text/plain", 400),
    (b"{ pas du json", "application/json", 400),
    (b'{"type": ["VerifiableCredential"]}', "application/json", 400),
    (b"<credential/>", "application/xml", 415),
])
def test_unreadable_or_unsupported_bodies_are_refused(oauth_client, camille, token_of, body, content_type, status):
    answer = oauth_client.api("POST", "credentials", token_of(camille), data=body,
                              headers={"Content-Type": content_type})
    assert_status_info(answer, status, "invalid_data")


def test_calls_without_a_token_are_unauthorized(oauth_client):
    answer = oauth_client.api("GET", "credentials", None)
    assert_status_info(answer, 401, "unauthorizedrequest")
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="Open Badges API"'
    assert_status_info(oauth_client.api("GET", "credentials", "inconnu"), 401, "unauthorizedrequest")
    assert_status_info(oauth_client.api("GET", "credentials", None, headers={"Authorization": "Basic YTpi"}),
                       401, "unauthorizedrequest")


def test_a_token_in_the_query_string_is_not_accepted(oauth_client, camille, token_of):
    token = token_of(camille)
    answer = oauth_client.http.get(f"{oauth_client.base}/ims/ob/v3p0/credentials", params={"access_token": token})
    assert_status_info(answer, 401, "unauthorizedrequest")


def test_a_token_without_the_scope_is_forbidden(oauth_client, camille, token_of):
    read_only = token_of(camille, scope=CREDENTIAL_READONLY)
    answer = oauth_client.api("POST", "credentials", read_only, json=foreign_credential())
    assert_status_info(answer, 403, "forbidden")
    assert answer.headers["WWW-Authenticate"] == \
        f'Bearer realm="Open Badges API", error="insufficient_scope", scope="{CREDENTIAL_UPSERT}"'
    upsert_only = token_of(camille, scope=CREDENTIAL_UPSERT)
    assert_status_info(oauth_client.api("GET", "credentials", upsert_only), 403, "forbidden")
    assert not HeldCredential.objects.exists()


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "limit=abc", "offset=-2", "offset=1.5", "limit=²",
                                   "since=hier", "since=2025-03-01T10:00:00", "since=2025-13-01T10:00:00Z"])
def test_bad_paging_parameters_are_refused(oauth_client, camille, token_of, query):
    answer = oauth_client.api("GET", f"credentials?{query}", token_of(camille))
    assert_status_info(answer, 400, "invalid_query_parameter")


def test_a_limit_above_the_maximum_is_lowered_to_it(oauth_client, camille, token_of):
    answer = oauth_client.api("GET", "credentials?limit=100000", token_of(camille))
    assert answer.status_code == 200
    assert f"limit={settings.OBAPI_MAX_PAGE_SIZE}&" in answer.headers["Link"]


def test_other_methods_are_not_allowed(oauth_client, camille, token_of):
    answer = oauth_client.api("DELETE", "credentials", token_of(camille))
    assert_status_info(answer, 405, "not_allowed")
    assert answer.headers["Allow"] == "GET, POST"
