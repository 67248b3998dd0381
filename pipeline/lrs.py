"""The xAPI 1.0.3 Learning Record Store, statements resource (xAPI Communication §2.1), for Moodle's log
store (``logstore_xapi``) and any other xAPI client. Thin views: check the version header, the credentials
and the size, parse, call ``services.statements_store``, answer.

* ``GET <endpoint>/about`` (§2.8): the versions supported, without authentication.
* ``POST <endpoint>/statements``: one statement or a list → 200 and the ids, in order (the plugin treats
  any other status as a failure and sends the batch again, cutting it in halves after a 400).
* ``PUT <endpoint>/statements?statementId=<uuid>``: one statement → 204.
* ``GET <endpoint>/statements?statementId=<uuid>`` (or ``voidedStatementId``): the stored statement.

Every response carries ``X-Experience-API-Version`` (§3.3); every request but ``about`` must send a 1.0.x
one (400 otherwise). Credentials are the source's LRS username and password (HTTP Basic); a 401 carries
``WWW-Authenticate``. Errors are the project's ``{"error": {"code", "message", "details"?}}``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors
from badges_service.errors import ApplicationError, NotFound
from issuers import identifiers

from . import authentication, selectors
from .api import _invalid, _json, _read_body
from .intake import BodyInvalid, xapi
from .intake.xapi import validation as xapi_validation
from .models import InboundEvent, LmsSource
from .services.lrs import statements_store

VERSION = "1.0.3"
VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
VERSION_HEADER = "X-Experience-API-Version"
_ACCEPTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")  # §3.3: "1.0" is 1.0.0; any 1.0.x is accepted
_VERSION = OpenApiParameter(VERSION_HEADER, str, OpenApiParameter.HEADER, required=True,
                            description="The xAPI version the client follows: `1.0.3` (any `1.0.x`).")
_STATEMENT_ID = OpenApiParameter("statementId", OpenApiTypes.UUID, description="The statement's id.")
_VOIDED_ID = OpenApiParameter("voidedStatementId", OpenApiTypes.UUID, description="A voided statement's id.")
_GET_PARAMETERS = {"statementId", "voidedStatementId", "format", "attachments"}
MAX_PAGE = 100


class _AgentParameter(serializers.Field):
    def to_internal_value(self, data):
        try:
            value = json.loads(data)
        except (TypeError, ValueError, RecursionError):
            raise serializers.ValidationError("Un agent en JSON est attendu.") from None
        errors = xapi_validation.agent_errors(value)
        if errors:
            raise serializers.ValidationError(errors)
        return value


class _Query(serializers.Serializer):
    """xAPI Communication §2.1.3's parameters (and ``cursor``, where ``more`` resumes)."""

    agent = _AgentParameter(required=False)
    verb = serializers.CharField(required=False, max_length=500)
    activity = serializers.CharField(required=False, max_length=500)
    registration = serializers.UUIDField(required=False)
    related_activities = serializers.BooleanField(required=False, default=False)
    related_agents = serializers.BooleanField(required=False, default=False)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(required=False, min_value=0)
    format = serializers.ChoiceField(choices=["exact", "ids", "canonical"], required=False, default="exact")
    attachments = serializers.BooleanField(required=False, default=False)
    ascending = serializers.BooleanField(required=False, default=False)
    cursor = serializers.IntegerField(required=False, min_value=0)


def _formatted(document: dict, form: str) -> dict:
    """``ids`` keeps identifiers only; ``canonical`` is the statement as stored (one language is all it has)."""
    return xapi.ids_format(document) if form == "ids" else document


class XapiVersionInvalid(ApplicationError):
    code = "xapi_version"


def _instant(value) -> str:
    """xAPI Data §4.5: ISO 8601, UTC, milliseconds."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def authority_of(source: LmsSource) -> dict:
    """The Agent the LRS names as the authority of a source's statements (xAPI Data §2.4.9)."""
    return {"objectType": "Agent", "name": source.name,
            "account": {"homePage": identifiers.public_url("/"), "name": source.lrs_username or source.name}}


def statement_document(event: InboundEvent) -> dict:
    """The statement as stored, with what the LRS assigns (xAPI Data §2.4: id, stored, authority, timestamp
    when absent, version 1.0.0 when absent)."""
    document = dict(event.payload)
    document["id"] = event.event_id
    stored = _instant(event.received_at)
    document.setdefault("timestamp", stored)
    document["stored"] = stored
    document["authority"] = authority_of(event.source)
    document.setdefault("version", "1.0.0")
    return document


