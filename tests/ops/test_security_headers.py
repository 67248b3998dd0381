"""A strict Content-Security-Policy on every page, and pages that need nothing inline to work under it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from badges_service.security import POLICY
from tests.issuers.factories import PublicCredentialFactory

DATA_BLOCKS = {"application/json", "application/ld+json"}  # not executed: allowed by any script-src


class _Inline(HTMLParser):
    """Inline scripts, inline styles, event-handler attributes and style attributes of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in DATA_BLOCKS:
            self._in_script = True
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value!r}")
            if name == "style":
                self.found.append(f"{tag} style={value!r}")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value!r}")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(part.strip().split(" ", 1) for part in POLICY.split(";"))
    assert directives["script-src"] == directives["style-src"] == directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in POLICY and "*" not in POLICY


@pytest.fixture
def superuser(django_user_model, db):
    return django_user_model.objects.create_superuser("admin", "admin@ville-exemple.fr", "x")


def test_every_page_carries_the_policy_and_has_no_inline_script_or_style(client, superuser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    credential = PublicCredentialFactory(recipient_email="admin@ville-exemple.fr")
    public = ["/", "/verifier", "/conditions/", "/confidentialite/", "/mentions-legales/", "/accessibilite/",
              "/comptes/connexion/", "/frameworks",
              f"/credentials/{credential.public_id}", f"/achievements/{credential.achievement.slug}",
              f"/issuers/{credential.issuer.slug}", "/api/docs/", "/admin/login/", "/page-qui-n-existe-pas"]
    signed_in = ["/passeport/", f"/passeport/badges/{credential.public_id}/", "/equipe/", "/indicateurs/",
                 "/admin/"]
    checked = 0
    for path in [*public, None, *signed_in]:
        if path is None:
            client.force_login(superuser)
            continue
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 404), (path, response.status_code)
        assert response["Content-Security-Policy"] == POLICY, path
        if path.startswith("/admin"):
            # Django's admin: no inline script (its data travel in JSON blocks and data- attributes).
            assert not [f for f in _Inline(response.content.decode()).found if f.startswith("<script>")], path
        else:
            assert _Inline(response.content.decode()).found == [], path
        checked += 1
    assert checked == len(public) + len(signed_in)


def test_the_api_docs_start_swagger_from_a_script_file(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "/api/docs/?script=" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_served_svg_images_keep_their_own_sandboxed_policy(client, db):
    credential = PublicCredentialFactory()
    response = client.get(f"/achievements/{credential.achievement.slug}/image")
    assert response["Content-Security-Policy"].startswith("default-src 'none'") and "sandbox" in \
        response["Content-Security-Policy"]
