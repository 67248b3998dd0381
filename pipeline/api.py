"""Intake and event API. Thin: check size and authenticity, parse, call a service, answer.

* ``POST /api/v1/events/moodle``: a Moodle webhook body (signed, or with the source's ``token``).
* ``POST /api/v1/events/xapi``: one xAPI statement or a list (signed).
* ``POST /api/v1/events/csv/<kind>``: a CSV file as the body (signed, or by issuer staff with ``?source=``).
* ``GET /api/v1/events/<id>``: an event's status and the credentials it produced (issuer staff, or the
  source's own signature over an empty body).

Answers: 202 with the stored event's receipt (redeliveries get the same one); 400 with field errors
for a malformed body; 401 for a bad, stale or missing signature or token, or an unknown source; 413 past
the size limit. Nothing is stored unless the request is authentic and well-formed.
"""

from __future__ import annotations

import json

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors
from badges_service.errors import PayloadTooLarge, PermissionDenied
from learners import policy

from . import authentication, selectors, services
from .errors import Unauthenticated
from .intake import BodyInvalid, Unsupported, csv_backfill, moodle, xapi
from .models import LmsSource

_SIGNATURE = OpenApiParameter(
    "X-Badges-Signature", str, OpenApiParameter.HEADER,
    description="`t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">` with the source's secret.")
_SOURCE = OpenApiParameter("X-Badges-Source", str, OpenApiParameter.HEADER,
                           description="The source's name (or `?source=`), with a signature.")
_RECEIPT = inline_serializer("EventReceipt", {
    "id": serializers.UUIDField(required=False, help_text="Absent when the item was ignored (nothing stored)."),
    "status": serializers.CharField(), "url": serializers.URLField(required=False),
    "reason": serializers.CharField(required=False)})


def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused (413) past ``limit`` bytes without reading more than ``limit + 1``."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    body = request._request.read(limit + 1)  # the stream, not .body, which has its own, lower cap
    if len(body) > limit:
        raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    return body


def _json(body: bytes) -> object:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise exceptions.ValidationError({"body": ["Le corps n'est pas du JSON valide (UTF-8)."]}) from None
    _refuse_nul(data)
    return data


def _has_nul(data: object) -> bool:
    stack = [data]  # iterative: a body nested as deep as the JSON parser allows must not exhaust the stack
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _refuse_nul(data: object) -> None:
    """Event bodies are stored as they came (PostgreSQL's jsonb refuses ``\\u0000``): refuse them at the edge."""
    if _has_nul(data):
        raise exceptions.ValidationError({"body": ["Le corps contient un caractère nul (\\u0000)."]})


def _receipt(event) -> dict:
    """The stored receipt with its keys in one order (PostgreSQL's jsonb keeps its own), so a redelivery
    gets the same bytes as the first delivery."""
    return {key: event.receipt[key] for key in sorted(event.receipt)}


def _invalid(exc: BodyInvalid) -> exceptions.ValidationError:
    return exceptions.ValidationError(exc.errors)


class _IntakeApi(APIView):
    authentication_classes: list = []  # sources authenticate by signature or token, not by user
    permission_classes = [AllowAny]
    # Not rate limited: a campaign's webhooks come from one LMS address by design, and unauthenticated
    # requests cost one HMAC and no write (a bad signature is refused before anything is stored).
    throttle_classes: list = []


class MoodleEventApi(_IntakeApi):
    @extend_schema(operation_id="event_moodle", request={"application/json": OpenApiTypes.OBJECT},
                   parameters=[_SIGNATURE, _SOURCE], responses={202: _RECEIPT, **errors(400, 401, 413)},
                   description="A Moodle webhook body, signed, or carrying the source's `token`.")
    def post(self, request: Request) -> Response:
        body = _read_body(request, settings.BADGES_PIPELINE_MAX_BODY_BYTES)
        if authentication.has_signature(request):
            source = authentication.source_from_signature(request, body)
            data = _json(body)
        else:
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                data = None  # unauthenticated: say nothing about the body
            source = authentication.source_from_token(request, moodle.token_of(data))
            _refuse_nul(data)
        try:
            item = moodle.parse(data)
        except BodyInvalid as exc:
            raise _invalid(exc) from None
        if isinstance(item, Unsupported):
            return Response(services.unsupported_receipt(item), status=status.HTTP_202_ACCEPTED)
        event, _ = services.event_receive(source=source, item=item)
        return Response(_receipt(event), status=status.HTTP_202_ACCEPTED)


class XapiEventApi(_IntakeApi):
    @extend_schema(operation_id="event_xapi", request={"application/json": OpenApiTypes.ANY},
                   parameters=[_SIGNATURE, _SOURCE], responses={202: OpenApiResponse(
                       OpenApiTypes.ANY, description="A receipt (see EventReceipt), or a list for a list."),
                       **errors(400, 401, 413)},
                   description="One xAPI statement (one receipt) or a list of them (a list of receipts); signed.")
    def post(self, request: Request) -> Response:
        body = _read_body(request, settings.BADGES_PIPELINE_MAX_BODY_BYTES)
        source = authentication.source_from_signature(request, body)
        data = _json(body)
        try:
            items = xapi.parse(data)
        except BodyInvalid as exc:
            raise _invalid(exc) from None
        parsed = [i for i in items if not isinstance(i, Unsupported)]
        if len(parsed) == 1 and len(items) == 1:
            stored = {parsed[0].event_id: services.event_receive(source=source, item=parsed[0])}
        else:
            stored = services.events_receive(source=source, items=parsed) if parsed else {}
        receipts = [services.unsupported_receipt(i) if isinstance(i, Unsupported) else _receipt(stored[i.event_id][0])
                    for i in items]
        return Response(receipts if isinstance(data, list) else receipts[0], status=status.HTTP_202_ACCEPTED)


class CsvImportApi(APIView):
    """Signed by the source, or sent by issuer staff (session or basic auth) naming ``?source=``."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="event_csv_import", request={"text/csv": OpenApiTypes.STR}, parameters=[
        OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(csv_backfill.KINDS)),
        OpenApiParameter("source", str, description="The source, for issuer staff (or `X-Badges-Source`)."),
        OpenApiParameter("filename", str, description="Kept with the import, for people."),
        _SIGNATURE, _SOURCE,
    ], responses={202: inline_serializer("CsvImportReport", {
        "id": serializers.IntegerField(), "kind": serializers.CharField(), "rows": serializers.IntegerField(),
        "accepted": serializers.IntegerField(), "rejected": serializers.IntegerField(),
        "skipped": serializers.IntegerField(), "report": serializers.JSONField()}),
        **errors(400, 401, 403, 404, 413)})
    def post(self, request: Request, kind: str) -> Response:
        if kind not in csv_backfill.KINDS:
            raise exceptions.ValidationError({"kind": [f"Un de : {', '.join(csv_backfill.KINDS)}."]})
        body = _read_body(request, settings.BADGES_PIPELINE_MAX_CSV_BYTES)
        user = None
        if authentication.has_signature(request):
            source = authentication.source_from_signature(request, body)
        elif request.user.is_authenticated:
            user = request.user
            source = selectors.source_get(name=request.query_params.get("source", ""))
            if not policy.can_read_events(policy.request_roles(request), source):
                raise PermissionDenied(f"You may not import events for source '{source.name}'.")
        else:
            raise Unauthenticated("Sign the request or log in as issuer staff.", code="unauthenticated")
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise exceptions.ValidationError({"body": ["Le fichier doit être en UTF-8."]}) from None
        report = services.csv_import(source=source, kind=kind, text=text, uploaded_by=user,
                                     filename=request.query_params.get("filename", ""))
        record = report.csv_import
        return Response({"id": record.pk, "kind": record.kind, "rows": record.rows, "accepted": record.accepted,
                         "rejected": record.rejected, "skipped": report.skipped, "report": record.report},
                        status=status.HTTP_202_ACCEPTED)


class EventDetailApi(APIView):
    permission_classes = [AllowAny]  # checked below: staff of the source's issuer, or the source itself
    # Staff by session or basic auth; the source by its signature or by its LRS credentials (basic auth).
    authentication_classes = [authentication.SourceBasicAuthentication, SessionAuthentication]  # 401 first

    @extend_schema(operation_id="event_get", parameters=[_SIGNATURE, _SOURCE], responses={
        200: inline_serializer("Event", {
            "id": serializers.UUIDField(), "source": serializers.CharField(), "kind": serializers.CharField(),
            "event_id": serializers.CharField(), "status": serializers.CharField(), "reason": serializers.CharField(),
            "detail": serializers.JSONField(), "received_at": serializers.DateTimeField(),
            "processed_at": serializers.DateTimeField(allow_null=True),
            "credentials": serializers.ListField(child=serializers.URLField())}),
        **errors(401, 403, 404)})
    def get(self, request: Request, public_id: str) -> Response:
        if isinstance(request.auth, LmsSource):  # the source's LRS credentials: its statements by their id
            event = selectors.event_get_for_source(source=request.auth, public_id=public_id)
        elif authentication.has_signature(request):
            source = authentication.source_from_signature(request, b"")
            # Another source's event is not found: not even its existence is told.
            event = selectors.event_get_for_source(source=source, public_id=public_id)
        elif request.user.is_authenticated:
            event = selectors.event_get(public_id=public_id)
            if not policy.can_read_events(policy.request_roles(request), event.source):
                raise PermissionDenied("You may not read this source's events.")
        else:
            raise Unauthenticated("Sign the request, send the source's LRS credentials or log in as issuer staff.",
                                  code="unauthenticated")
        return Response({
            "id": str(event.public_id), "source": event.source.name, "kind": event.kind, "event_id": event.event_id,
            "status": event.status, "reason": event.reason, "detail": event.detail,
            "received_at": event.received_at, "processed_at": event.processed_at,
            "credentials": selectors.event_credential_urls(event=event),
        })
