"""The public page of a credential, for visitors who are not signed in, kept rendered in the cache under a key
that changes with everything its answer depends on, so that it is never stale.

A signed credential never changes: its signature, schema, key and context checks give the same answer until
something around it changes. What can change is read live, by one indexed query per request (``state_get``):
the credential's row (visibility, revocation, suspension and their reasons, the recipient's name), its signing
key (status, revocation date), its issuer's slug (its did:web), its achievement's slug, its status list
(``version``, bumped by every write of a bit, and ``document_version``, by every signature), an MD5 of the
stored document, and where "now" stands in its validity window. Their digest (``State.fingerprint``), with the
language and a digest of the code, templates, translations and static manifest this process serves
(``release``), is the cache key of the rendered page, so a revocation, a suspension, a reinstatement, a key
revocation, a list re-signed, an expiry or a deployment shows on the very next request, with no invalidation
to forget. The ``ETag`` is the same digest (with the minute shown as "checked on"), so a conditional request is
answered 304 after that query and the cache's read, without rendering (the view is still counted).

The cached page holds stand-ins for what differs between requests: the date and time of the check, filled in
once a minute (``_answer``). Nothing differs between visitors: the page sets no cookie (its language switch is a
link, ``badges_service.language``).

A page is cached only when its stored document is the one these columns describe (``cacheable``): the proof's
verification method is the credential's signing key under its issuer, its status entries point at the
credential's status list, and its validity dates are the row's. Anything else (an unusual row) is verified
and rendered on every request, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import quote_etag
from django.utils.http import parse_etags

from badges_service.change_feed import MemoryCache
from badges_service.openbadges import bitstring_status_list as bsl
from badges_service.openbadges.eddsa_rdfc_2022 import proofs_of
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.report import parse_datetime
from issuers import identifiers, selectors, status_lists

from .counting import page_view_count

if TYPE_CHECKING:
    from issuers.models import Credential

logger = logging.getLogger(__name__)
TIMEOUT = 24 * 3600  # an entry outlives its use only when the credential is not viewed again
PREFIX = "credential-page"

# In this process's memory, kept true by PostgreSQL's notifications (badges_service.change_feed): the state rows
# (keyed by public id) and the stored documents of public credentials. Without a listening feed (SQLite, the
# test settings, a lost connection), every request reads the database, as before.
_states = MemoryCache(selectors.CREDENTIAL_STATE_CHANNEL, max_entries=20_000)
_documents = MemoryCache(selectors.CREDENTIAL_STATE_CHANNEL, max_entries=2_000)
# Rendered pages: their keys change with the state, so they need no notification; a bounded map in front of Redis.
_pages: dict[str, Shell] = {}
# The pages as answered, filled in for a minute: (key, minute) -> (body, ETag).
_answers: dict[tuple[str, datetime], tuple[bytes, str]] = {}
PAGES_IN_MEMORY = 256




CACHE_ONLY = "_badges_cache_only"  # a request attribute: answer from the caches or raise NotCached
VIEW_TO_COUNT = "_badges_view_to_count"  # set in cache-only mode: the view the caller must count


class NotCached(Exception):
    """The answer is not in the caches (``verification.public_lane`` then hands the request to the full chain)."""


@dataclass(frozen=True)
class State:
    public_id: str
    credential_id: int
    is_public: bool
    fingerprint: str


def _second(moment: datetime | None) -> datetime | None:
    """The documents state their dates to the second; the rows keep microseconds."""
    return moment.replace(microsecond=0) if moment is not None else None


def _phase(valid_from: datetime | None, valid_until: datetime | None, now: datetime) -> str:
    valid_from, valid_until = _second(valid_from), _second(valid_until)
    if valid_until is not None and valid_until <= now:
        return "expired"
    if valid_from is not None and valid_from > now:
        return "not-yet-valid"
    return "in-force"


def state_get(*, public_id, now: datetime | None = None) -> State | None:
    """What the page of credential ``public_id`` (a ``uuid.UUID``) depends on, or None for no credential."""
    def read():
        row = selectors.credential_page_state(public_id=public_id)
        return (row, {}) if row is not None else None
    key = str(public_id)
    kept = _states.get_or_read(key, read)  # (row, {phase: State}): the states of each phase, made once
    if kept is None:
        return None
    row, by_phase = kept
    phase = _phase(row[8], row[9], now or timezone.now())
    state = by_phase.get(phase)
    if state is None:
        digest = hashlib.sha256(repr((row, phase, settings.BADGES_PUBLIC_URL)).encode()).hexdigest()[:32]
        state = by_phase[phase] = State(public_id=key, credential_id=row[0], is_public=row[1], fingerprint=digest)
    return state


def cacheable(credential: Credential, document: dict) -> bool:
    """True when the stored document's key, status entries and dates are those ``state_get`` reads."""
    try:
        methods = [p.get("verificationMethod") for p in proofs_of(document)]
    except (OpenBadgesError, AttributeError):
        return False
    if methods != [identifiers.verification_method_id(credential.issuer, credential.signing_key)]:
        return False
    status_list = selectors.status_list_of(credential=credential)
    expected = [status_lists.list_url(status_list)] if status_list is not None else []
    if [e.get("statusListCredential") for e in bsl.entries_of(document)] != expected:
        return False
    valid_from = parse_datetime(document.get("validFrom") or document.get("issuanceDate"))
    valid_until = parse_datetime(document.get("validUntil") or document.get("expirationDate"))
    return valid_from == _second(credential.valid_from) and valid_until == _second(credential.valid_until)


