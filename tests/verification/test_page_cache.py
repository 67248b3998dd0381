"""The credential page served from the cache (``verification.page_cache``): the same page as rendered, never
stale (a revocation, suspension, reinstatement, key revocation or expiry shows on the next request), and a
conditional request answered 304 without rendering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from indicators.models import CredentialUsage
from issuers import services
from issuers.models import SigningKey
from issuers.permissions import SYSTEM
from tests.issuers.factories import PublicCredentialFactory
from verification import page_cache

from .test_public_pages import credential_path, get_html, page_of


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def credential(achievement):
    return PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")


def cached_get(client, credential):
    """A GET that must be answered from the cache: no template rendered."""
    response = get_html(client, credential_path(credential))
    assert response.status_code == 200
    assert not response.templates, "the page was rendered, not served from the cache"
    return response


def test_the_page_from_the_cache_is_the_page_as_rendered(client, achievement, monkeypatch):
    with freeze_time("2027-06-01T10:15:00Z"):
        credential = PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")
        first = get_html(client, credential_path(credential))
        assert first.templates  # a miss: rendered, and kept
        second = cached_get(client, credential)
        monkeypatch.setattr(page_cache, "anonymous_canonical", lambda request, public_id: False)
        uncached = get_html(client, credential_path(credential))
        assert uncached.templates
    bodies = [r.content.decode() for r in (first, second, uncached)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert "Vérification effectuée le 1 juin 2027 à 12:15" in page_of(second).banner
    assert page_of(second).banner_status == "valid"


def test_the_page_from_the_cache_sets_no_cookie_and_its_language_links_switch_it(client, credential):
    path = credential_path(credential)
    get_html(client, path)
    response = cached_get(client, credential)
    assert not response.cookies and "Cookie" in response["Vary"]  # a session or language cookie would change it
    assert not any(marker in response.content.decode() for marker in page_cache.stand_ins().values())
    english = page_of(response).all("a", hreflang="en")[0]["href"]
    assert english == "/langue/en?next=" + path
    assert client.get(english).status_code == 302
    assert get_html(client, path).templates  # the English page: a miss, rendered
    assert cached_get(client, credential)["Content-Language"] == "en"


def test_a_conditional_request_with_the_etag_is_answered_304_without_rendering(
        client, achievement, django_assert_num_queries):
    with freeze_time("2027-06-01T10:15:00Z"):
        credential = PublicCredentialFactory(achievement=achievement)
        etag = get_html(client, credential_path(credential))["ETag"]
        # The state read and the count of the view (in the test's transaction: savepoint, INSERT, release).
        with django_assert_num_queries(4):
            response = client.get(credential_path(credential), HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert not response.templates and response["ETag"] == etag
    assert response["Cache-Control"] == "private, no-cache"
    assert CredentialUsage.objects.filter(credential=credential, kind="verification", channel="page").count() == 2


def test_the_etag_changes_with_the_status_the_language_and_the_minute_of_the_check(client, achievement):
    with freeze_time("2027-06-01T10:15:00Z"):
        credential = PublicCredentialFactory(achievement=achievement)
        path = credential_path(credential)
        etag = get_html(client, path)["ETag"]
        assert get_html(client, path, language="en")["ETag"] != etag
        services.credential_suspend(credential=credential, reason="Contrôle en cours", actor=SYSTEM)
        response = client.get(path, HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and page_of(response).banner_status == "suspended"
    with freeze_time("2027-06-01T10:16:00Z"):
        assert client.get(path, HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_a_revocation_shows_on_the_next_request(client, credential):
    get_html(client, credential_path(credential))
    assert page_of(cached_get(client, credential)).banner_status == "valid"
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    page = page_of(get_html(client, credential_path(credential)))
    assert page.banner_status == "revoked" and "Erreur de saisie" in page.banner
    assert page_of(cached_get(client, credential)).banner_status == "revoked"


def test_a_suspension_and_a_reinstatement_show_on_the_next_request(client, credential):
    get_html(client, credential_path(credential))
    cached_get(client, credential)
    services.credential_suspend(credential=credential, reason="Contrôle en cours", actor=SYSTEM)
    assert page_of(get_html(client, credential_path(credential))).banner_status == "suspended"
    assert page_of(cached_get(client, credential)).banner_status == "suspended"
    services.credential_reinstate(credential=credential, actor=SYSTEM)
    assert page_of(get_html(client, credential_path(credential))).banner_status == "valid"


def test_a_key_revocation_shows_on_the_next_request(client, credential):
    get_html(client, credential_path(credential))
    cached_get(client, credential)
    key = SigningKey.objects.get(pk=credential.signing_key_id)
    services.key_revoke(key=key, compromised_since=credential.issued_at - timedelta(days=1), actor=SYSTEM)
    response = get_html(client, credential_path(credential))
    assert page_of(response).banner_status == "invalid"
    assert [c.code for c in response.context["report"].checks if c.name == "key"] == ["key_revoked"]
    assert page_of(cached_get(client, credential)).banner_status == "invalid"


def test_an_expiry_shows_on_the_first_request_after_it(client, achievement):
    issued = timezone.now() - timedelta(days=10)
    credential = services.credential_issue(achievement=achievement, recipient_email="agent@ville-exemple.fr",
                                           now=issued, valid_until=issued + timedelta(days=20), actor=SYSTEM)
    services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
    get_html(client, credential_path(credential))
    assert page_of(cached_get(client, credential)).banner_status == "valid"
    with freeze_time(credential.valid_until + timedelta(seconds=1)):
        assert page_of(get_html(client, credential_path(credential))).banner_status == "expired"


def test_a_credential_made_private_is_no_longer_served_from_the_cache(client, credential):
    get_html(client, credential_path(credential))
    cached_get(client, credential)
    services.credential_visibility_set(credential=credential, public=False, actor=SYSTEM)
    assert get_html(client, credential_path(credential)).status_code == 404
    assert client.get(credential_path(credential), HTTP_ACCEPT="application/ld+json").status_code == 404


def test_a_signed_in_visitor_and_another_address_get_the_page_rendered(client, credential, user):
    get_html(client, credential_path(credential))
    assert get_html(client, credential_path(credential) + "?utm_source=mail").templates
    assert get_html(client, credential_path(credential).upper().replace("/CREDENTIALS/", "/credentials/")).templates
    client.force_login(user)
    assert get_html(client, credential_path(credential)).templates


def test_a_page_the_cache_does_not_describe_is_verified_on_every_request(client, credential):
    """A row whose validity dates are not the stored document's: the state read could not tell its phase."""
    type(credential).objects.filter(pk=credential.pk).update(valid_from=credential.valid_from - timedelta(days=1))
    get_html(client, credential_path(credential))
    assert get_html(client, credential_path(credential)).templates


def test_without_redis_the_page_is_verified_and_rendered(client, credential, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(page_cache.django_cache, "get", down)
    monkeypatch.setattr(page_cache.django_cache, "set", down)
    response = get_html(client, credential_path(credential))
    assert response.status_code == 200 and response.templates
    assert page_of(response).banner_status == "valid"


def test_a_changed_template_is_a_new_release_so_no_page_of_the_old_one_is_served(settings, tmp_path):
    (tmp_path / "page.html").write_text("un")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    page_cache.release.cache_clear()
    try:
        before = page_cache.release()
        (tmp_path / "page.html").write_text("deux")
        page_cache.release.cache_clear()
        assert page_cache.release() != before
    finally:
        page_cache.release.cache_clear()
