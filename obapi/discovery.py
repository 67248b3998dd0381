"""The Service Description Document (OB 3.0 §6.3, §7.1.1): a profiled OpenAPI 3.0 description of this API.

It names the OAuth 2.0 endpoints (authorization code grant with PKCE), the registration endpoint
(``x-imssf-registrationUrl``), the scopes, and the privacy policy and terms of service of this service.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from .scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE, SPEC_DESCRIPTIONS

API_PATH = "/ims/ob/v3p0"
STATUS_INFO = {"$ref": "#/components/schemas/Imsx_StatusInfo"}


def _url(path: str) -> str:
    return settings.BADGES_PUBLIC_URL + path


def _errors(*codes: int) -> dict:
    reasons = {304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 415: "Unsupported Media Type", 500: "Internal Server Error"}
    responses = {str(code): {"description": reasons[code], "content": {"application/json": {"schema": STATUS_INFO}}}
                 for code in codes}
    responses["default"] = {"description": "The request was invalid or cannot be served.",
                            "content": {"application/json": {"schema": STATUS_INFO}}}
    return responses


def _credential_bodies() -> dict:
    return {
        "application/json": {"schema": {"$ref": "#/components/schemas/AchievementCredential"}},
        "application/vc+ld+json": {"schema": {"$ref": "#/components/schemas/AchievementCredential"}},
        "text/plain": {"schema": {"$ref": "#/components/schemas/CompactJws"}},
    }


def policy_urls() -> tuple[str, str]:
    """(terms of service, privacy policy): the configured URLs, else this service's own pages."""
    return (settings.BADGES_TERMS_OF_SERVICE_URL or settings.BADGES_PUBLIC_URL + reverse("terms"),
            settings.BADGES_PRIVACY_POLICY_URL or settings.BADGES_PUBLIC_URL + reverse("privacy"))


def service_description() -> dict:
    token_url = _url(reverse("obapi:token"))
    terms, privacy = policy_urls()
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "Ville@pp Badges",
            "description": "1EdTech Open Badges 3.0 API of Ville@pp Badges: the badges a person holds, and their "
                           "profile, shared with the applications they authorise.",
            "version": "3.0",
            "termsOfService": terms,
            "x-imssf-privacyPolicyUrl": privacy,
        },
        "servers": [{"url": _url(API_PATH), "description": "Open Badges API"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "getCredentials",
                    "summary": "Get the OpenBadgeCredentials of the authenticated person.",
                    "parameters": [
                        {"name": "limit", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": settings.OBAPI_MAX_PAGE_SIZE}},
                        {"name": "offset", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 0}},
                        {"name": "since", "in": "query", "required": False,
                         "schema": {"type": "string", "format": "date-time"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The credentials, newest first, one page of them.",
                            "headers": {
                                "X-Total-Count": {"schema": {"type": "integer"}},
                                "Link": {"schema": {"type": "string"}},
                            },
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/GetOpenBadgeCredentialsResponse"}}},
                        },
                        **_errors(400, 401, 403, 405, 500),
                    },
                    "security": [{"OAuth2ACG": [CREDENTIAL_READONLY]}],
                },
                "post": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "upsertCredential",
                    "summary": "Create or replace a signed OpenBadgeCredential of the authenticated person.",
                    "requestBody": {"required": True, "content": _credential_bodies()},
                    "responses": {
                        "200": {"description": "Replaced.", "content": _credential_bodies()},
                        "201": {"description": "Created.", "content": _credential_bodies()},
                        **_errors(304, 400, 401, 403, 404, 405, 415, 500),
                    },
                    "security": [{"OAuth2ACG": [CREDENTIAL_UPSERT]}],
                },
            },
            "/profile": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "getProfile",
                    "summary": "Get the profile of the authenticated person.",
                    "responses": {
                        "200": {"description": "The profile.", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}},
                        **_errors(400, 401, 403, 404, 405, 500),
                    },
                    "security": [{"OAuth2ACG": [PROFILE_READONLY]}],
                },
                "put": {
                    "tags": ["OpenBadgeCredentials"],
                    "operationId": "putProfile",
                    "summary": "Replace the profile of the authenticated person.",
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}},
                    "responses": {
                        "200": {"description": "The profile as stored.", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}}},
                        **_errors(304, 400, 401, 403, 404, 405, 500),
                    },
                    "security": [{"OAuth2ACG": [PROFILE_UPDATE]}],
                },
            },
            "/discovery": {
                "get": {
                    "tags": ["Discovery"],
                    "operationId": "getServiceDescription",
                    "summary": "This Service Description Document.",
                    "responses": {
                        "200": {"description": "The service description.", "content": {
                            "application/json": {"schema": {"type": "object"}}}},
                        "default": _errors()["default"],
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization, with PKCE (S256)",
                    "x-imssf-name": "Ville@pp Badges",
                    "x-imssf-privacyPolicyUrl": privacy,
                    "x-imssf-registrationUrl": _url(reverse("obapi:register")),
                    "x-imssf-termsOfServiceUrl": terms,
                    "flows": {"authorizationCode": {
                        "authorizationUrl": _url(reverse("obapi:authorize")),
                        "tokenUrl": token_url,
                        "refreshUrl": token_url,
                        "scopes": dict(SPEC_DESCRIPTIONS),
                    }},
                },
            },
            "schemas": _schemas(),
        },
    }


