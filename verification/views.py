"""Public pages and documents: credentials, achievements, issuers, DID documents.

Thin views: reads come from selectors, verification from ``verification.services``.
"""

from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from badges_service.caching import CREDENTIAL, PROFILE, STATUS, public_cache
from badges_service.collation import sorted_by
from badges_service.errors import ApplicationError, NotFound
from badges_service.negotiation import json_response, public_view, wants_json
from badges_service.openbadges import ob3
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.report import PASSED, Report, report_unreadable
from badges_service.ratelimit import client_ident, hit, rate_limited_response
from issuers import badge_images, documents, identifiers, selectors
from issuers.badge_artwork import badge_svg
from learners import policy
from learners import selectors as learner_selectors

from . import page_cache
from .artefacts import file_response, rasterise
from .counting import verification_count
from .presentation import report_view, status_for
from .services import (
    credential_verify,
    credential_verify_raw,
    form_input_read,
    max_input_bytes,
    own_credential_of,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"issuers": sorted_by(selectors.issuer_list(), "name")})


@require_GET
@public_cache(CREDENTIAL)
@public_view
@vary_on_headers("Accept")
def credential_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        uid = uuid.UUID(public_id)
    except ValueError:
        raise NotFound("No such credential.") from None
    if wants_json(request):
        stored = page_cache.public_document(public_id=uid)
        if stored is not None:
            return json_response(request, stored)
    # A visitor not signed in, at the page's own address: served from the cache (see verification.page_cache).
    state = page_cache.state_get(public_id=uid) if page_cache.anonymous_canonical(request, str(uid)) else None
    if state is not None and state.is_public and (cached := page_cache.cached_response(request, state)) is not None:
        return cached
    if getattr(request, page_cache.CACHE_ONLY, False):  # asked by the public lane: the full chain takes it from here
        raise page_cache.NotCached
    credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
    if wants_json(request):
        response = json_response(request, credential.document)  # the stored bytes, exactly as signed
        if not credential.is_public:
            response["Cache-Control"] = "private, no-store"
        return response
    document = json.loads(credential.document)
    report = credential_verify(document=document)
    verification_count(report=report, channel="page")
    r = report_view(report, credential=credential, recipient_name=credential.recipient_name)
    page_url = identifiers.credential_url(credential.public_id)
    context = {
        "credential": credential,
        "r": r,
        "report": report,
        "status": report.status,
        "page_url": page_url,
        "qr_url": f"/credentials/{credential.public_id}/qr.png",
        **_social(title=_("%(name)s, issued by %(issuer)s") % {"name": r.name, "issuer": r.issuer_name},
                  description=r.description, url=page_url,
                  image=identifiers.public_url(f"/achievements/{credential.achievement.slug}/image.png")),
    }
    if state is None or not state.is_public or not page_cache.cacheable(credential, document):
        return render(request, "verification/credential.html", context)
    return page_cache.rendered_response(request, state, template="verification/credential.html", context=context,
                                        status=report.status)


def _social(*, title: str, description: str, url: str, image: str) -> dict:
    """Open Graph and Twitter card values (templates/includes/social.html)."""
    return {"og_title": title, "og_description": description, "og_url": url, "og_image": image}


