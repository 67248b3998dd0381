"""The SSRF-safe fetcher (badges_service/fetch.py): public http(s) only, checked after DNS and on every redirect,
pinned to the checked address, within size, time and media-type limits.

Documents are served by a real loopback server, allowed explicitly by address and port; every other
non-public address is refused. Names are resolved by an injected resolver (the suite allows no DNS).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from badges_service.fetch import REFUSAL_CODES, FetchError, FetchPolicy, fetch, parse_allowed_private

from .document_server import DocumentServer

JSON = ("application/json", "application/ld+json")


@pytest.fixture
def server():
    server = DocumentServer()
    yield server
    server.close()


def _policy(server: DocumentServer | None = None, **overrides) -> FetchPolicy:
    allowed = parse_allowed_private([server.allowance]) if server else frozenset()
    return FetchPolicy(**{"allowed_private": allowed, "total_timeout": 5.0, "read_timeout": 2.0, **overrides})


def _refusal(url: str, *, resolve=None, policy: FetchPolicy | None = None) -> FetchError:
    def no_dns(host, port):
        raise AssertionError(f"{host} should have been refused before any lookup")

    with pytest.raises(FetchError) as caught:
        fetch(url, policy=policy or _policy(), accept=JSON, resolve=resolve or no_dns)
    return caught.value


def test_an_allowed_server_answers_with_the_body_and_media_type(server):
    url = server.serve("/credential.json", '{"ok": true}', content_type="application/ld+json; charset=utf-8")
    fetched = fetch(url, policy=_policy(server), accept=JSON)
    assert fetched.body == b'{"ok": true}' and fetched.content_type == "application/ld+json"
    path, headers = server.requests[-1]
    assert path == "/credential.json" and headers["Accept-Encoding"] == "identity"


def test_loopback_is_refused_without_the_explicit_allowance(server):
    url = server.serve("/credential.json", "{}")
    error = _refusal(url)
    assert error.code == "address_not_public" and error.refused and "loopback" in str(error)
    assert server.requests == []  # nothing was sent


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
    ("192.168.1.1", "private"), ("169.254.169.254", "link-local"), ("100.64.0.1", "CGNAT"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"), ("192.0.2.10", "private"),
    ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"), ("fd12:3456::1", "unique local"),
    ("fc00::1", "unique local"), ("fec0::1", "site-local"), ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "mapped"), ("::ffff:8.8.8.8", "mapped"), ("::127.0.0.1", "compatible"),
    ("2002:7f00:1::1", "6to4"), ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"), ("64:ff9b::a00:1", "NAT64"),
])
def test_every_non_public_address_class_is_refused_as_a_literal_and_after_resolution(address, kind):
    literal = f"[{address}]" if ":" in address else address
    assert _refusal(f"http://{literal}/x").code == "address_not_public"
    error = _refusal("https://badges.attacker.example/x", resolve=lambda host, port: [address])
    assert error.code == "address_not_public" and kind.lower() in str(error).lower()


def test_a_name_resolving_to_one_public_and_one_private_address_is_refused():
    error = _refusal("https://rebind.attacker.example/x", resolve=lambda host, port: ["93.184.215.14", "10.0.0.1"])
    assert error.code == "address_not_public"


@pytest.mark.parametrize("host", ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "017700000001",
                                  "0.0.0.0.", "10.1"])
def test_decimal_octal_hex_and_short_ip_forms_are_refused_before_any_lookup(host):
    assert _refusal(f"http://{host}/x").code in ("ambiguous_host", "address_not_public")


@pytest.mark.parametrize(("url", "code"), [
    ("file:///etc/passwd", "scheme_not_allowed"), ("gopher://example.org/", "scheme_not_allowed"),
    ("ftp://example.org/x", "scheme_not_allowed"), ("//example.org/x", "scheme_not_allowed"),
    ("https://user:secret@example.org/x", "credentials_in_url"), ("https://example.org:22/x", "port_not_allowed"),
    ("http://example.org:25/x", "port_not_allowed"), ("https://exa mple.org/", "bad_url"),
    ("https://example.org:99999/", "bad_url"), ("https:///nohost", "bad_url"), ("https://ex_ample.org/", "bad_url"),
])
def test_urls_that_are_not_public_http_are_refused(url, code):
    error = _refusal(url)
    assert error.code == code and error.code in REFUSAL_CODES and error.refused


def test_the_connection_goes_to_the_checked_address_not_to_a_second_lookup(server):
    """DNS rebinding: the first answer is checked and used; a resolver that changes its mind is not asked again."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    server.serve("/did.json", "{}")
    fetched = fetch(f"http://issuer.example:{server.port}/did.json", policy=_policy(server), accept=JSON,
                    resolve=lambda host, port: next(answers))
    assert fetched.body == b"{}"
    path, headers = server.requests[-1]
    assert headers["Host"] == f"issuer.example:{server.port}"  # the name is still the one asked for


