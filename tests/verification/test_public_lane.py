"""The public lane (``verification.public_lane``): anonymous GETs of a public credential answered by the view in
cache-only mode with a few middlewares, and the same answer as the full chain gives, header for header."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from freezegun import freeze_time

from tests.issuers.factories import PublicCredentialFactory
from verification import page_cache, public_lane

from .test_public_pages import credential_path

LANE = public_lane.LANE
VARYING = {"Date", "X-Request-ID"}  # differ between any two answers


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    page_cache._pages.clear()
    page_cache._answers.clear()


@pytest.fixture
def credential(achievement):
    return PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")


@pytest.fixture
def lane_calls(monkeypatch):
    """The answers the lane gave itself (not handed to the full chain)."""
    answered = []
    answer = public_lane.PublicCredentialLane._answer

    def spy(self, request, public_id):
        response = answer(self, request, public_id)
        if response is not None:
            answered.append(request.path)
        return response

    monkeypatch.setattr(public_lane.PublicCredentialLane, "_answer", spy)
    return answered


@pytest.fixture
def middleware_runs(monkeypatch):
    """The lane's answers that went through the applied middlewares (an answer the lane kept does not)."""
    runs = []
    finish = public_lane.PublicCredentialLane._finish

    def spy(self, request, response):
        runs.append(request.path)
        return finish(self, request, response)

    monkeypatch.setattr(public_lane.PublicCredentialLane, "_finish", spy)
    return runs


def _without_lane(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != LANE]


def _get(path, *, cookies=None, **headers):
    return _client({"cookies": cookies or {}}).get(path, **headers)  # a new client: the current settings' middleware


def _headers(response) -> dict[str, str]:
    """The headers, and the cookies set."""
    out = {k: v for k, v in response.headers.items() if k not in VARYING}
    for name, morsel in response.cookies.items():
        out[f"Set-Cookie {name}"] = morsel.OutputString()
    return out


def _body(response) -> str:
    return response.content.decode()


