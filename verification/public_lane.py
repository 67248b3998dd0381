"""A short lane for the most requested address of the service: a public credential, asked for by a visitor who is
not signed in (a QR code scanned, a link shared, a verifier fetching the JSON).

``PublicCredentialLane`` sits right after the request log in ``MIDDLEWARE``. For ``GET``/``HEAD
/credentials/<uuid>`` with no query string and no session cookie, it calls the credential view itself in
cache-only mode (``page_cache.CACHE_ONLY``): the view answers from memory what it would answer anyway (the stored
JSON of a public credential, or the rendered page for the credential's current state), or raises ``NotCached``,
and the request then takes the full chain as if the lane were not there. What the lane skips is what such a
request does not need; what it keeps, it takes from the same middleware classes, so a header rule stays defined
in one place:

* ``APPLIED``: the middlewares whose ``process_request`` and ``process_response`` the lane calls, in
  ``MIDDLEWARE``'s order (host check, HTTPS redirect, language, CSRF cookie, ``ETag``/304, ``Content-Length``,
  security headers, ``X-Frame-Options``, CSP), and the rate limit, counted with the same counters;
* ``SKIPPED``: every other middleware after the lane, with the reason it has nothing to do here. A middleware
  added to ``MIDDLEWARE`` in neither list stops the process at start-up: someone must decide.

The answer is the full chain's, header for header (``tests/verification/test_public_lane.py`` compares them).

**What the middlewares did, kept** (``Done``). For a request with no cookie and no conditional header, the applied
middlewares' work depends only on a few of the request's inputs (``memo_key``: the method, the ``Accept``,
``Accept-Language``, host and forwarded-host headers, whether it came over HTTPS) and on the view's answer (its
status, headers and body). The lane keeps, per key, the language ``LocaleMiddleware`` activated and the headers
the middlewares left, together with the view's answer they were applied to. The next request with that key
activates the same language, calls the view (which reads the live state as always), and when the view answers
the very same status, headers and body, takes the kept headers instead of calling the middlewares again; any
other answer (a revocation, the next minute's page) goes through them, and is kept in turn. What each applied
middleware reads, and why it is in the key: ``SecurityMiddleware`` HTTPS and the host (redirect, HSTS);
``LocaleMiddleware`` ``Accept-Language`` and the language cookie (none here); ``CommonMiddleware`` the host;
``CsrfViewMiddleware`` the CSRF cookie (none here); ``ConditionalGetMiddleware`` the conditional headers (none
here); ``XFrameOptionsMiddleware`` and the CSP the answer only; the view ``Accept``.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, resolve
from django.utils import translation
from django.utils.module_loading import import_string

from . import counting, page_cache

PATH = re.compile(r"/credentials/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
LANE = "verification.public_lane.PublicCredentialLane"

APPLIED = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "badges_service.security.ContentSecurityPolicyMiddleware",
)
SKIPPED = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "serves only STATIC_URL",
    "badges_service.middleware.RejectNulCharactersMiddleware": "the path is a UUID and there is no query string",
    "django.contrib.sessions.middleware.SessionMiddleware": "no session cookie: there is no session to load",
    "badges_service.middleware.RemoveSlashMiddleware": "the path has no trailing slash",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "no session cookie: the visitor is anonymous",
    "badges_service.ratelimit.PublicRateLimitMiddleware": "counted by the lane (counting.limit_and_count)",
    "django.contrib.messages.middleware.MessageMiddleware": "no session cookie: no message is waiting",
    "django_prometheus.middleware.PrometheusAfterMiddleware": "the page's verifications are counted in "
                                                              "badges_verifications_total; per-view latency is not",
}


MEMO_ENTRIES = 512  # keys are made of request headers: bounded, the oldest dropped first
_UNKEPT = ("HTTP_COOKIE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


@dataclass(frozen=True)
class Done:
    """What the applied middlewares did to a view's answer (see the module's docstring)."""

    language: str  # activated by LocaleMiddleware
    status: int  # the view's answer ...
    view_headers: dict  # ... its headers (ResponseHeaders' own store) ...
    body: bytes  # ... and body
    headers: dict  # the headers after the middlewares (the same store)


def memo_key(request: HttpRequest, public_id: str) -> tuple | None:
    """The inputs the applied middlewares and the view read, or None for a request whose answer is not kept (a
    cookie, a conditional header)."""
    meta = request.META
    if any(meta.get(name) for name in _UNKEPT):  # an empty Cookie header (the test client's) is no cookie
        return None
    return (public_id, request.method, meta.get("HTTP_ACCEPT", ""), meta.get("HTTP_ACCEPT_LANGUAGE", ""),
            meta.get("HTTP_HOST", ""), meta.get("HTTP_X_FORWARDED_HOST", ""), request.is_secure())


def _nothing(request: HttpRequest) -> None:  # the get_response of the middlewares the lane calls piecewise
    return None


class PublicCredentialLane:
    def __init__(self, get_response):
        from .views import credential_detail

        self.get_response = get_response
        self.view = credential_detail
        self.match = resolve("/credentials/00000000-0000-0000-0000-000000000000")  # for the request log's view name
        after = settings.MIDDLEWARE[settings.MIDDLEWARE.index(LANE) + 1:]
        undecided = [path for path in after if path not in APPLIED and path not in SKIPPED]
        if undecided:
            raise ImproperlyConfigured(f"verification.public_lane must either apply or skip {', '.join(undecided)}.")
        applied = [import_string(path)(_nothing) for path in after if path in APPLIED]
        self.before = [m.process_request for m in applied if hasattr(m, "process_request")]
        self.after = [m.process_response for m in reversed(applied) if hasattr(m, "process_response")]
        self.memo: dict[tuple, Done] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PATH.fullmatch(request.path_info)
        if (match is None or request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING")
                or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return self.get_response(request)
        response = self._answer(request, match.group(1))
        return response if response is not None else self.get_response(request)

    def _answer(self, request: HttpRequest, public_id: str) -> HttpResponse | None:
        key = memo_key(request, public_id)
        done = self.memo.get(key) if key is not None else None
        if done is not None:
            translation.activate(done.language)
            request.LANGUAGE_CODE = done.language
            response = self._view(request, public_id)
            if response is None:
                return None
            if (response.status_code == done.status and response.headers._store == done.view_headers
                    and response.content == done.body):
                response.headers._store = done.headers.copy()  # what the middlewares would set, set
                limited = self._limited(request)
                return self._finish(request, limited) if limited is not None else response
            # Another answer (the state changed, the minute turned): through the middlewares, as at first.
        for process_request in self.before:
            response = process_request(request)  # a redirect to HTTPS, say
            if response is not None:
                return self._finish(request, response)
        response = self._view(request, public_id)
        if response is None:
            return None
        seen = (response.status_code, response.headers._store.copy(), response.content)
        limited = self._limited(request)
        if limited is not None:
            return self._finish(request, limited)
        response = self._finish(request, response)
        if key is not None and seen[0] == 200 and not response.cookies and not response.streaming:
            self._keep(key, Done(translation.get_language(), *seen, response.headers._store.copy()))
        return response

    def _view(self, request: HttpRequest, public_id: str) -> HttpResponse | None:
        """The view's answer from the caches, or None (the full chain answers)."""
        setattr(request, page_cache.CACHE_ONLY, True)
        m = self.match
        request.resolver_match = ResolverMatch(m.func, (), {"public_id": public_id}, m.url_name, m.app_names,
                                               m.namespaces, m.route)
        try:
            return self.view(request, public_id=public_id)
        except page_cache.NotCached:
            request.resolver_match = None
            return None  # the full chain counts the request against the rate limit, then answers
        finally:
            setattr(request, page_cache.CACHE_ONLY, False)

    @staticmethod
    def _limited(request: HttpRequest) -> HttpResponse | None:
        """The rate limit's refusal, or None once the view's use is counted."""
        return counting.limit_and_count(request, getattr(request, page_cache.VIEW_TO_COUNT, None))

    def _keep(self, key: tuple, done: Done) -> None:
        if len(self.memo) >= MEMO_ENTRIES:
            with contextlib.suppress(RuntimeError, StopIteration, KeyError):  # another thread changed it meanwhile
                self.memo.pop(next(iter(self.memo)))
        self.memo[key] = done

    def _finish(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for process_response in self.after:
            response = process_response(request, response)
        return response
