"""Public pages and documents: credentials, achievements, issuers, DID documents.

Thin views: reads come from selectors, verification from ``verification.services``.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from badges_service.caching import CREDENTIAL, PROFILE, STATUS, public_cache
from badges_service.errors import NotFound
from badges_service.openbadges import ob3
from issuers import documents, identifiers, selectors
from issuers.images import badge_svg
from learners import selectors as learner_selectors

from .artefacts import file_response
from .negotiation import json_response, public_view, wants_json
from .services import credential_verify, verification_count

SVG = "image/svg+xml"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"issuers": selectors.issuer_list()})


@require_GET
@public_cache(CREDENTIAL)
@public_view
@vary_on_headers("Accept")
def credential_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = selectors.credential_get_public(public_id=public_id, viewer=request.user)
    if wants_json(request):
        response = json_response(request, credential.document)  # the stored bytes, exactly as signed
        if not credential.is_public:
            response["Cache-Control"] = "private, no-store"
        return response
    document = json.loads(credential.document)
    report = credential_verify(document=document)
    verification_count(report=report, channel="page")
    context = {
        "credential": credential,
        "document": document,
        "achievement": document["credentialSubject"]["achievement"],
        "competencies": ob3.competencies_of(document["credentialSubject"]["achievement"],
                                            document["credentialSubject"].get("result", [])),
        "issuer": document["issuer"],
        "report": report,
        "checks": report.checks,
        "status": report.status,
        "page_url": identifiers.credential_url(credential.public_id),
    }
    return render(request, "verification/credential.html", context)


@require_GET
@public_cache(CREDENTIAL)
@public_view
def credential_download(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = selectors.credential_get_public(public_id=public_id, viewer=request.user)
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
    return render(request, "verification/achievement.html", {"achievement": achievement, "document": document,
                                                             "competencies": ob3.competencies_of(document)})


@require_GET
@public_view
def achievement_image(request: HttpRequest, slug: str) -> HttpResponse:
    achievement = selectors.achievement_get(slug=slug)
    return _image(achievement.image, achievement.name, achievement.slug)


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
    return render(request, "verification/issuer.html",
                  {"issuer": issuer, "document": document, "achievements": achievements})


@require_GET
@public_view
def issuer_image(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = selectors.issuer_get(slug=slug)
    return _image(issuer.image, issuer.name, issuer.slug)


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


def _image(file_field, name: str, seed: str) -> HttpResponse:
    if file_field:
        content_type = SVG if file_field.name.lower().endswith(".svg") else "image/png"
        with file_field.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type=content_type)
    else:
        response = HttpResponse(badge_svg(name=name, seed=seed), content_type=SVG)
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
        return _image(None, badge.name, str(badge.public_id))
    return file_response(bytes(badge.image), badge.image_type, f"badge-{badge.public_id}",
                         cache_control="public, max-age=300")
