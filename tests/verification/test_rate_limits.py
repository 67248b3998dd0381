"""Rate limits on public endpoints (badges_service/ratelimit.py): per client and scope, 429 rate_limited with
Retry-After, for the verification API, other API views (the référentiel read API), pages and public documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from freezegun import freeze_time

from badges_service import ratelimit


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"rate-limits-{uuid.uuid4()}"}}
    settings.BADGES_RATE_LIMITS = {"verify": "2/minute", "api": "3/minute", "pages": "2/minute",
                                   "documents": "4/minute", "oauth": "3/minute", "registration": "2/hour"}


def _verify(client, **extra):
    return client.post("/api/v1/verify", data=b"{}", content_type="application/json", **extra)


@freeze_time("2025-06-01 12:00:10")
def test_the_verification_api_answers_429_rate_limited_with_retry_after(client, db):
    assert [_verify(client).status_code for _ in range(2)] == [200, 200]
    refused = _verify(client)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused["Retry-After"] == "50"  # the window (a minute) ends 50 seconds later
    assert refused.json()["error"]["details"]["retry_after"] == 50


def test_the_limit_is_per_client_and_the_window_resets(client, db):
    with freeze_time("2025-06-01 12:00:00") as frozen:
        for _ in range(2):
            _verify(client)
        assert _verify(client).status_code == 429
        assert _verify(client, REMOTE_ADDR="198.51.100.7").status_code == 200  # another client
        frozen.tick(60)
        assert _verify(client).status_code == 200


def test_other_api_views_share_the_api_scope_and_not_the_verify_one(client, db):
    with freeze_time("2025-06-01 12:00:00"):
        statuses = [client.get("/api/v1/frameworks").status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
        assert _verify(client).status_code == 200


def test_lms_intake_is_not_limited(client, db):
    with freeze_time("2025-06-01 12:00:00"):
        statuses = {client.post("/api/v1/events/moodle", data=b"{}", content_type="application/json").status_code
                    for _ in range(5)}
        assert 429 not in statuses and statuses <= {400, 401}


def test_pages_get_a_429_page_for_people_and_json_for_machines(client, achievement):
    with freeze_time("2025-06-01 12:00:00"):
        for _ in range(2):
            assert client.get(f"/achievements/{achievement.slug}", HTTP_ACCEPT="text/html").status_code == 200
        page = client.get(f"/achievements/{achievement.slug}", HTTP_ACCEPT="text/html")
        assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
        assert "réessayez dans 60 secondes" in page.content.decode() and page["Retry-After"] == "60"
        machine = client.get(f"/achievements/{achievement.slug}", HTTP_ACCEPT="application/ld+json")
        assert machine.status_code == 429 and machine.json()["error"]["code"] == "rate_limited"


def test_did_documents_and_status_lists_have_their_own_scope(client, issuer):
    with freeze_time("2025-06-01 12:00:00"):
        for _ in range(2):
            client.get("/")
        assert client.get("/").status_code == 429  # pages exhausted
        statuses = [client.get(f"/issuers/{issuer.slug}/did.json").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]


def test_behind_trusted_proxies_the_client_is_the_forwarded_address(client, db, settings):
    settings.BADGES_TRUSTED_PROXIES = 1
    with freeze_time("2025-06-01 12:00:00"):
        for _ in range(2):
            _verify(client, HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert _verify(client, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
        assert _verify(client, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200
    settings.BADGES_TRUSTED_PROXIES = 0  # without trust, a forged header changes nothing
    with freeze_time("2025-06-01 12:05:00"):
        for n in range(2):
            _verify(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert _verify(client, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_a_cache_outage_lets_requests_through(client, db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit.cache, "add", down)
    assert [_verify(client).status_code for _ in range(4)] == [200] * 4


@pytest.mark.parametrize(("rate", "expected"), [("60/minute", (60, 60)), ("5/s", (5, 1)), ("100/15m", (100, 900)),
                                                ("1000/day", (1000, 86400))])
def test_rates_are_read_as_count_per_period(rate, expected):
    assert ratelimit.parse_rate(rate) == expected


def test_the_cache_is_redis_when_configured_and_local_memory_otherwise():
    root = Path(__file__).resolve().parents[2]
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CACHES['default']))")
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    base["DJANGO_SETTINGS_MODULE"] = "badges_service.settings.test"
    results = {}
    for name, extra in {"none": {}, "redis": {"REDIS_URL": "redis://127.0.0.1:6379/3"},
                        "broker": {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}}.items():
        out = subprocess.run([sys.executable, "-c", code], cwd=root, env={**base, **extra}, capture_output=True,
                             text=True, timeout=120, check=True).stdout
        results[name] = json.loads(out.strip().splitlines()[-1])
    assert results["none"]["BACKEND"].endswith("LocMemCache")
    assert results["redis"]["BACKEND"].endswith("RedisCache") and results["redis"]["LOCATION"].endswith("/3")
    assert results["broker"]["LOCATION"] == "redis://127.0.0.1:6379/0"


@freeze_time("2025-06-01 12:00:00")
def test_client_registration_and_the_oauth_endpoints_are_limited_per_client(client, db):
    register = [client.post("/oauth/register", data=b"{}", content_type="application/json").status_code
                for _ in range(3)]
    assert register[:2] == [400, 400] and register[2] == 429  # refused for its body, then for the rate
    tokens = [client.post("/oauth/token", data={"grant_type": "authorization_code"}).status_code for _ in range(4)]
    assert tokens[3] == 429 and 429 not in tokens[:3]
    assert client.get("/ims/ob/v3p0/discovery").status_code == 200


@freeze_time("2025-06-01 12:00:10")
def test_a_process_takes_requests_in_leases_and_the_limit_holds_across_processes(settings, db):
    from django.core.cache import cache

    settings.BADGES_RATE_LIMITS = {"pages": "640/minute"}
    assert ratelimit.lease_size(640) == 10
    key = "badges:rl:pages:60:1748779200:addr:1"

    def process_a_requests(n):  # a process is its leases: save and restore them around the other's requests
        return [ratelimit.hit("pages", "addr:1") for _ in range(n)]

    assert process_a_requests(5) == [None] * 5
    assert cache.get(key) == 10  # one lease taken from the shared counter, 5 left in process A
    a_leases = dict(ratelimit._leases)
    ratelimit._leases.clear()  # process B
    allowed_b = 0
    while ratelimit.hit("pages", "addr:1") is None:
        allowed_b += 1
    assert allowed_b == 630 and cache.get(key) >= 640
    ratelimit._leases.clear()
    ratelimit._leases.update(a_leases)  # back to process A: what it took is still its to use
    assert process_a_requests(5) == [None] * 5
    assert ratelimit.hit("pages", "addr:1") == 50  # 5 + 630 + 5 = 640: the limit, exactly


def test_low_limits_ask_the_shared_counter_for_every_request():
    assert [ratelimit.lease_size(n) for n in (2, 60, 127, 128, 300, 10**8)] == [1, 1, 1, 2, 4, 64]
