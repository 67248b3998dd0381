"""Shared links: browsers and robots (``*/*``, no Accept, ``text/html``) get the page with Open Graph and Twitter
card tags; only clients naming a JSON media type get the document (the OB 2.0 validator's Accept included)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from issuers import identifiers
from tests.issuers.factories import PublicCredentialFactory

# 1EdTech's openbadges-validator-core (openbadges/verifier/tasks/graph.py, fetch_http_node) sends this.
OB2_VALIDATOR_ACCEPT = "application/ld+json, application/json, image/png, image/svg+xml"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def credential(achievement):
    return PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")


def _meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def _paths(credential):
    return {"credential": f"/credentials/{credential.public_id}",
            "achievement": f"/achievements/{credential.achievement.slug}",
            "issuer": f"/issuers/{credential.issuer.slug}"}


@pytest.mark.parametrize("accept", ["*/*", None, "text/html", BROWSER_ACCEPT])
@pytest.mark.parametrize("page", ["credential", "achievement", "issuer"])
def test_browsers_and_robots_get_the_page_with_open_graph_and_twitter_tags(client, credential, accept, page):
    path = _paths(credential)[page]
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    response = client.get(path, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response.get("Vary", "")
    html = response.content.decode()
    for key in ("og:title", "og:description", "og:image", "og:url", "twitter:card", "twitter:title",
                "twitter:image"):
        assert _meta(html, key), f"{key} on the {page} page"
    assert _meta(html, "og:url") == identifiers.public_url(path)
    assert _meta(html, "og:image").startswith(identifiers.public_url("/")) and _meta(html, "og:image").endswith(
        "/image.png")
    if page == "credential":
        assert credential.achievement.name in _meta(html, "og:title")
        assert credential.issuer.name in _meta(html, "og:title")
        assert "Camille" not in html.split("</head>")[0], "the preview does not name the person"


def test_the_preview_image_is_a_png_of_the_badge(client, credential):
    for path in (f"/achievements/{credential.achievement.slug}/image.png",
                 f"/issuers/{credential.issuer.slug}/image.png"):
        response = client.get(path)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(response.content)).size == (512, 512)


@pytest.mark.parametrize("accept", ["application/ld+json", "application/json", OB2_VALIDATOR_ACCEPT,
                                    "application/ld+json;q=1, text/html;q=0.5"])
@pytest.mark.parametrize("page", ["credential", "achievement", "issuer"])
def test_clients_naming_a_json_type_get_the_document(client, credential, accept, page):
    response = client.get(_paths(credential)[page], HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("application/ld+json", "application/json")
    document = response.json()
    if page == "credential":
        assert response.content.decode() == credential.document, "the stored bytes, as signed"
    else:
        assert document["id"]


def test_html_wins_when_preferred_and_format_overrides(client, credential):
    path = _paths(credential)["credential"]
    assert client.get(path, HTTP_ACCEPT="application/json;q=0.5, text/html")["Content-Type"].startswith("text/html")
    assert client.get(path + "?format=json", HTTP_ACCEPT="*/*")["Content-Type"].startswith("application/ld+json")


def test_an_unknown_credential_answers_json_to_json_clients_and_a_page_to_robots(client, db):
    path = "/credentials/00000000-0000-4000-8000-000000000000"
    assert client.get(path, HTTP_ACCEPT="application/json").json()["error"]["code"]
    html = client.get(path, HTTP_ACCEPT="*/*").content.decode()
    assert "introuvable ou n’est pas public" in html
    assert "falsifié" in html, "says it is not a forgery"