class _LrsApi(APIView):
    authentication_classes: list = []  # the source's LRS credentials, checked in the view
    permission_classes = [AllowAny]
    throttle_classes: list = []  # LMS intake, as the signed routes (see badges_service.ratelimit)
    version_required = True

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not self.version_required:
            return
        version = request.headers.get(VERSION_HEADER, "").strip()
        if not version:
            raise XapiVersionInvalid(f"The {VERSION_HEADER} header is required (xAPI 1.0.3 §3.3): send {VERSION}.",
                                     code="xapi_version_missing")
        if not _ACCEPTED_VERSION.match(version):
            raise XapiVersionInvalid(f"xAPI version '{version[:20]}' is not supported: this LRS speaks "
                                     f"{', '.join(VERSIONS)}.", code="xapi_version_unsupported")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response[VERSION_HEADER] = VERSION
        if response.status_code == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = authentication.BASIC_CHALLENGE
        return response


class XapiAboutApi(_LrsApi):
    version_required = False  # §2.8: a client asks which versions to speak before it speaks one

    @extend_schema(operation_id="xapi_about", responses={200: inline_serializer("XapiAbout", {
        "version": serializers.ListField(child=serializers.CharField()), "extensions": serializers.DictField()})},
        description="The xAPI versions this LRS supports (xAPI Communication §2.8). No authentication.")
    def get(self, request: Request) -> Response:
        return Response({"version": VERSIONS, "extensions": {}})


@extend_schema(exclude=True)
class XapiOtherApi(_LrsApi):
    """The other xAPI resources (documents: state, activity and agent profiles; activities; agents) are not
    implemented: 404 with a message, and the version header as on every LRS answer."""

    version_required = False

    def _not_here(self, request: Request, resource: str) -> Response:
        raise NotFound(f"This LRS implements the statements resource and about only, not '{resource[:100]}'.",
                       code="xapi_resource_not_implemented")

    get = post = put = delete = _not_here


