"""Rate limits on public endpoints, counted in Django's cache (Redis when configured, so that every process
shares the counters; process-local memory otherwise).

One fixed window per scope and client: the first request of a window adds a counter that expires with the
window, each request increments it atomically (``cache.add`` + ``cache.incr``, atomic on Redis and in
Django's local-memory cache). Over the limit, the answer is 429 with ``Retry-After`` (seconds to the end of
the window) and ``{"error": {"code": "rate_limited", ...}}``, or, under a path prefix whose standard defines
its own error shape, the answer its app registered (``limited_answer_register``: CASE's ``imsx_StatusInfo``).

* API views (DRF): ``PublicRateThrottle`` in ``DEFAULT_THROTTLE_CLASSES``; a view chooses its scope with
  ``throttle_scope`` (default ``api``); paths in ``BADGES_RATE_LIMIT_API_EXEMPT`` are not limited (LMS intake:
  signed, with its own limits, and a refused completion event would be lost by LMSs that do not retry).
* Pages and public documents: ``PublicRateLimitMiddleware`` maps path patterns to scopes
  (``BADGES_RATE_LIMIT_PATHS``); ``rate_limit(scope)`` decorates a single view.

The client is the signed-in user, or else the address the request came from: ``REMOTE_ADDR``, or, behind
``BADGES_TRUSTED_PROXIES`` reverse proxies, the address the outermost trusted proxy saw in
``X-Forwarded-For``. Rates (``BADGES_RATE_LIMITS``: ``{"scope": "N/second|minute|hour|day"}``) are read on
every request, so they can be changed in tests. A cache that fails lets requests through (and logs it):
a limit must not take the service down.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/minute"`` -> ``(60, 60)``: requests allowed, window in seconds."""
    count, _, period = rate.partition("/")
    number, unit = re.fullmatch(r"(\d*)\s*([a-z]+)", period.strip().lower()).groups()
    return int(count), int(number or 1) * PERIODS[unit]