def _schemas() -> dict:
    return {
        "GetOpenBadgeCredentialsResponse": {
            "type": "object",
            "properties": {
                "credential": {"type": "array", "items": {"$ref": "#/components/schemas/AchievementCredential"}},
                "compactJwsString": {"type": "array", "items": {"$ref": "#/components/schemas/CompactJws"}},
            },
            "additionalProperties": False,
        },
        "AchievementCredential": {
            "type": "object",
            "description": "An OpenBadgeCredential (OB 3.0), with an embedded proof.",
            "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "proof"],
            "additionalProperties": True,
        },
        "CompactJws": {"type": "string", "pattern": "^[a-zA-Z0-9_-]+\\.[a-zA-Z0-9_-]*\\.[a-zA-Z0-9_-]+$"},
        "Profile": {
            "type": "object",
            "required": ["id", "type"],
            "properties": {
                "@context": {"type": "array", "items": {"type": "string"}},
                "id": {"type": "string", "format": "uri"},
                "type": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                "name": {"type": "string"}, "givenName": {"type": "string"}, "familyName": {"type": "string"},
                "additionalName": {"type": "string"}, "honorificPrefix": {"type": "string"},
                "honorificSuffix": {"type": "string"}, "description": {"type": "string"},
                "email": {"type": "string", "format": "email"}, "url": {"type": "string", "format": "uri"},
                "image": {"type": "object", "properties": {
                    "id": {"type": "string", "format": "uri"}, "type": {"type": "string"},
                    "caption": {"type": "string"}}},
            },
            "additionalProperties": False,
        },
        "Imsx_StatusInfo": {
            "type": "object",
            "required": ["imsx_codeMajor", "imsx_severity"],
            "properties": {
                "imsx_codeMajor": {"type": "string", "enum": ["failure", "processing", "success", "unsupported"]},
                "imsx_severity": {"type": "string", "enum": ["error", "status", "warning"]},
                "imsx_description": {"type": "string"},
                "imsx_codeMinor": {"type": "object", "required": ["imsx_codeMinorField"], "properties": {
                    "imsx_codeMinorField": {"type": "array", "minItems": 1, "items": {
                        "type": "object",
                        "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
                        "properties": {
                            "imsx_codeMinorFieldName": {"type": "string"},
                            "imsx_codeMinorFieldValue": {"type": "string", "enum": [
                                "forbidden", "fullsuccess", "internal_server_error", "invalid_data",
                                "invalid_query_parameter", "misdirected_request", "not_acceptable",
                                "not_allowed", "not_found", "not_modified", "server_busy",
                                "unauthorizedrequest", "unknown"]},
                        },
                    }},
                }},
            },
        },
    }