CASES = {
    "page, new visitor": dict(HTTP_ACCEPT="text/html"),
    "page, in English": dict(HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en"),
    "page, English by the language cookie": dict(HTTP_ACCEPT="text/html", cookies={"django_language": "en"}),
    "page, a CSRF cookie from another page": dict(HTTP_ACCEPT="text/html", cookies={"csrftoken": "b" * 32}),
    "JSON-LD": dict(HTTP_ACCEPT="application/ld+json"),
    "JSON": dict(HTTP_ACCEPT="application/json"),
    "curl": dict(HTTP_ACCEPT="*/*"),
}


@pytest.mark.parametrize("case", CASES)
@freeze_time("2027-06-01T10:15:00Z")
def test_the_lane_answers_exactly_what_the_full_chain_answers(case, credential, settings, lane_calls,
                                                              middleware_runs):
    path = credential_path(credential)
    assert _get(path, **CASES[case]).status_code == 200  # a page is rendered and kept
    lane_calls.clear()
    middleware_runs.clear()
    client = _client(CASES[case])  # one client: one lane, which keeps what its middlewares did
    lane = client.get(path, **_headers_of(CASES[case]))
    again = client.get(path, **_headers_of(CASES[case]))
    assert lane_calls == [path, path]
    # Without a cookie, the second answer is the first's headers, kept: the middlewares ran once.
    assert middleware_runs == [path] if "cookies" not in CASES[case] else [path, path]
    _without_lane(settings)
    full = _get(path, **CASES[case])
    assert lane.status_code == again.status_code == full.status_code == 200
    assert _headers(lane) == _headers(again) == _headers(full)
    assert _body(lane) == _body(again) == _body(full)


def _client(case: dict) -> Client:
    client = Client()
    for name, value in case.get("cookies", {}).items():
        client.cookies[name] = value
    return client


def _headers_of(case: dict) -> dict:
    return {k: v for k, v in case.items() if k != "cookies"}


def test_a_kept_answer_is_not_reused_once_the_view_answers_otherwise(credential, middleware_runs):
    path = credential_path(credential)
    client = Client()
    with freeze_time("2027-06-01T10:15:00Z"):
        client.get(path, HTTP_ACCEPT="text/html")  # rendered by the full chain
        first = client.get(path, HTTP_ACCEPT="text/html")
        assert client.get(path, HTTP_ACCEPT="text/html")["ETag"] == first["ETag"]
        assert middleware_runs == [path]  # the second from the lane's kept headers
    with freeze_time("2027-06-01T10:16:00Z"):  # the next minute: another check time, another ETag
        later = client.get(path, HTTP_ACCEPT="text/html")
    assert later["ETag"] != first["ETag"] and middleware_runs == [path, path]
    assert later["Content-Length"] == str(len(later.content))
    credential.revoked_at, credential.revocation_reason = credential.issued_at, "Erreur de saisie"
    credential.save(update_fields=["revoked_at", "revocation_reason"])
    with freeze_time("2027-06-01T10:16:00Z"):
        client.get(path, HTTP_ACCEPT="text/html")  # the revoked page: rendered by the full chain
        revoked = client.get(path, HTTP_ACCEPT="text/html")
    assert revoked["ETag"] not in (first["ETag"], later["ETag"]) and "Erreur de saisie" in _body(revoked)
    assert revoked["Content-Length"] == str(len(revoked.content))


@pytest.mark.parametrize("header", ["HTTP_IF_NONE_MATCH", "HTTP_COOKIE"])
def test_the_answers_of_requests_with_a_cookie_or_a_condition_are_not_kept(header, credential, middleware_runs):
    path = credential_path(credential)
    client = Client()
    client.get(path, HTTP_ACCEPT="application/ld+json")
    for _ in range(2):
        client.get(path, HTTP_ACCEPT="application/ld+json", **{header: '"x"' if "MATCH" in header else "a=b"})
    assert middleware_runs == [path, path, path]


def test_the_kept_answers_are_bounded(credential, middleware_runs, monkeypatch):
    monkeypatch.setattr(public_lane, "MEMO_ENTRIES", 2)
    path = credential_path(credential)
    client = Client()
    for language in ("fr", "en", "de", "fr"):  # three keys, room for two: the first is dropped
        client.get(path, HTTP_ACCEPT="application/ld+json", HTTP_ACCEPT_LANGUAGE=language)
    assert middleware_runs == [path] * 4
    lane = _lane_of(client)
    assert len(lane.memo) == 2
    assert {key[3] for key in lane.memo} == {"de", "fr"}


def _lane_of(client: Client) -> public_lane.PublicCredentialLane:
    """The lane instance in the client's middleware chain."""
    handler = client.handler
    chain = handler._middleware_chain
    seen = set()
    todo = [chain]
    while todo:
        item = todo.pop()
        if isinstance(item, public_lane.PublicCredentialLane):
            return item
        if id(item) in seen:
            continue
        seen.add(id(item))
        for attr in ("get_response", "__wrapped__"):
            if hasattr(item, attr):
                todo.append(getattr(item, attr))
        for cell in getattr(item, "__closure__", None) or ():
            todo.append(cell.cell_contents)
    raise AssertionError("no lane in the chain")


@freeze_time("2027-06-01T10:15:00Z")
def test_a_new_visitor_is_set_no_cookie_by_the_lane_or_the_full_chain(credential, settings, lane_calls):
    path = credential_path(credential)
    missed = _get(path, HTTP_ACCEPT="text/html")
    lane = _get(path, HTTP_ACCEPT="text/html")
    _without_lane(settings)
    full = _get(path, HTTP_ACCEPT="text/html")
    assert lane_calls == [path]
    assert not missed.cookies and not lane.cookies and not full.cookies
    assert lane["ETag"] == full["ETag"] == missed["ETag"]  # the same page for every visitor, in the same minute


@pytest.mark.parametrize("header", ["HTTP_IF_NONE_MATCH"])
def test_a_conditional_request_gets_304_from_the_lane_as_from_the_full_chain(header, credential, settings,
                                                                              lane_calls):
    path = credential_path(credential)
    with freeze_time("2027-06-01T10:15:00Z"):
        for accept in ("text/html", "application/ld+json"):
            etag = _get(path, HTTP_ACCEPT=accept)["ETag"]
            lane = _get(path, HTTP_ACCEPT=accept, **{header: etag})
            assert lane.status_code == 304 and not lane.content
    assert lane_calls == [path, path, path]  # the page's 304, and the JSON's 200 and 304 (JSON needs no rendering)


@pytest.mark.parametrize("variant", ["query string", "session cookie", "upper-case id", "trailing slash",
                                     "sub-resource", "POST"])
def test_other_requests_take_the_full_chain(variant, credential, lane_calls, client):
    path = credential_path(credential)
    client.get(path, HTTP_ACCEPT="text/html")
    if variant == "query string":
        response = client.get(path + "?format=json")
    elif variant == "session cookie":
        client.cookies["sessionid"] = "x"
        response = client.get(path, HTTP_ACCEPT="text/html")
    elif variant == "upper-case id":
        response = client.get(path.upper().replace("/CREDENTIALS/", "/credentials/"), HTTP_ACCEPT="text/html")
    elif variant == "trailing slash":
        response = client.get(path + "/", HTTP_ACCEPT="text/html")
    elif variant == "sub-resource":
        response = client.get(path + "/credential.json")
    else:
        response = client.post(path)
    assert response.status_code in (200, 301, 302, 404, 405)
    assert lane_calls == []


def test_a_miss_private_or_unknown_credential_is_handed_to_the_full_chain(credential, achievement, lane_calls,
                                                                          client):
    assert client.get(credential_path(credential), HTTP_ACCEPT="text/html").templates  # a miss: rendered
    private = PublicCredentialFactory(achievement=achievement)
    private.is_public = False
    private.save(update_fields=["is_public"])
    assert client.get(credential_path(private), HTTP_ACCEPT="text/html").status_code == 404
    assert client.get(f"/credentials/{uuid.uuid4()}", HTTP_ACCEPT="application/json").status_code == 404
    assert lane_calls == []


def test_the_lane_counts_each_request_once_against_the_rate_limit(credential, settings, lane_calls):
    settings.BADGES_RATE_LIMITS = {**settings.BADGES_RATE_LIMITS, "pages": "3/minute"}
    path = credential_path(credential)
    client = Client()
    with freeze_time("2027-06-01T10:15:10Z"):
        statuses = [client.get(path, HTTP_ACCEPT="text/html").status_code for _ in range(4)]  # a miss, then hits
        json_refused = client.get(path, HTTP_ACCEPT="application/json")
    assert statuses == [200, 200, 200, 429]
    assert json_refused.status_code == 429 and json_refused["Retry-After"] == "50"
    assert lane_calls == [path, path, path, path]  # the two hits and the two refusals; the miss took the full chain


def test_the_language_link_of_a_page_from_the_lane_switches_it(credential, lane_calls):
    path = credential_path(credential)
    client = Client()
    client.get(path, HTTP_ACCEPT="text/html")
    page = client.get(path, HTTP_ACCEPT="text/html")
    assert lane_calls == [path] and not page.cookies
    switched = client.get(f"/langue/en?next={path}")
    assert switched.status_code == 302 and switched["Location"] == path
    assert client.get(path, HTTP_ACCEPT="text/html").templates  # the English page: a miss, rendered
    english = client.get(path, HTTP_ACCEPT="text/html")
    assert english["Content-Language"] == "en" and '<html lang="en">' in english.content.decode()
    assert lane_calls == [path, path]


def test_the_request_log_names_the_view_for_the_lane_too(credential, lane_calls, caplog):
    path = credential_path(credential)
    Client().get(path, HTTP_ACCEPT="text/html")
    with caplog.at_level("INFO", logger="badges.request"):
        Client().get(path, HTTP_ACCEPT="text/html")
    record = [r for r in caplog.records if r.name == "badges.request"][-1]
    assert lane_calls == [path] and record.view == "verification:credential" and record.status == 200


def test_a_middleware_the_lane_neither_applies_nor_skips_stops_the_start(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
    with pytest.raises(ImproperlyConfigured, match="GZipMiddleware"):
        public_lane.PublicCredentialLane(lambda request: None)


def test_every_middleware_after_the_lane_is_decided_and_the_rate_limit_is_one_of_the_skipped(settings):
    after = settings.MIDDLEWARE[settings.MIDDLEWARE.index(LANE) + 1:]
    assert set(after) == set(public_lane.APPLIED) | set(public_lane.SKIPPED)
    assert "badges_service.ratelimit.PublicRateLimitMiddleware" in public_lane.SKIPPED
    assert settings.MIDDLEWARE.index(LANE) == settings.MIDDLEWARE.index("badges_service.logs.RequestLogMiddleware") + 1


def test_with_the_usage_buffer_the_lane_counts_the_views_let_through_and_never_a_refused_one(
        credential, settings, lane_calls):
    from indicators import usage_buffer

    settings.BADGES_USAGE_BUFFER = True
    settings.BADGES_RATE_LIMITS = {**settings.BADGES_RATE_LIMITS, "pages": "3/minute"}
    redis = usage_buffer.client()
    if redis is None:
        pytest.fail("needs Redis as the cache: CELERY_BROKER_URL=redis://... (or REDIS_URL)")
    redis.delete(usage_buffer.pending_key())
    field = usage_buffer.field_of(credential_id=credential.pk, kind="verification", channel="page")
    path = credential_path(credential)
    client = Client()
    with freeze_time("2027-06-01T10:15:10Z"):
        statuses = [client.get(path, HTTP_ACCEPT="text/html").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(lane_calls) == 4  # the first, a miss, was rendered by the full chain
    # The miss (rendered by the full chain) and the two pages from the lane; the refusals not at all.
    assert usage_buffer.push() == 3
    assert int(redis.hget(usage_buffer.pending_key(), field) or 0) == 3
    redis.delete(usage_buffer.pending_key())


def test_without_the_buffer_the_lane_counts_the_view_by_the_usual_path(credential, lane_calls):
    from indicators.models import CredentialUsage

    path = credential_path(credential)
    Client().get(path, HTTP_ACCEPT="text/html")
    Client().get(path, HTTP_ACCEPT="text/html")
    assert lane_calls == [path]
    assert CredentialUsage.objects.filter(credential=credential, kind="verification", channel="page").count() == 2