def test_a_redirect_to_a_private_address_is_refused(server):
    url = server.serve("/moved", "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    error = _refusal(url, policy=_policy(server))
    assert error.code == "address_not_public" and "link-local" in str(error)


def test_redirects_are_followed_within_the_limit_and_each_hop_is_checked(server):
    server.serve("/a", "", status=301, headers={"Location": "/b"})
    server.serve("/b", "", status=307, headers={"Location": f"{server.origin}/c"})
    server.serve("/c", '{"at": "c"}')
    fetched = fetch(server.origin + "/a", policy=_policy(server), accept=JSON)
    assert fetched.url == server.origin + "/c" and fetched.body == b'{"at": "c"}'
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/a", policy=_policy(server, max_redirects=1), accept=JSON)
    assert caught.value.code == "fetch_too_many_redirects"
    server.serve("/loop", "", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/loop", policy=_policy(server), accept=JSON)
    assert caught.value.code == "fetch_too_many_redirects"


def test_an_oversized_body_is_abandoned_whether_announced_or_not(server):
    server.serve("/big", b"x" * 5000)
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/big", policy=_policy(server, max_bytes=1000), accept=JSON)
    assert caught.value.code == "fetch_too_large" and not caught.value.refused
    server.serve("/big-unannounced", b"x" * 3000, drip_seconds=0.0001)  # no Content-Length: counted while read
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/big-unannounced", policy=_policy(server, max_bytes=1000), accept=JSON)
    assert caught.value.code == "fetch_too_large"


def test_a_body_dripped_slowly_is_abandoned_at_the_total_time_limit(server):
    """Each byte arrives well within the read timeout; the total limit still ends the fetch."""
    server.serve("/slow", b"{" + b" " * 200 + b"}", drip_seconds=0.05)
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/slow", policy=_policy(server, total_timeout=0.5, read_timeout=2.0), accept=JSON)
    assert caught.value.code == "fetch_timeout"


def test_a_server_that_stops_sending_hits_the_read_timeout(server):
    server.serve("/stall", b"{}" + b" " * 10, drip_seconds=1.0)
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/stall", policy=_policy(server, read_timeout=0.2, total_timeout=5.0), accept=JSON)
    assert caught.value.code == "fetch_timeout"


def test_only_the_expected_media_types_and_2xx_answers_are_accepted(server):
    server.serve("/page", "<html></html>", content_type="text/html")
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/page", policy=_policy(server), accept=JSON)
    assert caught.value.code == "fetch_content_type"
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/missing", policy=_policy(server), accept=JSON)
    assert caught.value.code == "fetch_http_status" and "404" in str(caught.value) and caught.value.status == 404


def test_a_410_gone_is_told_apart_with_its_json_body_read_under_the_same_limits(server):
    """OB 2.0 "Hosted verification": a revoked assertion's URL answers 410 Gone, optionally with a JSON body."""
    server.serve("/gone", b'{"revoked": true, "revocationReason": "erreur"}', status=410)
    with pytest.raises(FetchError) as caught:
        fetch(server.origin + "/gone", policy=_policy(server), accept=JSON)
    assert (caught.value.code, caught.value.status) == ("fetch_gone", 410) and b"erreur" in caught.value.body
    server.serve("/gone-big", b"{" + b" " * 5000 + b"}", status=410)
    server.serve("/gone-html", "<h1>Gone</h1>", status=410, content_type="text/html")
    for path in ("/gone-big", "/gone-html"):
        with pytest.raises(FetchError) as caught:
            fetch(server.origin + path, policy=_policy(server, max_bytes=1000), accept=JSON)
        assert (caught.value.code, caught.value.body) == ("fetch_gone", b"")


def test_an_unresolvable_name_is_a_fetch_failure_not_a_refusal():
    def failing(host, port):
        raise OSError("no such host")

    with pytest.raises(FetchError) as caught:
        fetch("https://nowhere.example/x", policy=_policy(), accept=JSON, resolve=failing)
    assert caught.value.code == "fetch_dns_failed" and not caught.value.refused


def test_https_verifies_the_certificate_of_the_name(tmp_path):
    tls = DocumentServer(tls_dir=tmp_path)
    try:
        url = tls.serve("/did.json", "{}")
        with pytest.raises(FetchError) as caught:  # a certificate no one trusts
            fetch(url, policy=_policy(tls), accept=JSON)
        assert caught.value.code == "fetch_tls_failed"
        import ssl

        trusted = _policy(tls, ssl_context=ssl.create_default_context(cafile=str(tls.ca_file)))
        assert fetch(url, policy=trusted, accept=JSON).body == b"{}"
        with pytest.raises(FetchError) as caught:  # https -> http is a downgrade
            tls.serve("/down", "", status=302, headers={"Location": f"http://127.0.0.1:{tls.port}/did.json"})
            fetch(tls.origin + "/down", policy=trusted, accept=JSON)
        assert caught.value.code == "redirect_refused"
    finally:
        tls.close()


def test_production_refuses_to_start_with_a_private_allowance():
    root = Path(__file__).resolve().parents[2]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BADGES_", "DATABASE_URL"))},
           "DJANGO_SETTINGS_MODULE": "badges_service.settings.production", "DJANGO_SECRET_KEY": "x" * 60,
           "BADGES_KEY_ENCRYPTION_KEYS": "Sx5n1g5oJ9c2b1Qm0cYh8yq8Zs0f2QGk8r7m3Jm5w3E=",
           "DATABASE_URL": "sqlite:////tmp/never-created.sqlite3", "DJANGO_ALLOWED_HOSTS": "badges.example.fr",
           "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "BADGES_FETCH_ALLOWED_PRIVATE": "127.0.0.1:8000"}
    result = subprocess.run([sys.executable, str(root / "manage.py"), "check"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0 and "BADGES_FETCH_ALLOWED_PRIVATE" in result.stderr
    env.pop("BADGES_FETCH_ALLOWED_PRIVATE")
    result = subprocess.run([sys.executable, str(root / "manage.py"), "check"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-800:]
