"""The CASE 1.0 REST binding (1EdTech CASE Service 1.0, ``/ims/case/v1p0``): public, read-only, JSON. What a CASE
consumer calls (OpenSALT's "import from a CASE server" lists ``/CFDocuments`` then fetches
``/CFPackages/<identifier>``). ``/CFDocuments`` takes CASE's ``limit``, ``offset``, ``sort``, ``orderBy``,
``filter`` and ``fields`` (``case_query``). Errors, a client over its rate limit (429, ``server_busy``)
included, are CASE's ``imsx_StatusInfo``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from badges_service.errors import NotFound

from . import case_binding, case_query


def status_info(status: int, description: str, code_minor: str) -> HttpResponse:
    """CASE 1.0 REST/JSON binding, imsx_StatusInfo: codeMajor, severity, description and a codeMinor field."""
    return _json({"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": description,
                  "imsx_codeMinor": {"imsx_codeMinorField": [{"imsx_codeMinorFieldName": "TargetEndSystem",
                                                              "imsx_codeMinorFieldValue": code_minor}]}},
                 status=status)


def _json(data: dict | str, status: int = 200) -> HttpResponse:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    response = HttpResponse(body, status=status,
                            content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by browser CASE viewers too
    return response


def rate_limited(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 of the CASE binding (``server_busy``), registered with ``badges_service.ratelimit``."""
    return status_info(429, f"Too many requests: retry in {retry_after} seconds.", "server_busy")


def case_endpoint(view: Callable[..., dict | str | HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only; an identifier that is not a UUID or is unknown gets CASE's 404 status info."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = status_info(405, "The CASE service is read-only: GET only.", "forbidden")
            response["Allow"] = "GET, HEAD"
            return response
        identifier = kwargs.get("identifier")
        if identifier is not None:
            try:
                uuid.UUID(identifier)
            except ValueError:
                return status_info(404, f"Invalid UUID: {identifier[:100]}", "invalid_uuid")
        try:
            answer = view(request, *args, **kwargs)
        except NotFound as exc:
            return status_info(404, f"Unknown Object: {exc.message}", "unknownobject")
        except case_query.SelectionError as exc:
            return status_info(400, str(exc), exc.code_minor)
        return answer if isinstance(answer, HttpResponse) else _json(answer)

    return wrapper


@case_endpoint
def documents_list(request: HttpRequest) -> HttpResponse:
    """getAllCFDocuments: the page the query asks for, ``X-Total-Count`` (documents that match) and ``Link``
    (first, prev, next and last pages)."""
    params = {k: request.GET.get(k, "") for k in request.GET}
    query = case_query.parse(params)
    page, total = case_query.apply(case_binding.documents_all(), query)
    response = _json({"CFDocuments": page})
    response["X-Total-Count"] = str(total)
    response["Link"] = case_query.page_links(request.build_absolute_uri(request.path), params, query, total)
    response["Access-Control-Expose-Headers"] = "X-Total-Count, Link"
    return response


def by_identifier(read: Callable[[str], dict | str]) -> Callable[..., HttpResponse]:
    """The view of one object by its CASE identifier (``case_binding.<object>_get``)."""

    @case_endpoint
    def view(request: HttpRequest, identifier: str) -> dict | str:
        return read(identifier)

    view.__name__ = read.__name__
    return view


document = by_identifier(case_binding.document_get)
package = by_identifier(case_binding.package_get)
item = by_identifier(case_binding.item_get)
item_associations = by_identifier(case_binding.item_associations_get)
association = by_identifier(case_binding.association_get)
rubric = by_identifier(case_binding.rubric_get)


def definition(kind: str, *, as_set: bool) -> Callable[..., HttpResponse]:
    """CFItemTypes, CFSubjects and CFConcepts answer a set ({"CFItemTypes": [...]}), the others the object."""

    def read(identifier: str) -> dict:
        found = case_binding.definition_get(kind, identifier)
        return {kind: [found]} if as_set else found

    read.__name__ = f"definition_{kind}"
    return by_identifier(read)

