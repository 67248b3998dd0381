"""Partner platform API for OpenID4VP presentation requests: create one, read its outcome. A request is seen only
by whoever made it (else 404, as for an unknown id)."""

from __future__ import annotations

import uuid

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.errors import NotFound
from competencies.models import Competency, ProficiencyLevel
from issuers import selectors as issuer_selectors

from . import presentations
from .models import PresentationRequest


def request_json(request: PresentationRequest) -> dict:
    answered = request.status != PresentationRequest.Status.PENDING
    return {
        "id": str(request.public_id), "status": request.status,
        "expired": not answered and request.expires_at <= timezone.now(),
        "dcql_query": request.dcql_query, "client_id": presentations.client_id(request),
        "request_uri": presentations.request_uri(request) if not answered else None,
        "created_at": request.created_at.isoformat(), "expires_at": request.expires_at.isoformat(),
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
        "result": {k: request.result.get(k) for k in ("reasons", "holder", "matched")} if answered else None,
        "report": request.result.get("report") if answered else None,
    }


class PresentationRequestCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        competency = serializers.IntegerField(required=False, help_text="id of a competency of the référentiel")
        min_level = serializers.CharField(required=False, help_text="code of a level of the competency's scale")
        issuer = serializers.SlugField(required=False, help_text="slug of an issuer")

        def validate(self, data):
            if ("competency" in data) == ("issuer" in data):
                raise serializers.ValidationError("Give a competency or an issuer, not both.")
            if "min_level" in data and "competency" not in data:
                raise serializers.ValidationError({"min_level": "A level needs a competency."})
            if "competency" in data:
                data["competency"] = Competency.objects.select_related("framework").filter(
                    pk=data["competency"]).first()
                if data["competency"] is None:
                    raise serializers.ValidationError({"competency": "No such competency."})
                if "min_level" in data:
                    data["min_level"] = ProficiencyLevel.objects.filter(
                        framework=data["competency"].framework, code=data["min_level"]).first()
                    if data["min_level"] is None:
                        raise serializers.ValidationError({"min_level": "No such level on the competency's scale."})
            if "issuer" in data:
                data["issuer"] = issuer_selectors.issuer_find(slug=data["issuer"])
                if data["issuer"] is None:
                    raise serializers.ValidationError({"issuer": "No such issuer."})
            return data

    @extend_schema(request=InputSerializer, responses={201: inline_serializer("PresentationRequest", {
        "id": serializers.UUIDField(), "status": serializers.CharField(), "request_uri": serializers.CharField()})},
        summary="Ask a wallet for a badge (OpenID4VP 1.0, DCQL)")
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = presentations.request_create(requester=request.user, **data.validated_data)
        return Response(request_json(made), status=status.HTTP_201_CREATED)


class PresentationRequestDetailApi(APIView):
    @extend_schema(responses={200: inline_serializer("PresentationRequestOutcome", {
        "id": serializers.UUIDField(), "status": serializers.CharField()})},
        summary="The outcome of a presentation request")
    def get(self, request: Request, public_id: str) -> Response:
        try:
            key = uuid.UUID(public_id)
        except ValueError:
            raise NotFound("No such presentation request.") from None
        made = PresentationRequest.objects.filter(public_id=key, requester=request.user).first()
        if made is None:
            raise NotFound("No such presentation request.")
        return Response(request_json(made))
