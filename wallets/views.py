"""OpenID4VCI endpoints (metadata, token, nonce, credential) and the learner's "Ajouter à mon portefeuille" page;
OpenID4VP: the requester's pages and the wallet's ``direct_post``.

Thin views: reads from ``wallets.selectors``, writes through ``wallets.services``. The protocol endpoints answer
JSON in the specification's shapes (``{"error", "error_description"}``), never HTML, and never cache what holds
a secret (``Cache-Control: no-store``).
"""

from __future__ import annotations

import base64
import json
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from badges_service.errors import ApplicationError
from competencies.models import Competency, ProficiencyLevel
from issuers import selectors as issuer_selectors
from issuers.models import Credential
from learners.selectors import credentials_of_user
from verification import artefacts

from . import presentations, selectors, services
from .models import PresentationRequest

MAX_REQUEST_BYTES = 64 * 1024


def _json(body: dict, *, status: int = 200, cache: str = "no-store") -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = cache
    return response


def _error(exc: services.OAuthError) -> JsonResponse:
    response = _json({"error": exc.code, "error_description": exc.message}, status=exc.status_code)
    if exc.status_code == 401:  # RFC 6750 §3
        response["WWW-Authenticate"] = f'Bearer error="{exc.code}"'
    return response


@require_GET
def credential_issuer_metadata(request: HttpRequest) -> JsonResponse:
    """OpenID4VCI §12.2.2: ``/.well-known/openid-credential-issuer``."""
    return _json(selectors.credential_issuer_metadata(), cache="public, max-age=300")


@require_GET
def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414 §3: ``/.well-known/oauth-authorization-server``."""
    return _json(selectors.authorization_server_metadata(), cache="public, max-age=300")


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """OpenID4VCI §6 / RFC 6749 §4.1.3: form-encoded Token Request with the pre-authorized code grant."""
    if request.content_type != "application/x-www-form-urlencoded":
        return _error(services.OAuthError("invalid_request", "The Token Request is form-encoded "
                                          "(application/x-www-form-urlencoded)."))
    try:
        made = services.token_issue(grant_type=request.POST.get("grant_type"),
                                    pre_authorized_code=request.POST.get("pre-authorized_code"),
                                    tx_code=request.POST.get("tx_code"))
    except services.OAuthError as exc:
        return _error(exc)
    return _json({"access_token": made.access_token, "token_type": "Bearer", "expires_in": made.expires_in})


@csrf_exempt
@require_POST
def nonce(request: HttpRequest) -> JsonResponse:
    """OpenID4VCI §7: a fresh ``c_nonce``, never cached."""
    return _json({"c_nonce": services.nonce_issue()})


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


@csrf_exempt
@require_POST
def credential(request: HttpRequest) -> JsonResponse:
    """OpenID4VCI §8: a Credential Request (JSON) with a Bearer access token and a ``jwt`` key proof."""
    if len(request.body) > MAX_REQUEST_BYTES:
        return _error(services.OAuthError("invalid_credential_request", "The Credential Request is too large."))
    body = None
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            body = None
    try:  # the token is checked before the body: an anonymous caller learns nothing about the request
        return _json(services.credential_request(access_token=_bearer(request), body=body))
    except services.OAuthError as exc:
        return _error(exc)


# --- the learner's page ----------------------------------------------------------------------------------------


def _own_credential(request: HttpRequest, public_id: str) -> Credential:
    credential = credentials_of_user(user=request.user).select_related("achievement", "issuer").filter(
        public_id=public_id).first() if _is_uuid(public_id) else None
    if credential is None:
        raise Http404("No such badge.")
    return credential


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_http_methods(["GET", "POST"])
@login_required
def badge_wallet(request: HttpRequest, public_id: str) -> HttpResponse:
    """"Ajouter à mon portefeuille": GET explains, POST makes a new single-use offer and shows it once (QR code,
    same-device link, transaction code). Nothing of it is kept in clear, so the page is never cached."""
    credential = _own_credential(request, public_id)
    context = {"credential": credential}
    status = 200
    if request.method == "POST":
        cross_device = request.POST.get("device") != "same"
        try:
            offer = services.offer_create(credential=credential, actor=request.user, cross_device=cross_device)
        except ApplicationError as exc:
            context["refusal"] = exc.code
            status = 409
        else:
            context.update(offer=offer, cross_device=cross_device,
                           qr=base64.b64encode(artefacts.qr_png_uncached(offer.offer_uri)).decode("ascii"),
                           minutes=int(offer.offer.expires_at.timestamp() - offer.offer.created_at.timestamp())
                           // 60)
    response = render(request, "wallets/offer.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- OpenID4VP: the verifier's pages and the wallet's direct_post ----------------------------------------------


@csrf_exempt
@require_POST
def presentation_response(request: HttpRequest, public_id: str) -> JsonResponse:
    """OpenID4VP §8.2 ``direct_post``: the wallet's Authorization Response, form-encoded."""
    if request.content_type != "application/x-www-form-urlencoded":
        return _json({"error": "invalid_request", "error_description": "The response is form-encoded."},
                     status=400)
    if "error" in request.POST:  # the wallet declined (§8.5): nothing to record, the request stays open
        return _json({})
    try:
        presentations.response_receive(public_id=public_id, vp_token=request.POST.get("vp_token"),
                                       state=request.POST.get("state"))
    except presentations.PresentationError as exc:
        return _json({"error": exc.code, "error_description": exc.message}, status=400)
    return _json({})


