"""The référentiel over HTTP (public: partners align their own badges to it). Profiles, job fit and the
skills search are in ``skills.api``."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors

from . import identifiers, selectors


class FrameworkListApi(APIView):
    """Public: the published frameworks, for partners who align their own badges."""

    permission_classes: list = []
    authentication_classes: list = []

    @extend_schema(operation_id="frameworks_list", responses={200: inline_serializer("FrameworkSummary", {
        "code": serializers.CharField(), "version": serializers.CharField(), "title": serializers.CharField(),
        "language": serializers.CharField(), "url": serializers.URLField()}, many=True)})
    def get(self, request: Request) -> Response:
        return Response([{"code": f.code, "version": f.version, "title": f.title, "language": f.language,
                          "url": identifiers.framework_url(f)} for f in selectors.framework_list()])


class FrameworkDetailApi(APIView):
    """Public: one framework as our JSON bundle (default) or, with ``?format=case``, its CASE 1.0 package."""

    permission_classes: list = []
    authentication_classes: list = []

    @extend_schema(operation_id="framework_get", parameters=[
        OpenApiParameter("format", str, enum=["json", "case"],
                         description="`case`: the CASE 1.0 package; otherwise our JSON bundle."),
    ], responses={200: OpenApiTypes.OBJECT, **errors(404)})
    def get(self, request: Request, code: str, version: str) -> Response:
        from .documents import case_package
        from .interchange.json_bundle import write_json

        framework = selectors.framework_get(code=code, version=version)
        if request.query_params.get("format") == "case":
            return Response(case_package(framework))
        return Response(json.loads(write_json(selectors.framework_bundle(framework=framework))))


class CompetencySearchApi(APIView):
    """Public: competencies of a framework, filtered by ``q`` (label or code), ``kind`` and ``domain``."""

    permission_classes: list = []
    authentication_classes: list = []

    @extend_schema(operation_id="competencies_search", parameters=[
        OpenApiParameter("q", str, description="Text in the label or the code."),
        OpenApiParameter("kind", str), OpenApiParameter("domain", str),
    ], responses={200: inline_serializer("CompetencySummary", {
        "code": serializers.CharField(), "label": serializers.CharField(), "kind": serializers.CharField(),
        "domain": serializers.CharField(), "status": serializers.CharField(), "url": serializers.URLField()},
        many=True), **errors(404)})
    def get(self, request: Request, code: str, version: str) -> Response:
        framework = selectors.framework_get(code=code, version=version)
        rows = selectors.competency_search(framework=framework, text=request.query_params.get("q", ""),
                                           kind=request.query_params.get("kind", ""),
                                           domain=request.query_params.get("domain", ""))
        return Response([{"code": c.code, "label": c.label, "kind": c.kind, "domain": c.domain, "status": c.status,
                          "url": identifiers.competency_url(c)} for c in rows[:200]])
