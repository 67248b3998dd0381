"""Hosted verification of an Open Badges 2.0 assertion (OB 2.0 "Hosted verification"): the host speaks for the
issuer (the assertion's id is on the issuer Profile's origin, or allowed by the Profile's own VerificationObject;
never by the assertion's), and the copy it hosts is this assertion (a presented copy that differs is ``altered``,
the differing properties named, and the hosted original is what the report then shows). The ``key`` and
``proof`` checks of ``verify_ob2``."""

from __future__ import annotations

from urllib.parse import urlsplit

from . import ob2_jsonld
from .errors import OpenBadgesError
from .ob2_reading import Fetch, summarise
from .report import ALTERED, FAILED, PASSED, SKIPPED, DocumentGone, ReportBuilder, as_list

LIVE_FIELDS = ("revoked", "revocationReason")  # what a host may add to its copy once revoked


def _origin(url: str | None) -> tuple[str, str | None, int | None] | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port) if parts.scheme in ("http", "https") else None


def _origin_allowed(assertion_id: str, issuer: dict, issuer_id: str | None) -> bool:
    """OB 2.0 "Hosted verification": without a policy, the assertion's id shares the issuer Profile id's
    origin; the issuer's own VerificationObject may instead list ``allowedOrigins`` (hosts) and ``startsWith``
    (URL prefixes). The assertion's VerificationObject cannot authorise itself."""
    policy = issuer.get("verification") if isinstance(issuer.get("verification"), dict) else {}
    origins = [o for o in as_list(policy.get("allowedOrigins")) if isinstance(o, str)]
    prefixes = [p for p in as_list(policy.get("startsWith")) if isinstance(p, str)]
    parts = urlsplit(assertion_id)
    hosts = {parts.netloc.lower(), (parts.hostname or "").lower()}  # "example.org" or "example.org:8443"
    if origins and not hosts & {o.lower() for o in origins}:
        return False
    if prefixes and not any(assertion_id.startswith(p) for p in prefixes):
        return False
    if origins or prefixes:
        return True
    return _origin(assertion_id) == _origin(issuer_id)


def check_hosted(run: ReportBuilder, assertion: dict, issuer: dict, issuer_id: str | None, fetch: Fetch) -> dict | None:
    origin = _origin(assertion["id"])
    if origin is None:
        run.add("key", FAILED, "bad_hosted_id", "A hosted assertion's id must be its HTTP(S) URL.")
        run.add("proof", SKIPPED, "skipped", "No hosted copy to compare with.")
        return None
    if not _origin_allowed(assertion["id"], issuer, issuer_id):
        run.add("key", FAILED, "origin_mismatch",
                f"The assertion is hosted at {origin[1]}, not on its issuer's origin ({issuer_id}).")
        run.add("proof", SKIPPED, "skipped", "The host does not speak for the issuer.")
        return None
    try:
        hosted = fetch(assertion["id"])
    except DocumentGone as exc:  # OB 2.0 "Hosted verification": a revoked assertion's URL answers 410 Gone
        hosted = {"id": assertion["id"], "revoked": True, "revocationReason": exc.reason}
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, f"The hosted assertion cannot be had: {exc}")
        run.add("proof", SKIPPED, "skipped", "The hosted copy was not compared (this does not mean it is forged).")
        return None
    if hosted.get("id") == assertion["id"] and hosted.get("revoked") is True \
            and "Assertion" not in as_list(hosted.get("type")):
        # OB 2.0 "Hosted verification": once revoked, the host may answer only {id, revoked, revocationReason}.
        run.add("key", PASSED, "ok", f"Hosted by its issuer at {assertion['id']}.")
        run.add("proof", PASSED, "ok", "Its issuer answers for this id, as revoked.")
        return hosted
    if hosted.get("id") != assertion["id"] or "Assertion" not in as_list(hosted.get("type")):
        run.add("key", FAILED, "hosted_mismatch", f"{assertion['id']} does not host this assertion.")
        run.add("proof", SKIPPED, "skipped", "No hosted copy to compare with.")
        return None
    run.add("key", PASSED, "ok", f"Hosted by its issuer at {assertion['id']}.")
    changed = ob2_jsonld.differing_fields(assertion, hosted, ignore=LIVE_FIELDS)
    if changed:
        run.add("proof", FAILED, ALTERED, "Altered: this copy differs from the original its issuer hosts in "
                + ", ".join(changed[:20]) + ". The original is shown.")
        try:  # the original's own BadgeClass and issuer, not the presented copy's
            badge = hosted["badge"] if isinstance(hosted.get("badge"), dict) else fetch(hosted["badge"])
            issuer = badge["issuer"] if isinstance(badge.get("issuer"), dict) else fetch(badge["issuer"])
            run.report.documents.update(achievement=badge, issuer=issuer)
        except (OpenBadgesError, KeyError, TypeError):
            badge = issuer = None
        run.report.summary = summarise(hosted, badge, issuer, signed=False)
        run.report.summary["presented_differs_in"] = changed[:20]
        run.report.documents["presented"] = assertion
        run.report.documents["assertion"] = run.report.documents["credential"] = hosted
    else:
        run.add("proof", PASSED, "ok", "Identical to the copy its issuer hosts.")
    return hosted