def client_ident(request: HttpRequest) -> str:
    # A Django request without a session cookie has no signed-in user: its session is left unread, so the answer
    # does not get "Vary: Cookie" for it (a DRF request may be signed in by a token: its user is asked).
    anonymous = isinstance(request, HttpRequest) and settings.SESSION_COOKIE_NAME not in request.COOKIES
    user = None if anonymous else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = getattr(settings, "BADGES_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            # The last ``proxies`` entries were written by our proxies; the one before them is the client.
            address = forwarded[-min(proxies, len(forwarded))]
    return f"addr:{address[:64]}"


def lease_size(limit: int) -> int:
    """How many requests a process takes from a window's shared counter at once (``hit``): one where limits are
    low, at most ``LEASE_MAX``, so that the limit is never exceeded by more than a few requests per process."""
    return max(1, min(LEASE_MAX, limit // LEASE_DIVISOR))


LEASE_MAX = 64
LEASE_DIVISOR = 64  # 300/minute: leases of 4; 60/minute and below: 1 (every request asks the shared counter)
_leases: dict[str, tuple[float, int]] = {}  # window key -> (end of the window, requests left in this process)
_leases_lock = threading.Lock()


def _lease_take(key: str, now: float) -> bool:
    with _leases_lock:
        lease = _leases.get(key)
        if lease is None or lease[1] <= 0 or lease[0] <= now:
            return False
        _leases[key] = (lease[0], lease[1] - 1)
        return True


def _lease_keep(key: str, end: float, left: int, now: float) -> None:
    with _leases_lock:
        if len(_leases) >= 4096:  # drop the windows that have ended
            for old in [k for k, (e, _) in _leases.items() if e <= now]:
                del _leases[old]
        if left > 0:
            _leases[key] = (end, left)


def hit(scope: str, ident: str) -> int | None:
    """Count one request; the seconds to wait if it is over the scope's limit, None if it may proceed.

    A process takes ``lease_size(limit)`` requests at once from the window's shared counter (one round trip to
    Redis) and lets that many through before it asks again: the shared count says what every process has taken,
    and each lease is cut to what the limit leaves."""
    rate = settings.BADGES_RATE_LIMITS.get(scope)
    if not rate:
        return None
    limit, window = parse_rate(rate)
    now = time.time()
    start = int(now // window) * window
    key = f"badges:rl:{scope}:{window}:{start}:{ident}"
    lease = f"{key}:{limit}"  # a limit changed within a window does not inherit the old limit's leases
    if _lease_take(lease, now):
        return None
    size = lease_size(limit)
    try:
        if hasattr(cache, "incr_in_window"):  # Redis (badges_service.redis_cache): one round trip
            count = cache.incr_in_window(key, window + 1, by=size)
        else:
            cache.add(key, 0, timeout=window + 1)
            count = cache.incr(key, size)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.add(key, size, timeout=window + 1)
        count = size
    except Exception:
        logger.warning("Rate limit counter unavailable (scope %s); request let through", scope, exc_info=True)
        return None
    granted = min(size, max(0, limit - (count - size)))  # the part of this lease within the limit
    if granted == 0:
        return max(1, int(start + window - now + 0.999))
    _lease_keep(lease, start + window, granted - 1, now)
    return None


# Path prefix -> the 429 answer in the error shape of the standard served there; apps register theirs at start-up.
_LIMITED_ANSWERS: dict[str, Callable[[HttpRequest, int], HttpResponse]] = {}


def limited_answer_register(prefix: str, answer: Callable[[HttpRequest, int], HttpResponse]) -> None:
    """Answer a request over its limit under ``prefix`` with ``answer(request, retry_after)``."""
    _LIMITED_ANSWERS[prefix] = answer


def rate_limited_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    for prefix, answer in _LIMITED_ANSWERS.items():
        if request.path_info.startswith(prefix):
            response = answer(request, retry_after)
            response["Retry-After"] = str(retry_after)
            return response
    message = _("Trop de requêtes : réessayez dans %(seconds)s secondes.") % {"seconds": retry_after}
    wants_html = request.get_preferred_type(["application/json", "text/html"]) == "text/html" \
        if request.headers.get("Accept") else False
    if wants_html:
        body = (f'<!doctype html><html lang="{getattr(request, "LANGUAGE_CODE", "fr")}"><meta charset="utf-8">'
                f'<title>429</title><p>{message}</p></html>')
        response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    else:
        response = JsonResponse({"error": {"code": "rate_limited", "message": message,
                                           "details": {"retry_after": retry_after}}}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(scope: str):
    """Decorate a Django view: over ``scope``'s limit, answer 429 instead of calling it."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            retry_after = hit(scope, client_ident(request))
            if retry_after is not None:
                return rate_limited_response(request, retry_after)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


_compiled_paths: tuple = (None, [])  # (the setting's list, its compiled patterns): compiled again if it changes


def _compiled(paths) -> list[tuple[re.Pattern, str]]:
    global _compiled_paths
    if _compiled_paths[0] is not paths:
        _compiled_paths = (paths, [(re.compile(p), scope) for p, scope in paths])
    return _compiled_paths[1]


def scope_of(path: str) -> str | None:
    """The scope of ``BADGES_RATE_LIMIT_PATHS`` that ``path`` falls under (first match wins), or None."""
    for pattern, scope in _compiled(settings.BADGES_RATE_LIMIT_PATHS):
        if pattern.match(path):
            return scope
    return None


def request_limit(request: HttpRequest) -> HttpResponse | None:
    """Count ``request`` under its path's scope: the 429 answer when it is over the limit, else None (this
    middleware, and the public lane for the requests it answers itself)."""
    scope = scope_of(request.path_info)
    retry_after = hit(scope, client_ident(request)) if scope else None
    return rate_limited_response(request, retry_after) if retry_after is not None else None


class PublicRateLimitMiddleware:
    """Apply ``BADGES_RATE_LIMIT_PATHS`` (``[(regex, scope), ...]``, first match wins) to every request.

    API paths are left to the DRF throttle. Placed after the authentication middleware, so that a
    signed-in user is counted as such."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return request_limit(request) or self.get_response(request)


class PublicRateThrottle(BaseThrottle):
    """DRF throttle over the same counters: scope ``view.throttle_scope`` or ``api``."""

    def __init__(self):
        self._wait: int | None = None

    def allow_request(self, request, view) -> bool:
        if any(re.match(pattern, request.path_info) for pattern in settings.BADGES_RATE_LIMIT_API_EXEMPT):
            return True
        scope = getattr(view, "throttle_scope", None) or "api"
        self._wait = hit(scope, client_ident(request))
        return self._wait is None

    def wait(self) -> int | None:
        return self._wait
