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

    @extend_schema(operation_id="xapi_statements_get", parameters=[_VERSION, _STATEMENT_ID, _VOIDED_ID],
                   responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 404)},
                   description="One stored statement, by `statementId` (or `voidedStatementId`).")
    def get(self, request: Request) -> Response:
        source = authentication.source_from_basic(request)
        voided = "voidedStatementId" in request.query_params
        name = "voidedStatementId" if voided else "statementId"
        statement_id = _statement_id(request, name, required=True, allowed=_GET_PARAMETERS)
        if "statementId" in request.query_params and voided:
            raise exceptions.ValidationError({"query": ["statementId ou voidedStatementId, pas les deux."]})
        event = selectors.statement_get(source=source, statement_id=statement_id)
        if selectors.statement_voided(source=source, statement_id=statement_id) != voided:
            raise NotFound("No such statement." if not voided else "This statement is not voided.")
        response = Response(statement_document(event))
        response["Last-Modified"] = event.received_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
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
