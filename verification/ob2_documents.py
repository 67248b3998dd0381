"""Open Badges 2.0 documents for the verifier: this service's own are read locally (never fetched); any
other (a foreign hosted assertion, BadgeClass, issuer Profile, CryptographicKey, RevocationList) is fetched
through the SSRF-safe fetcher (``remote``). A document that cannot be had is unresolvable, which is not the
same as forged."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from django.conf import settings

from badges_service.errors import NotFound
from badges_service.fetch import FetchError
from badges_service.openbadges.report import FAILED, PASSED, Check, DocumentGone, KeyResolutionError
from issuers import ob2, selectors

from . import remote

if TYPE_CHECKING:
    from issuers.models import Credential

_PATHS = [
    (re.compile(r"/credentials/(?P<id>[0-9a-fA-F-]{36})/ob2"), lambda m: ob2.hosted_assertion_document(
        selectors.credential_get(public_id=m["id"]))),  # the verifier's own read (see services._verify_url)
    (re.compile(r"/achievements/(?P<slug>[-\w]+)/ob2"), lambda m: ob2.badge_class_document(
        selectors.achievement_get(slug=m["slug"]))),
    (re.compile(r"/issuers/(?P<slug>[-\w]+)/ob2"), lambda m: ob2.profile_document(
        selectors.issuer_get(slug=m["slug"]))),
    (re.compile(r"/issuers/(?P<slug>[-\w]+)/ob2/keys/(?P<fp>z[1-9A-HJ-NP-Za-km-z]+)"), lambda m: ob2.key_document(
        selectors.issuer_get(slug=m["slug"]), m["fp"])),
    (re.compile(r"/issuers/(?P<slug>[-\w]+)/ob2/revocations"), lambda m: ob2.revocation_list_document(
        selectors.issuer_get(slug=m["slug"]))),
]


def fetch(url: str) -> dict:
    """The OB 2.0 document at ``url``: read locally when this service publishes it, fetched otherwise;
    ``KeyResolutionError`` when it cannot be had."""
    prefix = settings.BADGES_PUBLIC_URL
    if not isinstance(url, str):
        raise KeyResolutionError(f"{url!r} is not a URL.")
    if not url.startswith(prefix + "/"):
        return foreign_fetch(url)
    return own_fetch(url)


def foreign_fetch(url: str) -> dict:
    """Another service's OB 2.0 document, fetched SSRF-safe (and cached a short while, see ``remote``);
    ``DocumentGone`` when its URL answers 410 Gone (what a revoked hosted assertion answers)."""
    try:
        return remote.json_get(url)
    except FetchError as exc:
        if exc.status == 410:
            raise DocumentGone(f"{url} answers 410 Gone.", reason=_revocation_reason(exc.body)) from exc
        raise KeyResolutionError(f"{url} cannot be had: {exc}") from exc


def _revocation_reason(body: bytes) -> str | None:
    """The ``revocationReason`` of a 410 Gone's optional body ``{"revoked": true, "revocationReason": ...}``."""
    try:
        document = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None
    reason = document.get("revocationReason") if isinstance(document, dict) else None
    return reason[:500] if isinstance(reason, str) and reason.strip() else None


def own_fetch(url: str) -> dict:
    """The OB 2.0 document at ``url`` if this service publishes it; ``KeyResolutionError`` otherwise."""
    prefix = settings.BADGES_PUBLIC_URL
    if not url.startswith(prefix + "/"):
        raise KeyResolutionError(f"{url!r} is not published by this service.")
    path = url[len(prefix):]
    for pattern, load in _PATHS:
        match = pattern.fullmatch(path)
        if match:
            try:
                return load(match)
            except NotFound as exc:
                raise KeyResolutionError(f"{url}: {exc.message}", code="unknown_document") from exc
    raise KeyResolutionError(f"{url} is not an Open Badges 2.0 document of this service.", code="unknown_document")


def own_credential(assertion_id) -> Credential | None:
    """The credential an OB 2.0 assertion id names: ``<credential url>/ob2`` or ``urn:uuid:<public id>``."""
    if not isinstance(assertion_id, str):
        return None
    prefix = settings.BADGES_PUBLIC_URL + "/credentials/"
    if assertion_id.startswith(prefix) and assertion_id.endswith("/ob2"):
        raw = assertion_id[len(prefix):-len("/ob2")]
    elif assertion_id.startswith("urn:uuid:"):
        raw = assertion_id[len("urn:uuid:"):]
    else:
        return None
    return selectors.credential_find(public_id=raw, with_ob2=True)


def status_check(assertion: dict, token: str | None) -> Check | None:
    """Revocation and suspension as this service knows them, for the assertions it issued."""
    credential = own_credential(assertion.get("id"))
    if credential is None:
        return None
    if token is not None and token != ob2.hosted_assertion(credential).jws:
        return Check("status", FAILED, "not_as_issued",
                     "This signed assertion differs from the one this service issued under this id.")
    return credential_status(credential)


def credential_status(credential: Credential) -> Check:
    if credential.revoked_at:
        reason = f": {credential.revocation_reason}" if credential.revocation_reason else ""
        return Check("status", FAILED, "revoked", f"Revoked on {credential.revoked_at.date().isoformat()}{reason}")
    if credential.suspended_at:
        reason = f": {credential.suspension_reason}" if credential.suspension_reason else ""
        return Check("status", FAILED, "suspended",
                     f"Suspended on {credential.suspended_at.date().isoformat()}{reason}")
    return Check("status", PASSED, "ok", "Neither revoked nor suspended.")