@cache
def release() -> str:
    """A digest of what renders the page besides the data: the project's code (its apps), templates,
    translations and static manifest. A deployment that changes any of them changes every key."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", [])] + [Path(p) for p in settings.LOCALE_PATHS]
    roots += [Path(a.path) for a in apps.get_app_configs() if Path(a.path).resolve().is_relative_to(base)
              and not {"site-packages", "dist-packages"} & set(Path(a.path).parts)]  # ours, not Django's
    files = sorted({f for root in roots for f in root.rglob("*") if f.suffix in (".html", ".mo", ".py")})
    digest = hashlib.sha256()
    for file in [*files, Path(settings.STATIC_ROOT) / "staticfiles.json"]:
        if file.is_file():
            digest.update(str(file).encode() + file.read_bytes())
    return digest.hexdigest()[:16]


def _key(state: State) -> str:
    return f"{PREFIX}:{state.public_id}:{state.fingerprint}:{translation.get_language()}:{release()}"


def _etag(key: str, minute: datetime) -> str:
    """The page's ETag: what it shows (the state, the language, the release: ``key``) and the minute of the
    check."""
    raw = f"{key}|{minute.strftime('%Y-%m-%dT%H:%M')}".encode()
    return quote_etag(hashlib.sha256(raw).hexdigest()[:32])


def not_modified(request: HttpRequest, tag: str) -> bool:
    return tag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))


def _stand_in(name: str) -> str:
    """A marker for a per-request value; derived from the secret key, so no document can carry it."""
    return "x" + hmac.new(settings.SECRET_KEY.encode(), name.encode(), "sha256").hexdigest()[:24] + "x"


@lru_cache(maxsize=4)
def _stand_ins(secret_key: str) -> dict[str, str]:
    return {"checked_date": _stand_in("date"), "checked_time": _stand_in("time")}


def stand_ins() -> dict[str, str]:
    """The template context that renders the page to cache."""
    return dict(_stand_ins(settings.SECRET_KEY))


@dataclass(frozen=True)
class Shell:
    """A kept page, cut at its stand-ins once, so that filling it in is a join (``str.replace`` on a 17 KB page
    costs about 70 us per stand-in here: CPython's search for a long pattern)."""

    status: str  # the report's status (what a view of it is counted as)
    parts: tuple[bytes, ...]  # the page's UTF-8 bytes before, between and after the stand-ins
    slots: tuple[str, ...]  # the stand-in between parts[i] and parts[i + 1]: a key of stand_ins()


def shell_of(status: str, page: str) -> Shell:
    names = _stand_ins(settings.SECRET_KEY)
    by_marker = {marker: slot for slot, marker in names.items()}
    pieces = re.split("(" + "|".join(map(re.escape, by_marker)) + ")", page)
    return Shell(status=status, parts=tuple(p.encode() for p in pieces[0::2]),
                 slots=tuple(by_marker[m] for m in pieces[1::2]))


def page_get(key: str) -> Shell | None:
    """The kept page under ``key`` (``_key``) from this process's memory or the cache; None when there is none,
    or the cache cannot be read (the page is then verified and rendered: Redis is not needed to answer)."""
    kept = _pages.get(key)
    if kept is not None:
        return kept
    try:
        stored = django_cache.get(key)  # (status, page with stand-ins)
    except Exception:
        logger.warning("The credential page cache cannot be read", exc_info=True)
        return None
    if stored is None:
        return None
    kept = shell_of(*stored)
    _keep(_pages, key, kept)
    return kept


def _keep(kept: dict, key, value) -> None:
    if len(kept) >= PAGES_IN_MEMORY:
        with contextlib.suppress(RuntimeError, StopIteration):  # another thread changed the map meanwhile
            kept.pop(next(iter(kept)), None)  # the oldest
    kept[key] = value


def page_put(key: str, *, status: str, page: str) -> Shell:
    shell = shell_of(status, page)
    _keep(_pages, key, shell)
    try:
        django_cache.set(key, (status, page), TIMEOUT)
    except Exception:
        logger.warning("The credential page cache cannot be written", exc_info=True)
    return shell


@lru_cache(maxsize=64)
def _checked(language: str, minute: datetime) -> tuple[bytes, bytes]:
    """The date and time of a check as the page shows them, in ``language`` (the active one), to the minute."""
    return date_filter(minute, "DATE_FORMAT").encode(), date_filter(minute, "TIME_FORMAT").encode()


def _fill(shell: Shell, minute: datetime) -> bytes:
    """The kept page with the time of the check."""
    checked_date, checked_time = _checked(translation.get_language(), minute)
    values = {"checked_date": checked_date, "checked_time": checked_time}
    out = [shell.parts[0]]
    for slot, part in zip(shell.slots, shell.parts[1:], strict=True):
        out += (values[slot], part)
    return b"".join(out)


def _answer(key: str, shell: Shell, now: datetime | None = None) -> tuple[bytes, str]:
    """The body and ETag of the page under ``key`` at ``now``: the same for every visitor within a minute, so
    made once a minute (``_answers``)."""
    minute = timezone.localtime(now).replace(second=0, microsecond=0)
    kept = _answers.get((key, minute))
    if kept is None:
        kept = (_fill(shell, minute), _etag(key, minute))
        _keep(_answers, (key, minute), kept)
    return kept


def cached_response(request: HttpRequest, state: State) -> HttpResponse | None:
    """The page from the cache (a 304 when the visitor's copy is current), counted as a view; None on a miss."""
    key = _key(state)
    shell = page_get(key)
    if shell is None:
        return None
    view = {"outcome": shell.status, "credential_id": state.credential_id, "channel": "page"}
    if getattr(request, CACHE_ONLY, False):
        setattr(request, VIEW_TO_COUNT, view)  # the lane counts it after the rate limit (counting.limit_and_count)
    else:
        page_view_count(**view)
    body, tag = _answer(key, shell)
    if "HTTP_IF_NONE_MATCH" in request.META and not_modified(request, tag):
        response = HttpResponseNotModified()
        response["ETag"], response["Cache-Control"] = tag, "private, no-cache"
        return response
    response = HttpResponse(body)
    response["ETag"] = tag
    return response


def rendered_response(request: HttpRequest, state: State, *, template: str, context: dict,
                      status: str) -> HttpResponse:
    """Render the page with its stand-ins, keep it, and answer it filled in (the caller has counted the view)."""
    key = _key(state)
    page = render_to_string(template, {**context, **stand_ins()}, request)
    body, tag = _answer(key, page_put(key, status=status, page=page))
    response = HttpResponse(body)
    response["ETag"] = tag
    return response


def anonymous_canonical(request: HttpRequest, public_id) -> bool:
    """The visitor is not signed in and asks for the page's own address: the only requests served from the
    cache (a signed-in owner sees a menu; another address or a query string would multiply the entries)."""
    user = getattr(request, "user", None)
    return (not request.META.get("QUERY_STRING") and request.path == f"/credentials/{public_id}"
            and not (user is not None and user.is_authenticated))


def public_document(*, public_id) -> str | None:
    """The stored bytes of public credential ``public_id`` (a ``uuid.UUID``), or None when it is private or
    unknown; from memory while the change feed listens (a change of the row drops it)."""
    return _documents.get_or_read(str(public_id), lambda: selectors.public_credential_document(public_id=public_id))