@require_GET
@public_cache(CREDENTIAL)
@public_view
def credential_download(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
    response = HttpResponse(credential.document, content_type="application/ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="badge-{credential.public_id}.json"'
    if not credential.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@public_cache(PROFILE)
@public_view
@vary_on_headers("Accept")
def achievement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    achievement = selectors.achievement_get(slug=slug)
    document = documents.achievement_document(achievement)
    if wants_json(request):
        return json_response(request, document)
    mentions = ob3.competencies_of(document)
    for mention in mentions:  # links to this service's pages as paths
        for key in ("url", "level_url"):
            if mention.get(key):
                mention[key] = mention[key].removeprefix(identifiers.public_url(""))
    r = {"competencies": [m for m in mentions if m["kind"] == "competency"],
         "jobs": [m for m in mentions if m["kind"] == "job"]}
    return render(request, "verification/achievement.html", {
        "achievement": achievement, "document": document, "r": r,
        **_social(title=achievement.name, description=achievement.description,
                  url=identifiers.public_url(f"/achievements/{achievement.slug}"),
                  image=identifiers.public_url(f"/achievements/{achievement.slug}/image.png"))})


@require_GET
@public_view
def achievement_image(request: HttpRequest, slug: str) -> HttpResponse:
    achievement = selectors.achievement_get(slug=slug)
    return _image(badge_images.achievement_image(achievement))


@require_GET
@public_cache(PROFILE)
@public_view
@vary_on_headers("Accept")
def issuer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get(slug=slug)
    document = documents.issuer_document(issuer)
    if wants_json(request):
        return json_response(request, document)
    achievements = selectors.achievement_list(issuer=issuer)
    return render(request, "verification/issuer.html", {
        "issuer": issuer, "document": document, "achievements": achievements,
        **_social(title=issuer.name, description=issuer.description or _("Badges issued by %(name)s.") % {
            "name": issuer.name}, url=identifiers.public_url(f"/issuers/{issuer.slug}"),
            image=identifiers.public_url(f"/issuers/{issuer.slug}/image.png"))})


@require_GET
@public_view
def achievement_image_png(request: HttpRequest, slug: str) -> HttpResponse:
    """The badge image as PNG: link previews (Open Graph) and platforms that do not read SVG."""
    achievement = selectors.achievement_get(slug=slug)
    return _image(_as_png(badge_images.achievement_image(achievement)))


@require_GET
@public_view
def issuer_image(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get(slug=slug)
    return _image(badge_images.issuer_image(issuer))


@require_GET
@public_view
def issuer_image_png(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get(slug=slug)
    return _image(_as_png(badge_images.issuer_image(issuer)))


def _as_png(image: badge_images.BadgeImage) -> badge_images.BadgeImage:
    return image if image.kind == "png" else badge_images.BadgeImage(rasterise(image.content), "png")


@require_GET
@public_cache(STATUS)
def issuer_did_document(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        issuer = selectors.issuer_get(slug=slug)
    except NotFound as exc:
        return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=404)
    response = HttpResponse(json.dumps(selectors.issuer_did_document(issuer=issuer), indent=2),
                            content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _image(image: badge_images.BadgeImage) -> HttpResponse:
    response = HttpResponse(image.content, content_type=image.content_type)
    # SVG served as a document must not run anything, whatever it contains.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@public_view
def foreign_badge_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The public page of a badge an agent earned elsewhere and made public: what this service verified, and
    when (it is not re-verified on display: its original lives with its issuer)."""
    badge = learner_selectors.foreign_badge_get_public(public_id=public_id)
    original = badge.credential_id if badge.credential_id.startswith(("https://", "http://")) else ""
    return render(request, "verification/foreign_badge.html", {
        "badge": badge, "checks": badge.report.get("checks", []), "checked_once": True, "original_url": original})


@require_GET
@public_view
def foreign_badge_image(request: HttpRequest, public_id: str) -> HttpResponse:
    badge = learner_selectors.foreign_badge_get_public(public_id=public_id)
    if not badge.image:
        return _image(badge_images.BadgeImage(badge_svg(name=badge.name, seed=str(badge.public_id),
                                                      issuer_name=badge.issuer_name).encode(), "svg"))
    return file_response(bytes(badge.image), badge.image_type, f"badge-{badge.public_id}",
                         cache_control="public, max-age=300")


VERIFY_SCOPE = "verify"  # the rate limit of POST /api/v1/verify, shared by the page's form


@require_http_methods(["GET", "POST"])
def verifier(request: HttpRequest) -> HttpResponse:
    """/verifier: drop or choose a badge file (baked PNG/SVG, OB 3.0 or 2.0 JSON, VC-JWT), or paste a link or a
    JSON text; the answer is the same report as a credential page. A plain multipart form (works without
    JavaScript), verified by the same service, limits and refusals as ``POST /api/v1/verify``."""
    if request.method == "GET":
        return render(request, "verification/verifier.html", {})
    retry_after = hit(VERIFY_SCOPE, client_ident(request))
    if retry_after is not None:
        return rate_limited_response(request, retry_after)
    try:
        raw, media_type = form_input_read(upload=request.FILES.get("file"), url=request.POST.get("url"),
                                          text=request.POST.get("credential"))
    except ApplicationError as exc:
        if exc.code == "missing_input":
            return render(request, "verification/verifier.html", {"missing": True}, status=400)
        report = report_unreadable(OpenBadgesError(exc.message, code=exc.code))
        return _verifier_answer(request, report, status=413 if exc.code == "too_large" else 400)
    report = credential_verify_raw(raw=raw, content_type=media_type)
    verification_count(report=report, channel="page")
    return _verifier_answer(request, report, status=status_for(report))


def _verifier_answer(request: HttpRequest, report: Report, *, status: int) -> HttpResponse:
    # Our record of the credential (its name, page, public reasons) only for a document as we issued it, and the
    # name for public badges only: a presented document itself holds a hashed email.
    genuine = any(c.name == "proof" and c.result == PASSED for c in report.checks) and not any(
        c.name == "status" and c.code == "not_as_issued" for c in report.checks)
    credential = own_credential_of(report) if genuine else None
    name = credential.recipient_name if credential is not None and credential.is_public else ""
    response = render(request, "verification/verifier.html", {
        "r": report_view(report, credential=credential, recipient_name=name), "report": report,
        "max_bytes": max_input_bytes()}, status=status)
    response["Cache-Control"] = "no-store"
    return response
