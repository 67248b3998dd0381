"""HTTP face of the Open Badges API (OB 3.0 §6) and of its OAuth 2.0 endpoints (§7). Thin: parse, call, render.

Resource endpoints authenticate with a Bearer access token only (never the session cookie), answer errors
as ``Imsx_StatusInfo`` and serve stored credentials byte for byte inside the response.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import AuthorizationView

from badges_service.errors import ApplicationError

from . import discovery, selectors, services
from .errors import ApiError, error_response
from .registration import RegistrationError, client_register, registration_response
from .scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, DESCRIPTIONS, PROFILE_READONLY, PROFILE_UPDATE

log = logging.getLogger(__name__)

REALM = 'Bearer realm="Open Badges API"'
MAX_REGISTRATION_BYTES = 16 * 1024
MAX_PROFILE_BYTES = 32 * 1024
_DIGITS = re.compile(r"[0-9]{1,9}")


def _api(*methods: str):
    """Allow ``methods``; turn every refusal (and any crash) into an Imsx_StatusInfo response."""
    def decorate(view):
        @csrf_exempt  # Bearer tokens only: no ambient credential a forged cross-site request could use
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise ApiError(405, f"Method {request.method} is not allowed here.",
                                   headers={"Allow": ", ".join(methods)})
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc)
            except ApplicationError as exc:
                return error_response(ApiError(exc.status_code, exc.message))
            except RequestDataTooBig:
                return error_response(ApiError(413, "The request body is too large."))
            except Exception:
                log.exception("Open Badges API failure")
                return error_response(ApiError(500, "The request could not be served."))
        return wrapper
    return decorate


def _owner_token(request, scope: str):
    """The access token of the request, valid and carrying ``scope`` (RFC 6750 §3.1 errors otherwise)."""
    if not request.META.get("HTTP_AUTHORIZATION"):
        raise ApiError(401, "An access token is required (Authorization: Bearer).", headers={"WWW-Authenticate": REALM})
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    if token is None:
        raise ApiError(401, "The access token is not valid: unknown, expired or revoked.",
                       headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    if token.user is None or not token.user.is_active:
        raise ApiError(403, "This access token acts for no person.")
    if not token.allow_scopes([scope]):
        raise ApiError(403, f"The access token lacks the scope {scope}.",
                       headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'})
    return token


@_api("GET")
def discovery_view(request):
    response = JsonResponse(discovery.service_description(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _int_param(request, name: str, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        raise ApiError(400, f"{name} must be an integer of at least {minimum}.", code_minor="invalid_query_parameter")
    return int(raw)


def _since(request):
    raw = request.GET.get("since")
    if raw is None:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ApiError(400, "since must be a date-time with a time zone (RFC 3339, e.g. 2025-01-31T08:00:00Z).",
                       code_minor="invalid_query_parameter")
    return value


def _links(*, total: int, offset: int, limit: int, since: str | None) -> str:
    """OB 3.0 §6.4: first and last always; next while the list goes on; prev when offset > 0."""
    base = settings.BADGES_PUBLIC_URL + reverse("obapi:credentials")

    def link(at: int, rel: str) -> str:
        query = {"limit": limit, "offset": at, **({"since": since} if since is not None else {})}
        return f'<{base}?{urlencode(query)}>; rel="{rel}"'

    last = ((total - 1) // limit) * limit if total else 0
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if offset > 0:
        links.append(link(max(0, min(offset - limit, last)), "prev"))
    return ", ".join(links)


def _get_credentials(request):
    token = _owner_token(request, CREDENTIAL_READONLY)
    limit = min(_int_param(request, "limit", settings.OBAPI_DEFAULT_PAGE_SIZE, 1), settings.OBAPI_MAX_PAGE_SIZE)
    offset = _int_param(request, "offset", 0, 0)
    since = _since(request)
    page = selectors.owner_credentials_page(user=token.user, offset=offset, limit=limit, since=since)
    # The stored documents are spliced in as they are: signed bytes stay the signed bytes.
    objects = [item.text for item in page.items if item.format == "json"]
    strings = [json.dumps(item.text.strip()) for item in page.items if item.format == "jws"]
    body = '{"credential":[' + ",".join(objects) + '],"compactJwsString":[' + ",".join(strings) + "]}"
    response = HttpResponse(body, content_type="application/json")
    response["X-Total-Count"] = str(page.total)
    response["Link"] = _links(total=page.total, offset=offset, limit=limit, since=request.GET.get("since"))
    response["Cache-Control"] = "no-store"
    return response


def _upsert_credential(request):
    token = _owner_token(request, CREDENTIAL_UPSERT)
    result = services.held_credential_upsert(owner=token.user, body=request.body,
                                             content_type=request.content_type or "", client=token.application)
    response = HttpResponse(result.text, content_type=result.content_type, status=201 if result.created else 200)
    response["Cache-Control"] = "no-store"
    return response


@_api("GET", "POST")
def credentials_view(request):
    return _get_credentials(request) if request.method == "GET" else _upsert_credential(request)


def _json_body(request, *, limit: int):
    if (request.content_type or "").lower() not in ("application/json", "application/ld+json"):
        raise ApiError(415, "Send the profile as application/json.")
    if len(request.body) > limit:
        raise ApiError(413, f"The request body is larger than {limit} bytes.")
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "The body is not JSON.") from exc


@_api("GET", "PUT")
def profile_view(request):
    if request.method == "GET":
        token = _owner_token(request, PROFILE_READONLY)
    else:
        token = _owner_token(request, PROFILE_UPDATE)
        services.profile_put(user=token.user, profile=_json_body(request, limit=MAX_PROFILE_BYTES))
    response = JsonResponse(selectors.profile_of(user=token.user), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _registration_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # RFC 7591: anonymous JSON requests, no cookie involved (OB 3.0: no initial access token)
def register_view(request):
    if request.method != "POST":
        response = _registration_error("invalid_request", "Use POST.", status=405)
        response["Allow"] = "POST"
        return response
    if (request.content_type or "").lower() != "application/json":
        return _registration_error("invalid_client_metadata", "Send the registration request as application/json.")
    try:
        if len(request.body) > MAX_REGISTRATION_BYTES:
            return _registration_error("invalid_client_metadata", "The registration request is too large.")
        metadata = json.loads(request.body)
    except RequestDataTooBig:
        return _registration_error("invalid_client_metadata", "The registration request is too large.")
    except (ValueError, RecursionError):
        return _registration_error("invalid_client_metadata", "The registration request is not JSON.")
    try:
        client = client_register(metadata=metadata)
    except RegistrationError as exc:
        return _registration_error(exc.error, exc.description)
    response = JsonResponse(registration_response(client), status=201)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


class ConsentView(AuthorizationView):
    """The authorization endpoint: the signed-in person sees who asks for what, and allows or refuses.

    OB 3.0 §7.1.2: the page shows the client's name, home page, logo, terms of service and privacy policy
    from its registration. Sign-in is ``settings.LOGIN_URL``'s business (DOT's LoginRequiredMixin).
    """

    template_name = "obapi/authorize.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        context["registration"] = getattr(application, "ob_registration", None) if application else None
        context["scope_descriptions"] = [DESCRIPTIONS.get(scope, scope) for scope in context.get("scopes", [])]
        return context
