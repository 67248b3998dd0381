"""getProfile / putProfile (OB 3.0 §6.2.4-5) and the public Service Description Document (§6.3, §7.1.1)."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings

from badges_service.openbadges.contexts import OB_V3
from obapi.scopes import CREDENTIAL_READONLY, OB_SCOPES, PROFILE_READONLY, PROFILE_UPDATE

from .conftest import ALL_SCOPES, OAuthClient, pkce_pair, query_of, registration_request
from .test_credentials import assert_status_info


@pytest.fixture
def tokens(oauth_client, signed_in):
    def tokens(user, scope=ALL_SCOPES) -> str:
        return oauth_client.access_token(signed_in(user), scope=scope)["access_token"]
    return tokens


def test_the_profile_starts_from_the_account(oauth_client, camille, tokens):
    answer = oauth_client.api("GET", "profile", tokens(camille, PROFILE_READONLY))
    assert answer.status_code == 200
    profile = answer.json()
    assert profile["@context"] == [OB_V3]
    assert profile["type"] == "Profile"
    assert profile["id"].startswith("urn:uuid:")
    assert profile["name"] == "Camille Dupont"
    assert profile["email"] == "camille.dupont@ville-exemple.fr"


def test_a_profile_put_replaces_the_whole_profile_and_is_read_back(oauth_client, camille, dominique, tokens):
    token = tokens(camille)
    profile_id = oauth_client.api("GET", "profile", token).json()["id"]
    sent = {"@context": [OB_V3], "id": profile_id, "type": "Profile", "name": "Camille D.",
            "givenName": "Camille", "familyName": "Dupont", "email": "c.dupont@exemple.fr",
            "image": "https://images.example.test/camille.png"}

    put = oauth_client.api("PUT", "profile", token, json=sent)

    assert put.status_code == 200, put.text
    expected = {**sent, "image": {"id": "https://images.example.test/camille.png", "type": "Image"}}
    assert put.json() == expected
    assert oauth_client.api("GET", "profile", token).json() == expected
    # The whole profile is sent each time: what is left out is gone.
    oauth_client.api("PUT", "profile", token, json={"type": "Profile", "name": "Camille"})
    assert oauth_client.api("GET", "profile", token).json() == {"@context": [OB_V3], "id": profile_id,
                                                                 "type": "Profile", "name": "Camille"}
    # Another person's profile is theirs.
    other = oauth_client.api("GET", "profile", tokens(dominique)).json()
    assert other["id"] != profile_id
    assert "Camille" not in str(other)


@pytest.mark.parametrize(("profile", "fragment"), [
    ({"name": "Sans type"}, "type"),
    ({"type": "Profile", "phone": "01 02 03 04 05"}, "phone"),
    ({"type": "Profile", "email": "pas-une-adresse"}, "email"),
    ({"type": "Profile", "name": 42}, "name"),
    ({"type": "Profile", "url": "javascript:alert(1)"}, "url"),
    ({"type": "Profile", "id": "https://ailleurs.example.test/moi"}, "id"),
    ({"type": "Profile", "@context": ["https://evil.example.test/context.json"]}, "@context"),
    ([{"type": "Profile"}], "object"),
])
def test_a_profile_the_service_cannot_keep_is_refused_with_its_reason(oauth_client, camille, tokens, profile,
                                                                      fragment):
    token = tokens(camille, f"{PROFILE_READONLY} {PROFILE_UPDATE}")
    answer = oauth_client.api("PUT", "profile", token, json=profile)
    assert_status_info(answer, 400, "invalid_data")
    assert fragment in answer.json()["imsx_description"]
    assert oauth_client.api("GET", "profile", token).json()["name"] == "Camille Dupont"  # unchanged


def test_profile_scopes_are_checked_for_each_method(oauth_client, camille, tokens):
    read_only = tokens(camille, PROFILE_READONLY)
    assert_status_info(oauth_client.api("PUT", "profile", read_only, json={"type": "Profile"}), 403, "forbidden")
    credentials_only = tokens(camille, CREDENTIAL_READONLY)
    assert_status_info(oauth_client.api("GET", "profile", credentials_only), 403, "forbidden")
    assert_status_info(oauth_client.api("GET", "profile", None), 401, "unauthorizedrequest")
    assert_status_info(oauth_client.api("POST", "profile", read_only, json={}), 405, "not_allowed")
    answer = oauth_client.api("PUT", "profile", tokens(camille, PROFILE_UPDATE), data="name=x",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_status_info(answer, 415, "invalid_data")


def test_the_service_description_is_public_and_names_every_endpoint(base):
    answer = requests.get(f"{base}/ims/ob/v3p0/discovery", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    sdd = answer.json()
    assert sdd["openapi"].startswith("3.0")
    assert sdd["info"]["title"]
    assert sdd["info"]["termsOfService"] == settings.BADGES_PUBLIC_URL + "/conditions/"
    assert sdd["info"]["x-imssf-privacyPolicyUrl"] == settings.BADGES_PUBLIC_URL + "/confidentialite/"
    assert sdd["servers"] == [{"url": settings.BADGES_PUBLIC_URL + "/ims/ob/v3p0", "description": "Open Badges API"}]
    operations = {op["operationId"] for path in sdd["paths"].values() for op in path.values()}
    assert operations == {"getCredentials", "upsertCredential", "getProfile", "putProfile", "getServiceDescription"}
    scheme = sdd["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-privacyPolicyUrl"] == settings.BADGES_PUBLIC_URL + "/confidentialite/"
    assert scheme["x-imssf-registrationUrl"] == settings.BADGES_PUBLIC_URL + "/oauth/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == settings.BADGES_PUBLIC_URL + "/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == settings.BADGES_PUBLIC_URL + "/oauth/token"
    assert set(flow["scopes"]) == set(OB_SCOPES)
    assert set(sdd["components"]["schemas"]["GetOpenBadgeCredentialsResponse"]["properties"]) == \
        {"credential", "compactJwsString"}
    assert_status_info(requests.post(f"{base}/ims/ob/v3p0/discovery"), 405, "not_allowed")


def test_a_client_can_start_from_the_discovery_document_alone(base, camille, signed_in):
    """What a wallet does with only the base URL: discover, register, authorise, call (paths mapped to the
    live server, since the document names the public origin)."""
    sdd = requests.get(f"{base}/ims/ob/v3p0/discovery").json()

    def local(url: str) -> str:
        assert url.startswith(settings.BADGES_PUBLIC_URL)
        return base + url[len(settings.BADGES_PUBLIC_URL):]

    scheme = sdd["components"]["securitySchemes"]["OAuth2ACG"]
    scopes = " ".join(scheme["flows"]["authorizationCode"]["scopes"])
    registered = requests.post(local(scheme["x-imssf-registrationUrl"]), json=registration_request(scope=scopes))
    assert registered.status_code == 201
    client = OAuthClient(base, registered.json())
    verifier, challenge = pkce_pair()
    answer = signed_in(camille).consent(client.authorization_params(scope=CREDENTIAL_READONLY, challenge=challenge))
    token = client.exchange(query_of(answer.headers["Location"])["code"], verifier).json()["access_token"]
    listed = requests.get(local(sdd["servers"][0]["url"]) + "/credentials",
                          headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert listed.json() == {"credential": [], "compactJwsString": []}
