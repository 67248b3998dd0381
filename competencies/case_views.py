"""The CASE 1.0 REST binding (1EdTech CASE Service 1.0, ``/ims/case/v1p0``): public, read-only, JSON. What a CASE
consumer calls (OpenSALT's "import from a CASE server" lists ``/CFDocuments`` then fetches
``/CFPackages/<identifier>``). Errors are CASE's ``imsx_StatusInfo``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from badges_service.errors import NotFound

from . import case_binding

MAX_LIMIT = 1000  # CASE getAllCFDocuments: limit (default 100), offset (default 0)


class BadSelection(ValueError):
    """A query parameter CASE defines, with a value it does not allow."""


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


def case_endpoint(view: Callable[..., dict]) -> Callable[..., HttpResponse]:
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
            return _json(view(request, *args, **kwargs))
        except NotFound as exc:
            return status_info(404, f"Unknown Object: {exc.message}", "unknownobject")
        except BadSelection as exc:
            return status_info(400, str(exc), "invalid_selection_field")

    return wrapper


@case_endpoint
def documents_list(request: HttpRequest) -> dict:
    """getAllCFDocuments, with CASE's ``limit`` and ``offset``."""
    try:
        limit = int(request.GET.get("limit", 100))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        raise BadSelection("limit and offset are whole numbers") from None
    if not (1 <= limit <= MAX_LIMIT and offset >= 0):
        raise BadSelection(f"limit is 1 to {MAX_LIMIT}, offset 0 or more")
    found = case_binding.documents_all()
    return {"CFDocuments": found[offset:offset + limit]}


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

