"""``badges_service.csrf_tokens``: Django's CSRF tokens, drawn with one system call, in Django's format and
accepted by Django's own middleware."""

from __future__ import annotations

from collections import Counter

import pytest
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CsrfViewMiddleware,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from badges_service import csrf_tokens


def _post(cookie: str, token: str):
    request = RequestFactory().post("/somewhere", {"csrfmiddlewaretoken": token})
    request.COOKIES["csrftoken"] = cookie
    middleware = CsrfViewMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    return middleware.process_view(request, lambda r: HttpResponse(), (), {})


def test_a_new_visitor_gets_a_secret_for_the_cookie_and_a_masked_token_of_it():
    request = RequestFactory().get("/")
    token = csrf_tokens.get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(secret) == 32 and len(token) == 64 and set(secret + token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert csrf_tokens.get_token(request) != token  # masked anew each time
    assert _unmask_cipher_token(csrf_tokens.get_token(request)) == secret


def test_the_secret_of_the_cookie_sent_is_kept():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "k" * 32
    assert _unmask_cipher_token(csrf_tokens.get_token(request)) == "k" * 32


def test_djangos_middleware_accepts_the_token_and_refuses_a_changed_one():
    request = RequestFactory().get("/")
    token = csrf_tokens.get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert _post(secret, token) is None  # accepted
    changed = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert _post(secret, changed).status_code == 403


def test_every_character_is_drawn_uniformly_from_the_bytes(monkeypatch):
    monkeypatch.setattr(csrf_tokens.os, "urandom", lambda n: bytes(range(256)))
    drawn = csrf_tokens.random_chars(248)  # one of each byte below 248, in order
    assert Counter(drawn) == {c: 4 for c in CSRF_ALLOWED_CHARS}


@pytest.mark.parametrize("n", [1, 32, 300])
def test_random_strings_have_the_length_asked(n):
    assert len(csrf_tokens.random_chars(n)) == n
