"""The OpenAPI 3 schema generated from the code, and its browsable docs served without any CDN."""

import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

JSON = "application/vnd.oai.openapi+json"
MAIN_PATHS = ["/api/v1/verify", "/api/v1/credentials", "/api/v1/events/moodle", "/api/v1/frameworks",
              "/api/v1/me/profile"]


def test_the_schema_is_a_valid_openapi_3_document_listing_the_main_paths(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200
    document = json.loads(response.content)
    validate_schema(document)  # against the OpenAPI 3.0 JSON Schema
    assert document["openapi"].startswith("3.")
    for path in MAIN_PATHS:
        assert path in document["paths"], path
    assert "post" in document["paths"]["/api/v1/verify"]
    assert set(document["paths"]["/api/v1/verify"]["post"]["requestBody"]["content"]) >= {
        "application/json", "application/jwt", "image/png", "image/svg+xml"}


def test_the_schema_is_served_as_yaml_by_default(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Ville@pp Badges API"


def test_errors_are_described_with_their_body(client, db):
    document = json.loads(client.get("/api/schema/", HTTP_ACCEPT=JSON).content)
    forbidden = document["paths"]["/api/v1/credentials"]["post"]["responses"]["403"]
    assert forbidden["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


@pytest.mark.django_db
def test_the_schema_generates_without_warnings(tmp_path):
    """``spectacular --fail-on-warn`` exits non-zero on any warning or error of the generator."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 0
