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
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, resolve
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

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PATH.fullmatch(request.path_info)
        if (match is None or request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING")
                or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return self.get_response(request)
        response = self._answer(request, match.group(1))
        return response if response is not None else self.get_response(request)

    def _answer(self, request: HttpRequest, public_id: str) -> HttpResponse | None:
        for process_request in self.before:
            response = process_request(request)  # a redirect to HTTPS, say
            if response is not None:
                return self._finish(request, response)
        setattr(request, page_cache.CACHE_ONLY, True)
        m = self.match
        request.resolver_match = ResolverMatch(m.func, (), {"public_id": public_id}, m.url_name, m.app_names,
                                               m.namespaces, m.route)
        try:
            response = self.view(request, public_id=public_id)
        except page_cache.NotCached:
            request.resolver_match = None
            return None  # the full chain counts the request against the rate limit, then answers
        finally:
            setattr(request, page_cache.CACHE_ONLY, False)
        limited = counting.limit_and_count(request, getattr(request, page_cache.VIEW_TO_COUNT, None))
        return self._finish(request, limited or response)

    def _finish(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for process_response in self.after:
            response = process_response(request, response)
        return response