class XapiStatementsApi(_LrsApi):
    @extend_schema(operation_id="xapi_statements_post", request={"application/json": OpenApiTypes.ANY},
                   parameters=[_VERSION], responses={200: OpenApiResponse(
                       OpenApiTypes.ANY, description="The statement ids (UUIDs), in the order sent."),
                       **errors(400, 401, 409, 413)},
                   description="Store one xAPI statement or a list (HTTP Basic: the source's LRS credentials).")
    def post(self, request: Request) -> Response:
        source = authentication.source_from_basic(request)
        if request.query_params:
            raise exceptions.ValidationError({"query": [
                "POST /statements ne prend aucun paramètre (la syntaxe alternative n'est pas prise en charge)."]})
        items = self._parse(request, _body(request))
        return Response(statements_store(source=source, items=items), status=status.HTTP_200_OK)

    @extend_schema(operation_id="xapi_statements_put", request={"application/json": OpenApiTypes.OBJECT},
                   parameters=[_VERSION, OpenApiParameter("statementId", OpenApiTypes.UUID, required=True)],
                   responses={204: None, **errors(400, 401, 409, 413)},
                   description="Store one xAPI statement under the given id.")
    def put(self, request: Request) -> Response:
        source = authentication.source_from_basic(request)
        statement_id = _statement_id(request, "statementId", required=True, allowed={"statementId"})
        data = _body(request)
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"body": ["PUT /statements prend une seule déclaration (un objet)."]})
        if "id" in data and str(data["id"]).lower() != statement_id:
            raise exceptions.ValidationError({"id": ["L'id de la déclaration diffère du paramètre statementId."]})
        statements_store(source=source, items=self._parse(request, {**data, "id": statement_id}))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="xapi_statements_get", parameters=[
        _VERSION, _STATEMENT_ID, _VOIDED_ID,
        OpenApiParameter("agent", str, description="An Agent or Group (JSON) as actor or object."),
        OpenApiParameter("verb", str), OpenApiParameter("activity", str),
        OpenApiParameter("registration", OpenApiTypes.UUID),
        OpenApiParameter("related_activities", bool), OpenApiParameter("related_agents", bool),
        OpenApiParameter("since", OpenApiTypes.DATETIME), OpenApiParameter("until", OpenApiTypes.DATETIME),
        OpenApiParameter("limit", int), OpenApiParameter("format", str, enum=["exact", "ids", "canonical"]),
        OpenApiParameter("attachments", bool), OpenApiParameter("ascending", bool),
        OpenApiParameter("cursor", int, description="Where the previous page stopped (from `more`)."),
    ], responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 404)},
        description="One stored statement by `statementId` (or `voidedStatementId`), or a StatementResult "
                    "(`statements`, `more`) of the source's statements matching the filters.")
    def get(self, request: Request) -> Response:
        source = authentication.source_from_basic(request)
        params = request.query_params
        if "statementId" not in params and "voidedStatementId" not in params:
            return self._query(request, source)
        voided = "voidedStatementId" in params
        name = "voidedStatementId" if voided else "statementId"
        statement_id = _statement_id(request, name, required=True, allowed=_GET_PARAMETERS)
        if "statementId" in params and voided:
            raise exceptions.ValidationError({"query": ["statementId ou voidedStatementId, pas les deux."]})
        event = selectors.statement_get(source=source, statement_id=statement_id)
        if selectors.statement_voided(source=source, statement_id=statement_id) != voided:
            raise NotFound("No such statement." if not voided else "This statement is not voided.")
        form = params.get("format", "exact")
        if form not in ("exact", "ids", "canonical"):
            raise exceptions.ValidationError({"format": ["exact, ids ou canonical."]})
        response = Response(_formatted(statement_document(event), form))
        response["Last-Modified"] = event.received_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return self._consistent(response)

    def _query(self, request: Request, source: LmsSource) -> Response:
        """xAPI Communication §2.1.3: a StatementResult, newest stored first, ``more`` leading to the next page."""
        unknown = sorted(set(request.query_params) - set(_Query().fields))
        if unknown:
            raise exceptions.ValidationError({"query": [f"Paramètre(s) non pris en charge : {', '.join(unknown)}."]})
        query = _Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        agent, activity = q.get("agent"), q.get("activity", "")
        matches = None
        if agent is not None or activity:
            def matches(payload: dict) -> bool:
                return xapi.statement_matches(payload, agent=agent, activity=activity,
                                              related_agents=q["related_agents"],
                                              related_activities=q["related_activities"])
        limit = min(q.get("limit") or MAX_PAGE, MAX_PAGE)
        events, cursor = selectors.statements_page(
            source=source, limit=limit, after=q.get("cursor"), ascending=q["ascending"], verb=q.get("verb", ""),
            registration=str(q["registration"]) if q.get("registration") else "", since=q.get("since"),
            until=q.get("until"), matches=matches)
        more = ""
        if cursor is not None:
            following = request.query_params.copy()
            following["cursor"] = str(cursor)
            more = f"{request.path}?{following.urlencode()}"
        statements = [_formatted(statement_document(e), q["format"]) for e in events]
        return self._consistent(Response({"statements": statements, "more": more}))

    @staticmethod
    def _consistent(response: Response) -> Response:
        # §2.1.3: statements stored before this instant are in every answer (the LRS answers after its commit).
        response["X-Experience-API-Consistent-Through"] = _instant(timezone.now())
        return response

    @staticmethod
    def _parse(request: Request, data: object) -> list:
        try:
            return xapi.parse(data, keep_unsupported=True)
        except BodyInvalid as exc:
            raise _invalid(exc) from None


def _body(request: Request) -> object:
    media = request.content_type.split(";")[0].strip().lower()
    if media != "application/json":
        raise exceptions.ValidationError({"Content-Type": [
            "Les déclarations s'envoient en application/json (les pièces jointes, multipart/mixed, ne sont pas "
            "prises en charge)."]})
    return _json(_read_body(request, settings.BADGES_PIPELINE_MAX_BODY_BYTES))


def _statement_id(request: Request, name: str, *, required: bool, allowed: set[str]) -> str:
    """The statement id parameter, as a lowercase UUID. §3.2: unknown parameters are refused."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise exceptions.ValidationError({"query": [f"Paramètre(s) non pris en charge : {', '.join(unknown)}."]})
    value = request.query_params.get(name, "")
    if not value and required:
        raise exceptions.ValidationError({name: ["Ce paramètre est obligatoire."]})
    try:
        return str(serializers.UUIDField().to_internal_value(value))
    except serializers.ValidationError:
        raise exceptions.ValidationError({name: ["Un UUID est attendu."]}) from None
