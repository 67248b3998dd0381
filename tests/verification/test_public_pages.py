"""The public pages: a credential's verification page, achievements, issuers, the home page.

People get HTML (French by default, English on request); machines get the JSON-LD documents.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import formats, timezone, translation

from issuers import services
from issuers.models import Credential
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, PublicCredentialFactory

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what browsers send


class _Page(HTMLParser):
    """Just enough HTML reading for assertions: visible text, elements by tag, the status banner."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    BLOCK = {"p", "div", "dt", "dd", "li", "h1", "h2", "h3", "section", "header", "footer", "main", "summary", "br",
             "button", "label", "span"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self.banner_parts: list[str] = []
        self.banner_status: str | None = None
        self.h1_parts: list[str] = []
        self._stack: list[str] = []
        self._banner_depth: int | None = None
        self._h1_depth: int | None = None
        self._skip_depth: int | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        self._separate(tag)
        if tag in self.VOID:
            return
        self._stack.append(tag)
        if tag in ("script", "style", "title") and self._skip_depth is None:
            self._skip_depth = len(self._stack)
        if "data-status" in attributes and self._banner_depth is None:
            self._banner_depth = len(self._stack)
            self.banner_status = attributes["data-status"]
        if tag == "h1" and self._h1_depth is None:
            self._h1_depth = len(self._stack)

    def _separate(self, tag: str) -> None:
        if tag in self.BLOCK:
            self.handle_data(" ")

    def handle_endtag(self, tag):
        self._separate(tag)
        if tag in self.VOID or not self._stack:
            return
        depth = len(self._stack)
        for marker in ("_banner_depth", "_h1_depth", "_skip_depth"):
            if getattr(self, marker) == depth:
                setattr(self, marker, None)
        self._stack.pop()

    def handle_data(self, data):
        if self._skip_depth is not None:
            return
        self.text_parts.append(data)
        if self._banner_depth is not None:
            self.banner_parts.append(data)
        if self._h1_depth is not None:
            self.h1_parts.append(data)

    @staticmethod
    def _squash(parts: list[str]) -> str:
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    @property
    def text(self) -> str:
        return self._squash(self.text_parts)

    @property
    def banner(self) -> str:
        return self._squash(self.banner_parts)

    @property
    def h1(self) -> str:
        return self._squash(self.h1_parts)

    def all(self, tag: str, **attrs: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def get_html(client, url: str, *, language: str | None = None):
    headers = {"HTTP_ACCEPT": HTML}
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return client.get(url, **headers)


def page_of(response) -> _Page:
    assert response["Content-Type"].startswith("text/html")
    return _Page(response.content.decode())


def credential_path(credential: Credential) -> str:
    return f"/credentials/{credential.public_id}"


def french_date(value) -> str:
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


@pytest.fixture
def credential(achievement):
    return PublicCredentialFactory(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                             recipient_name="Camille Dupont")


# --- content negotiation ---------------------------------------------------------------------------


def test_a_browser_gets_the_verification_page_in_html(client, credential):
    response = get_html(client, credential_path(credential))

    assert response.status_code == 200
    page = page_of(response)
    assert page.h1 == credential.achievement.name
    assert "Accept" in response["Vary"]


def test_a_client_asking_for_json_ld_gets_the_stored_bytes_exactly(client, credential):
    response = client.get(credential_path(credential), HTTP_ACCEPT="application/ld+json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.content == credential.document.encode()


def test_a_client_asking_for_plain_json_gets_the_same_document_as_application_json(client, credential):
    response = client.get(credential_path(credential), HTTP_ACCEPT="application/json")

    assert response["Content-Type"].startswith("application/json")
    assert response.content == credential.document.encode()


def test_the_json_download_is_the_stored_document_as_an_attachment(client, credential):
    response = client.get(f"{credential_path(credential)}/credential.json")

    assert response.status_code == 200
    assert response.content == credential.document.encode()
    assert response["Content-Disposition"] == f'attachment; filename="badge-{credential.public_id}.json"'


# --- what the credential page shows ----------------------------------------------------------------


def test_the_page_never_shows_the_recipient_email(client, credential):
    html = get_html(client, credential_path(credential)).content.decode()
    english = get_html(client, credential_path(credential), language="en").content.decode()

    for content in (html, english):
        assert "camille.dupont@ville-exemple.fr" not in content
        assert "camille.dupont" not in content


def test_the_page_shows_the_recipient_name(client, credential):
    page = page_of(get_html(client, credential_path(credential)))

    assert "Décerné à Camille Dupont" in page.text


def test_a_credential_without_a_recipient_name_says_how_the_badge_identifies_its_holder(client, achievement):
    credential = PublicCredentialFactory(achievement=achievement, recipient_name="")

    page = page_of(get_html(client, credential_path(credential)))

    assert "Décerné à Une personne identifiée par son adresse électronique" in page.text
    assert "sous forme protégée (empreinte)" in page.text


def test_a_fresh_credential_is_shown_as_valid(client, credential):
    page = page_of(get_html(client, credential_path(credential)))

    assert page.banner_status == "valid"
    assert page.banner.startswith("Valide")
    assert "Ce badge est valide" in page.banner
    assert credential.issuer.name in page.banner


def test_a_revoked_credential_is_shown_as_revoked_with_its_date_and_reason(client, credential):
    services.credential_revoke(credential=credential, reason="Erreur de saisie du stagiaire", actor=SYSTEM)

    page = page_of(get_html(client, credential_path(credential)))

    assert page.banner_status == "revoked"
    assert page.banner.startswith("Révoqué")
    assert f"révoqué par son émetteur le {french_date(credential.revoked_at)}" in page.banner
    assert "Erreur de saisie du stagiaire" in page.banner


def test_an_expired_credential_is_shown_as_expired(client, achievement):
    issued = timezone.now() - timedelta(days=400)
    credential = services.credential_issue(achievement=achievement, recipient_email="agent@ville-exemple.fr",
                                           now=issued, valid_until=issued + timedelta(days=365), actor=SYSTEM)
    services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)

    page = page_of(get_html(client, credential_path(credential)))

    assert page.banner_status == "expired"
    assert page.banner.startswith("Expiré")
    assert f"a expiré le {french_date(credential.valid_until)}" in page.banner
    assert f"Validité Jusqu’au {french_date(credential.valid_until)}" in page.text


def test_a_tampered_credential_is_shown_with_an_invalid_signature(client, credential):
    document = json.loads(credential.document)
    document["credentialSubject"]["achievement"]["description"] = "Expert en tout, sans formation."
    Credential.objects.filter(pk=credential.pk).update(document=json.dumps(document, ensure_ascii=False))

    page = page_of(get_html(client, credential_path(credential)))

    assert page.banner_status == "invalid"
    assert "signature invalide" in page.banner.lower()
    assert "Ce badge est valide" not in page.text


def test_a_credential_whose_key_cannot_be_resolved_is_shown_as_unverifiable(client, credential, settings):
    settings.BADGES_PUBLIC_URL = "https://ailleurs.example.test"  # the issuer's did:web is no longer ours

    page = page_of(get_html(client, credential_path(credential)))

    assert page.banner_status == "unverifiable"
    assert page.banner.startswith("Non vérifiable")


def test_the_status_banner_says_when_it_was_checked(client, credential):
    page = page_of(get_html(client, credential_path(credential)))

    assert "Vérification effectuée le" in page.banner


def test_the_page_shows_the_badge_image_with_the_achievement_name_as_alt_text(client, credential):
    page = page_of(get_html(client, credential_path(credential)))
    image_url = json.loads(credential.document)["credentialSubject"]["achievement"]["image"]["id"]

    images = page.all("img", src=urlsplit(image_url).path)  # this service's own image, by its path
    assert len(images) == 1
    assert images[0]["alt"] == credential.achievement.name


def test_the_page_shows_description_criteria_and_the_issuer_with_a_link_to_its_profile(client, credential):
    page = page_of(get_html(client, credential_path(credential)))

    assert credential.achievement.description in page.text
    assert credential.achievement.criteria_narrative in page.text
    assert page.all("a", href=f"/issuers/{credential.issuer.slug}")
    assert f"Émetteur {credential.issuer.name}" in page.text


def test_the_page_links_the_detailed_criteria_when_the_achievement_has_a_criteria_url(client, issuer):
    achievement = AchievementFactory(issuer=issuer, criteria_url="https://formation.ville-exemple.fr/accueil")
    credential = PublicCredentialFactory(achievement=achievement)

    page = page_of(get_html(client, credential_path(credential)))

    assert page.all("a", href="https://formation.ville-exemple.fr/accueil")


def test_the_page_shows_the_issue_date_and_that_there_is_no_expiry_date(client, credential):
    page = page_of(get_html(client, credential_path(credential)))

    assert f"Date de délivrance {french_date(credential.valid_from)}" in page.text
    assert "Validité Sans date d’expiration" in page.text


def test_the_page_lists_every_named_check_in_french_inside_a_details_element(client, credential):
    html = get_html(client, credential_path(credential)).content.decode()
    page = _Page(html)

    details = html[html.index("<details"):html.index("</details>")]
    for label in ("Document lisible", "Vocabulaire reconnu", "Type de document", "Modèle de données",
                  "Clé de l’émetteur", "Signature électronique", "Période de validité", "Statut de révocation"):
        assert label in details
    assert len(page.all("li", **{"class": "check check--passed"})) == 8
    assert "Détail de la vérification (8 contrôles)" in page.text


def test_a_failed_check_is_marked_failed_in_words(client, credential):
    services.credential_revoke(credential=credential, reason="Doublon", actor=SYSTEM)

    page = page_of(get_html(client, credential_path(credential)))

    assert len(page.all("li", **{"class": "check check--failed"})) == 1
    assert "Statut de révocation Échoué" in page.text


def test_the_page_links_the_json_download_and_shows_its_own_url_to_copy(client, credential):
    page = page_of(get_html(client, credential_path(credential)))

    assert page.all("a", href=f"/credentials/{credential.public_id}/credential.json")
    field = page.all("input", id="page-url")[0]
    assert field["value"] == f"https://badges.example.test/credentials/{credential.public_id}"
    assert "readonly" in field
    assert page.all("label", **{"for": "page-url"})
    assert page.all("button", **{"data-copy-target": "page-url"})


# --- languages --------------------------------------------------------------------------------------


def test_french_is_the_default_language(client, credential):
    response = get_html(client, credential_path(credential))
    page = page_of(response)

    assert page.all("html")[0]["lang"] == "fr"
    assert response["Content-Language"] == "fr"
    assert "Aller au contenu" in page.text
    assert "Télécharger le badge (JSON)" in page.text


def test_english_is_served_when_the_browser_asks_for_it(client, credential):
    response = get_html(client, credential_path(credential), language="en")
    page = page_of(response)

    assert page.all("html")[0]["lang"] == "en"
    assert response["Content-Language"] == "en"
    assert page.banner.startswith("Valid")
    assert "This badge is valid" in page.banner
    assert "Download the badge (JSON)" in page.text
    assert "Ce badge" not in page.text


def test_an_unsupported_language_falls_back_to_french(client, credential):
    page = page_of(get_html(client, credential_path(credential), language="de"))

    assert page.all("html")[0]["lang"] == "fr"


def test_the_language_switcher_links_switch_the_page_and_come_back(client, credential):
    path = credential_path(credential)
    page = page_of(get_html(client, path))
    links = {a["hreflang"]: a for a in page.all("a") if "hreflang" in a}
    assert set(links) == {"fr", "en"}
    assert links["fr"]["aria-current"] == "true" and "aria-current" not in links["en"]
    assert links["en"]["href"] == f"/langue/en?next={path}" and links["en"]["rel"] == "nofollow"

    response = client.get(links["en"]["href"])

    assert response.status_code == 302 and response["Location"] == path
    assert "no-store" in response["Cache-Control"]
    switched = page_of(get_html(client, path))
    assert switched.all("html")[0]["lang"] == "en"
    assert {a["hreflang"]: a for a in switched.all("a") if "hreflang" in a}["en"]["aria-current"] == "true"


@pytest.mark.parametrize("next_path", ["https://elsewhere.example/phish", "//elsewhere.example/", ""])
def test_the_language_switch_goes_home_rather_than_to_another_site(client, db, next_path):
    response = client.get("/langue/en", {"next": next_path})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"


def test_the_language_switch_refuses_an_unknown_language_and_a_post(client, db):
    assert client.get("/langue/de?next=/").status_code == 404
    assert client.post("/langue/en?next=/").status_code == 405
    assert "django_language" not in client.cookies


# --- not found ------------------------------------------------------------------------------------


def test_an_unknown_credential_gets_the_friendly_not_found_page(client, db):
    response = get_html(client, f"/credentials/{uuid.uuid4()}")

    assert response.status_code == 404
    page = page_of(response)
    assert page.h1 == "Ce badge est introuvable ou n’est pas public"
    assert "ne signifie pas que le badge est falsifié" in page.text
    assert page.all("a", href="/verifier")


def test_an_unknown_credential_asked_as_json_gets_a_json_error(client, db):
    response = client.get(f"/credentials/{uuid.uuid4()}", HTTP_ACCEPT="application/ld+json")

    assert response.status_code == 404
    assert response.json()["error"]["code"]


def test_a_malformed_credential_id_gets_the_not_found_page(client, db):
    response = get_html(client, "/credentials/pas-un-identifiant")

    assert response.status_code == 404
    assert page_of(response).h1 == "Ce badge est introuvable ou n’est pas public"


def test_an_unknown_address_gets_the_same_friendly_page_in_english_when_asked(client, db):
    response = get_html(client, "/nulle-part", language="en")

    assert response.status_code == 404
    assert page_of(response).h1 == "Page not found"


# --- achievements, issuers, DID documents, home ---------------------------------------------------------


def test_the_achievement_page_describes_the_badge_in_html(client, achievement):
    page = page_of(get_html(client, f"/achievements/{achievement.slug}"))

    assert page.h1 == achievement.name
    assert achievement.description in page.text
    assert achievement.criteria_narrative in page.text
    assert page.all("a", href=f"/issuers/{achievement.issuer.slug}")
    assert page.all("img", alt=achievement.name)


def test_the_achievement_page_gives_its_open_badges_document_as_json(client, achievement):
    response = client.get(f"/achievements/{achievement.slug}", HTTP_ACCEPT="application/ld+json")

    assert response["Content-Type"].startswith("application/ld+json")
    document = response.json()
    assert document["id"] == f"https://badges.example.test/achievements/{achievement.slug}"
    assert document["name"] == achievement.name


def test_the_issuer_page_lists_its_achievements_and_links_its_did_document(client, issuer):
    first = AchievementFactory(issuer=issuer)
    second = AchievementFactory(issuer=issuer)
    AchievementFactory()  # another issuer's

    page = page_of(get_html(client, f"/issuers/{issuer.slug}"))

    assert page.h1 == issuer.name
    links = {a["href"] for a in page.all("a") if a.get("href", "").startswith("/achievements/")}
    assert links == {f"/achievements/{first.slug}", f"/achievements/{second.slug}"}
    assert page.all("a", href=f"/issuers/{issuer.slug}/did.json")
    assert f"did:web:badges.example.test:issuers:{issuer.slug}" in page.text


def test_an_issuer_without_achievements_says_so(client, issuer):
    page = page_of(get_html(client, f"/issuers/{issuer.slug}"))

    assert "Cet émetteur n’a encore publié aucun badge." in page.text


def test_the_issuer_page_gives_its_profile_as_json(client, issuer):
    response = client.get(f"/issuers/{issuer.slug}", HTTP_ACCEPT="application/ld+json")

    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json()["type"] == ["Profile"]
    assert response.json()["name"] == issuer.name


def test_the_did_document_is_served_as_application_did_json(client, issuer):
    response = client.get(f"/issuers/{issuer.slug}/did.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    assert response.json()["id"] == f"did:web:badges.example.test:issuers:{issuer.slug}"


def test_the_home_page_presents_the_service_and_links_every_issuer(client, issuer):
    other = services.issuer_create(slug="direction-des-sports", name="Direction des sports")

    response = get_html(client, "/")

    assert response.status_code == 200
    page = page_of(response)
    assert "badges numériques" in page.h1
    assert page.all("a", href=f"/issuers/{issuer.slug}")
    assert page.all("a", href=f"/issuers/{other.slug}")


def test_the_home_page_works_before_any_issuer_exists(client, db):
    page = page_of(get_html(client, "/"))

    assert "Aucun émetteur n’est encore enregistré." in page.text


# --- structure shared by every page ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "credential", "achievement", "issuer", "/introuvable"])
def test_every_page_has_one_h1_landmarks_a_skip_link_and_the_stylesheet(client, credential, path):
    url = {"credential": credential_path(credential),
           "achievement": f"/achievements/{credential.achievement.slug}",
           "issuer": f"/issuers/{credential.issuer.slug}"}.get(path, path)

    page = page_of(get_html(client, url))

    assert len(page.all("h1")) == 1
    assert len(page.all("header")) == 1 and len(page.all("main")) == 1 and len(page.all("footer")) == 1
    skip = page.all("a")[0]
    assert skip["class"] == "skip-link" and skip["href"] == "#contenu"
    assert page.all("main", id="contenu")
    assert page.all("link", rel="stylesheet", href="/static/css/site.css")
    assert all("alt" in image for image in page.all("img"))
    assert not [s for s in page.all("script") if "src" not in s], "no inline script"
    assert not [s for _, s in page.elements if s.get("src", "").startswith(("http://", "//"))
                and "badges.example.test" not in s["src"]], "nothing loaded from elsewhere"