def _presentation_choices() -> dict:
    competencies = Competency.objects.filter(status=Competency.Status.ACTIVE).select_related("framework").order_by(
        "framework__title", "label")
    return {"competencies": competencies,
            "levels": ProficiencyLevel.objects.select_related("framework").order_by("framework__title", "rank"),
            "issuers": issuer_selectors.issuer_list()}


@require_http_methods(["GET", "POST"])
@login_required
def presentation_new(request: HttpRequest) -> HttpResponse:
    """A manager (or anyone signed in) asks a wallet for a badge: a competency at a level, or an issuer."""
    error = None
    if request.method == "POST":
        kind = request.POST.get("kind")
        competency = Competency.objects.filter(pk=_int(request.POST.get("competence"))).first()
        level = ProficiencyLevel.objects.filter(pk=_int(request.POST.get("niveau"))).first()
        issuer = issuer_selectors.issuer_find(pk=_int(request.POST.get("emetteur")))
        try:
            if kind == "issuer":
                made = presentations.request_create(requester=request.user, issuer=issuer)
            else:
                made = presentations.request_create(requester=request.user, competency=competency, min_level=level)
        except ApplicationError as exc:
            error = exc.code
        else:
            return redirect("wallets:presentation", public_id=made.public_id)
    return render(request, "wallets/presentation_new.html", {**_presentation_choices(), "error": error},
                  status=400 if error else 200)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
@login_required
def presentation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The requester's page: the QR code and link while it waits, then the outcome."""
    made = PresentationRequest.objects.select_related("competency", "min_level", "issuer").filter(
        public_id=public_id if _is_uuid(public_id) else None, requester=request.user).first()
    if made is None:
        raise Http404("No such presentation request.")
    if request.GET.get("etat") == "1":  # polled by the waiting page (static/js/presentation-poll.js)
        return _json({"status": made.status})
    context = {"made": made, "pending": made.status == PresentationRequest.Status.PENDING,
               "expired": made.status == PresentationRequest.Status.PENDING and made.expires_at <= timezone.now()}
    if context["pending"] and not context["expired"]:
        uri = presentations.request_uri(made)
        context.update(uri=uri, qr=base64.b64encode(artefacts.qr_png_uncached(uri)).decode("ascii"))
    response = render(request, "wallets/presentation.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
