"""OpenID4VP presentation requests through Django's test client: the DCQL query and request URI, the API's input
errors and privacy (a request is seen only by its requester), the requester's pages, malformed ``direct_post``
bodies, expiry and clean-up."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from issuers.selectors import issuer_did_document
from tests.issuers.factories import IssuerFactory, UserFactory
from tests.managers.factories import two_directions
from wallets import presentations, tasks
from wallets.models import PresentationRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return two_directions()


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory(username="plateforme"))
    return client


def test_a_competency_request_is_a_dcql_query_in_an_openid4vp_uri(api, team):
    made = api.post("/api/v1/presentation-requests", {"competency": team.competency("CMP-REL-01").pk,
                                                      "min_level": "N2"}, format="json").json()
    [query] = made["dcql_query"]["credentials"]
    assert query["format"] == "ldp_vc" and query["id"] == "badge"
    assert query["meta"]["type_values"] == [["https://www.w3.org/2018/credentials#VerifiableCredential",
                                             "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"]]
    assert query["claims"][0]["path"] == ["credentialSubject", "achievement", "alignment", None, "targetUrl"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(made["request_uri"]).query).items()}
    response_uri = f"{settings.BADGES_PUBLIC_URL}/openid4vp/responses/{made['id']}"
    assert params["client_id"] == made["client_id"] == "redirect_uri:" + response_uri
    assert params["response_uri"] == response_uri and params["response_mode"] == "direct_post"
    assert params["response_type"] == "vp_token" and len(params["nonce"]) >= 32
    assert json.loads(params["dcql_query"]) == made["dcql_query"]
    assert json.loads(params["client_metadata"])["vp_formats_supported"]["ldp_vc"]["cryptosuite_values"] == [
        "eddsa-rdfc-2022"]


def test_an_issuer_request_lists_every_id_the_issuer_signs_under(api):
    issuer = IssuerFactory(slug="drh")
    made = api.post("/api/v1/presentation-requests", {"issuer": "drh"}, format="json").json()
    values = made["dcql_query"]["credentials"][0]["claims"][0]["values"]
    assert issuer_did_document(issuer=issuer)["id"] in values and any(v.startswith("did:key:z6Mk") for v in values)


@pytest.mark.parametrize("body", [{}, {"issuer": "drh", "competency": 1}, {"issuer": "inconnu"},
                                  {"competency": 999999}, {"min_level": "N2", "issuer": "drh"}])
def test_bad_requests_are_400(api, body):
    IssuerFactory(slug="drh")
    assert api.post("/api/v1/presentation-requests", body, format="json").status_code == 400
    assert not PresentationRequest.objects.exists()


def test_a_level_of_another_scale_is_400(api, team):
    response = api.post("/api/v1/presentation-requests", {"competency": team.competency("CMP-REL-01").pk,
                                                          "min_level": "N9"}, format="json")
    assert response.status_code == 400


def test_a_request_is_seen_only_by_its_requester(api, client):
    IssuerFactory(slug="drh")
    made = api.post("/api/v1/presentation-requests", {"issuer": "drh"}, format="json").json()
    other = APIClient()
    other.force_authenticate(UserFactory(username="autre-plateforme"))
    assert other.get(f"/api/v1/presentation-requests/{made['id']}").status_code == 404
    assert APIClient().get(f"/api/v1/presentation-requests/{made['id']}").status_code in (401, 403)
    client.force_login(UserFactory(username="curieux"))
    assert client.get(f"/equipe/presentations/{made['id']}/").status_code == 404


def test_the_manager_page_creates_a_request_and_shows_its_qr_code(client, team):
    client.force_login(team.manager_drh)
    page = client.get("/equipe/presentations/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Demander un badge à un portefeuille" in page.content.decode()
    response = client.post("/equipe/presentations/", {"kind": "competency",
                                                      "competence": team.competency("CMP-REL-01").pk,
                                                      "niveau": team.level("N2").pk})
    made = PresentationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/equipe/presentations/{made.public_id}/"
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="request-qr"' in detail and 'href="openid4vp://?' in detail
    assert "au niveau Pratique ou plus" in detail
    assert client.get(response["Location"] + "?etat=1").json() == {"status": "pending"}  # what the page polls


def test_a_level_off_the_competencys_scale_is_refused_on_the_page(client, team):
    from competencies.models import Framework, ProficiencyLevel

    other = ProficiencyLevel.objects.create(framework=Framework.objects.create(code="pix", version="1", title="Pix"),
                                            rank=1, code="1", label="Niveau 1")
    client.force_login(team.manager_drh)
    response = client.post("/equipe/presentations/", {"kind": "competency", "niveau": other.pk,
                                                      "competence": team.competency("CMP-REL-01").pk})
    assert response.status_code == 400 and not PresentationRequest.objects.exists()


@pytest.mark.parametrize("body", [{}, {"vp_token": "not json", "state": "x"}, {"vp_token": "{}", "state": "x"},
                                  {"vp_token": json.dumps({"badge": ["a-string"]}), "state": "x"}])
def test_malformed_responses_are_invalid_request_and_leave_the_request_open(client, api, body):
    IssuerFactory(slug="drh")
    made = api.post("/api/v1/presentation-requests", {"issuer": "drh"}, format="json").json()
    response = client.post(f"/openid4vp/responses/{made['id']}", urlencode(body),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert PresentationRequest.objects.get().status == "pending"


def test_an_expired_request_takes_no_answer_and_is_cleaned_up(client, api):
    IssuerFactory(slug="drh")
    made = api.post("/api/v1/presentation-requests", {"issuer": "drh"}, format="json").json()
    request = PresentationRequest.objects.get()
    with freeze_time(timezone.now() + timedelta(seconds=settings.WALLETS_PRESENTATION_TTL + 1)):
        with pytest.raises(presentations.PresentationError):
            presentations.response_receive(public_id=made["id"], vp_token=json.dumps({"badge": [{}]}),
                                           state=request.state)
        assert api.get(f"/api/v1/presentation-requests/{made['id']}").json()["expired"] is True
        assert tasks.expired_delete()["presentation_requests"] == 1
    assert not PresentationRequest.objects.exists()
