"""Dynamic client registration (RFC 7591 as OB 3.0 §7.1.1 profiles it): strict, complete, no initial token."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import Application

from obapi.models import ClientRegistration
from obapi.scopes import CREDENTIAL_READONLY

from .conftest import ALL_SCOPES, REDIRECT_URI, registration_request


def test_a_client_registers_over_http_and_gets_every_property_back(register):
    answer = register(contacts=["support@wallet.example.test"])

    assert answer.status_code == 201
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    sent = registration_request(contacts=["support@wallet.example.test"])
    for name, value in sent.items():
        assert body[name] == value, name
    assert body["client_id"] and body["client_secret"]
    assert body["client_secret_expires_at"] == 0
    assert isinstance(body["client_id_issued_at"], int)
    application = Application.objects.get(client_id=body["client_id"])
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.redirect_uris == REDIRECT_URI
    assert check_password(body["client_secret"], application.client_secret)  # stored hashed, never in clear
    assert application.ob_registration.software_id == sent["software_id"]
    assert application.ob_registration.scopes == set(ALL_SCOPES.split())


def test_a_native_app_registers_as_a_public_client_with_a_loopback_redirect(register):
    answer = register(token_endpoint_auth_method="none",
                      redirect_uris=["http://127.0.0.1/callback", "http://[::1]/callback"])
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert "client_secret" not in body
    assert Application.objects.get(client_id=body["client_id"]).client_type == Application.CLIENT_PUBLIC


def _post(client, body, content_type="application/json"):
    return client.post("/oauth/register", data=body if isinstance(body, str) else json.dumps(body),
                       content_type=content_type)


@pytest.mark.parametrize(("overrides", "error", "fragment"), [
    ({"client_name": None}, "invalid_client_metadata", "client_name"),
    ({"client_uri": None}, "invalid_client_metadata", "client_uri"),
    ({"logo_uri": None}, "invalid_client_metadata", "logo_uri"),
    ({"tos_uri": None}, "invalid_client_metadata", "tos_uri"),
    ({"policy_uri": None}, "invalid_client_metadata", "policy_uri"),
    ({"software_id": None}, "invalid_client_metadata", "software_id"),
    ({"software_version": None}, "invalid_client_metadata", "software_version"),
    ({"redirect_uris": None}, "invalid_client_metadata", "redirect_uris"),
    ({"scope": None}, "invalid_client_metadata", "scope"),
    ({"client_name": "  "}, "invalid_client_metadata", "client_name"),
    ({"logo_uri": "http://wallet.example.test/logo.png"}, "invalid_client_metadata", "https"),
    ({"tos_uri": "https://ailleurs.example.test/conditions"}, "invalid_client_metadata", "hostname"),
    ({"redirect_uris": "https://wallet.example.test/callback"}, "invalid_client_metadata", "array"),
    ({"redirect_uris": []}, "invalid_redirect_uri", "at least one"),
    ({"redirect_uris": ["http://wallet.example.test/callback"]}, "invalid_redirect_uri", "https"),
    ({"redirect_uris": ["https://ailleurs.example.test/callback"]}, "invalid_redirect_uri", "hostname"),
    ({"redirect_uris": ["https://wallet.example.test/callback#x"]}, "invalid_redirect_uri", "fragment"),
    ({"redirect_uris": ["https://user:pw@wallet.example.test/callback"]}, "invalid_redirect_uri", "user"),
    ({"redirect_uris": ["http://127.0.0.1/callback"]}, "invalid_redirect_uri", "native"),
    ({"redirect_uris": ["com.example.wallet:/callback"]}, "invalid_redirect_uri", "host"),
    ({"redirect_uris": ["http://localhost/callback"], "token_endpoint_auth_method": "none"},
     "invalid_redirect_uri", "127.0.0.1"),
    ({"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/everything"}, "invalid_client_metadata", "Unknown"),
    ({"scope": "offline_access"}, "invalid_client_metadata", "Open Badges scope"),
    ({"scope": ""}, "invalid_client_metadata", "scope"),
    ({"token_endpoint_auth_method": "client_secret_post"}, "invalid_client_metadata", "token_endpoint_auth_method"),
    ({"grant_types": ["client_credentials"]}, "invalid_client_metadata", "grant_types"),
    ({"grant_types": ["authorization_code", "implicit"]}, "invalid_client_metadata", "grant_types"),
    ({"response_types": ["token"]}, "invalid_client_metadata", "response_types"),
    ({"software_statement": "eyJ.eyJ.sig"}, "invalid_software_statement", "statement"),
])
def test_an_incomplete_or_unsafe_registration_is_refused_with_its_reason(client, db, overrides, error, fragment):
    answer = _post(client, registration_request(**overrides))
    assert answer.status_code == 400
    assert answer.json()["error"] == error
    assert fragment in answer.json()["error_description"]
    assert not Application.objects.exists()
    assert not ClientRegistration.objects.exists()


@pytest.mark.parametrize(("body", "content_type"), [
    ("not json", "application/json"),
    ("[1, 2]", "application/json"),
    ("[" * 5000 + "]" * 5000, "application/json"),
    (json.dumps(registration_request()), "text/plain"),
])
def test_a_registration_body_that_is_not_a_json_object_is_refused(client, db, body, content_type):
    answer = _post(client, body, content_type)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client_metadata"


def test_registration_accepts_only_post(client):
    answer = client.get("/oauth/register")
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"


def test_a_client_registered_for_one_scope_keeps_that_scope(client, db):
    answer = _post(client, registration_request(scope=f"{CREDENTIAL_READONLY} offline_access"))
    assert answer.status_code == 201
    assert answer.json()["scope"] == f"{CREDENTIAL_READONLY} offline_access"
