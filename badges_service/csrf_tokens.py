"""Django's CSRF token (``django.middleware.csrf.get_token``), with its random strings drawn in one system call.

Django draws each of the 32 characters of a secret, and of the mask of each token, with ``secrets.choice``: one
``os.urandom`` call per character, 64 for a new visitor (about 70 us of CPU measured on the credential page, the
cost of the rest of the page). ``get_token`` here draws the same characters, uniformly, from one ``os.urandom``
read (a byte below 248 = 4 x 62 picks ``CSRF_ALLOWED_CHARS[byte % 62]``, others are dropped), and otherwise
does what Django's does: the secret of the CSRF cookie sent (or a new one, flagged for the cookie to be set),
renewed by ``CsrfViewMiddleware``, masked into a 64-character token that Django's own middleware checks.
``tests/test_csrf_tokens.py`` holds it to Django's format and checks.
"""

from __future__ import annotations

import os

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {c: i for i, c in enumerate(_CHARS)}
_BOUND = 256 - 256 % len(_CHARS)  # 248: the bytes that map onto the characters uniformly


def random_chars(n: int) -> str:
    """``n`` characters of ``CSRF_ALLOWED_CHARS``, each uniform and independent (os.urandom)."""
    out: list[str] = []
    while len(out) < n:
        out += [_CHARS[b % len(_CHARS)] for b in os.urandom(n + 8) if b < _BOUND]
    return "".join(out[:n])


def get_token(request: HttpRequest) -> str:
    """As ``django.middleware.csrf.get_token``: a masked token for the request's CSRF secret (a new secret, to be
    set as the cookie, when the request brought none)."""
    secret = request.META.get("CSRF_COOKIE") or random_chars(CSRF_SECRET_LENGTH)
    request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    mask = random_chars(CSRF_SECRET_LENGTH)
    n = len(_CHARS)
    return mask + "".join(_CHARS[(_INDEX[s] + _INDEX[m]) % n] for s, m in zip(secret, mask, strict=True))
