"""Reads of the CASE 1.0 REST binding (``/ims/case/v1p0/…``): which framework holds a CASE identifier, and the
objects served for it, cut from that framework's package (``documents.case_package``) so that every endpoint
answers exactly what the package says.

Packages are written for CASE 1.0 consumers (``case_version="1.0"``: no association type CASE 1.0 does not
know, which OpenSALT's import refuses). Identifiers are those of the packages: kept from the source package for
an imported framework, UUID v5 from codes for the city's own (stable across runs and versions). An item present
in several versions of a framework (same identifier) is served from the latest version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache

from badges_service.errors import NotFound

from . import documents, identifiers
from .interchange.case_common import case_id
from .models import Competency, Framework, Job, JobFamily

logger = logging.getLogger(__name__)


def package_of(framework: Framework) -> dict:
    return json.loads(package_text_of(framework))


def package_text_of(framework: Framework) -> str:
    """The framework's CASE 1.0 package as JSON text, kept in the cache under its last change (each import
    changes ``updated_at``), so that one item does not cost a whole package built from rows. A cache outage only
    costs time."""
    key = f"badges:case:package:{framework.pk}:{framework.updated_at.timestamp()}"
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable while reading a CASE package", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    text = json.dumps(documents.case_package(framework, case_version="1.0"), ensure_ascii=False)
    try:
        cache.set(key, text, settings.BADGES_CASE_PACKAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("Cache unavailable while keeping a CASE package", exc_info=True)
    return text


def _latest_first() -> list[Framework]:
    return list(Framework.objects.order_by("-created_at", "-id"))


def _with_package_uri(framework: Framework, document: dict) -> dict:
    """A CFDocument on its own (CASE CFDocument.CFPackageURI): where its whole package is served."""
    return {**document, "CFPackageURI": {"title": document["title"], "identifier": document["identifier"],
                                         "uri": identifiers.case_api_url(f"CFPackages/{document['identifier']}")}}


def documents_all() -> list[dict]:
    """Every framework's CFDocument, by title then version."""
    out = []
    for framework in Framework.objects.order_by("title", "version", "id"):
        out.append(_with_package_uri(framework, documents.case_document(framework)))
    return out


def framework_of_document(identifier: str) -> Framework:
    wanted = identifier.lower()
    framework = Framework.objects.filter(case_identifier__iexact=wanted).order_by("-created_at", "-id").first()
    if framework is None:
        framework = next((f for f in _latest_first() if not f.case_identifier
                          and case_id(f.code, "document", f.version) == wanted), None)
    if framework is None:
        raise NotFound(f"No CFDocument {identifier}.", code="unknownobject")
    return framework


def document_get(identifier: str) -> dict:
    framework = framework_of_document(identifier)
    return _with_package_uri(framework, documents.case_document(framework))


def package_get(identifier: str) -> str:
    """The CFPackage, as JSON text (served as it is cached)."""
    return package_text_of(framework_of_document(identifier))


def _framework_of_item(identifier: str) -> Framework | None:
    """The latest framework holding a family, job or competency with this CASE identifier."""
    for model in (Competency, Job, JobFamily):
        row = (model.objects.filter(case_identifier__iexact=identifier).select_related("framework")
               .order_by("-framework__created_at", "-framework_id").first())
        if row is not None:
            return row.framework
    kinds = ((Competency, "competency"), (Job, "job"), (JobFamily, "family"))
    for framework in _latest_first():
        for model, kind in kinds:
            codes = model.objects.filter(framework=framework, case_identifier="").values_list("code", flat=True)
            if any(case_id(framework.code, kind, code) == identifier for code in codes.iterator()):
                return framework
    return None


def item_get(identifier: str) -> dict:
    """A CFItem on its own, with its CFDocumentURI."""
    wanted = identifier.lower()
    framework = _framework_of_item(wanted)
    package = package_of(framework) if framework else {"CFItems": []}
    item = next((i for i in package["CFItems"] if i["identifier"] == wanted), None)
    if item is None:
        raise NotFound(f"No CFItem {identifier}.", code="unknownobject")
    return {**item, "CFDocumentURI": _document_link(package)}


def item_associations_get(identifier: str) -> dict:
    """CASE getCFItemAssociations: the item and every association of its package it is an end of."""
    item = item_get(identifier)
    package = package_of(framework_of_document(item["CFDocumentURI"]["identifier"]))
    return {"CFItem": item, "CFAssociations": [
        {**a, "CFDocumentURI": _document_link(package)} for a in package["CFAssociations"]
        if item["identifier"] in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])]}


def _packages() -> Iterator[dict]:
    for framework in _latest_first():
        yield package_of(framework)


def association_get(identifier: str) -> dict:
    wanted = identifier.lower()
    for package in _packages():
        for association in package["CFAssociations"]:
            if association["identifier"] == wanted:
                return {**association, "CFDocumentURI": _document_link(package)}
    raise NotFound(f"No CFAssociation {identifier}.", code="unknownobject")


def rubric_get(identifier: str) -> dict:
    wanted = identifier.lower()
    for package in _packages():
        for rubric in package.get("CFRubrics", []):
            if rubric["identifier"] == wanted:
                return rubric
    raise NotFound(f"No CFRubric {identifier}.", code="unknownobject")


def definition_get(kind: str, identifier: str) -> dict:
    """A definition of a package's CFDefinitions (``kind``: "CFItemTypes", "CFAssociationGroupings", ...)."""
    wanted = identifier.lower()
    for package in _packages():
        for definition in package.get("CFDefinitions", {}).get(kind, []):
            if definition["identifier"] == wanted:
                return definition
    raise NotFound(f"No {kind[:-1]} {identifier}.", code="unknownobject")


def _document_link(package: dict) -> dict:
    document = package["CFDocument"]
    return {"title": document["title"], "identifier": document["identifier"], "uri": document["uri"]}
