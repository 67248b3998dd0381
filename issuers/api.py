"""Issuer staff API: achievements, issuance, revocation, key rotation. Permissions are checked by the
services (``actor=request.user``), so the API, the admin and the commands share one rule."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors
from badges_service.openbadges import ob3
from badges_service.openbadges.image_upload import MAX_IMAGE_BYTES

from . import badge_images, identifiers, selectors, services
from .models import Achievement


class AchievementOutputSerializer(serializers.ModelSerializer):
    issuer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    id = serializers.SerializerMethodField()

    class Meta:
        model = Achievement
        fields = ["id", "slug", "issuer", "name", "description", "criteria_narrative", "criteria_url",
                  "achievement_type", "tags", "version", "validity_days"]

    def get_id(self, obj: Achievement) -> str:
        return identifiers.achievement_url(obj)


class AchievementListApi(APIView):
    @extend_schema(operation_id="achievements_list", responses={200: AchievementOutputSerializer(many=True),
                                                                **errors(401, 403)})
    def get(self, request: Request) -> Response:
        return Response(AchievementOutputSerializer(selectors.achievement_list(), many=True).data)


class AchievementCreateApi(APIView):
    @extend_schema_serializer(component_name="AchievementCreate")
    class InputSerializer(serializers.Serializer):
        slug = serializers.SlugField(max_length=100)
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(max_length=5000)
        criteria_narrative = serializers.CharField(max_length=5000, required=False, default="")
        criteria_url = serializers.URLField(required=False, default="")
        achievement_type = serializers.CharField(max_length=60, required=False, default="Badge")
        tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=30)
        version = serializers.CharField(max_length=20, required=False, default="")
        validity_days = serializers.IntegerField(min_value=1, max_value=36500, required=False, allow_null=True)

    @extend_schema(operation_id="achievement_create", request=InputSerializer,
                   responses={201: AchievementOutputSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request: Request, issuer_slug: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issuer = selectors.issuer_get(slug=issuer_slug)
        achievement = services.achievement_create(issuer=issuer, actor=request.user, **data.validated_data)
        return Response(AchievementOutputSerializer(achievement).data, status=status.HTTP_201_CREATED)


class AchievementUpdateApi(APIView):
    @extend_schema_serializer(component_name="AchievementUpdate")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(max_length=5000, required=False)
        criteria_narrative = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        criteria_url = serializers.URLField(required=False, allow_blank=True)
        achievement_type = serializers.CharField(max_length=60, required=False)
        tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=30)
        version = serializers.CharField(max_length=20, required=False, allow_blank=True)
        validity_days = serializers.IntegerField(min_value=1, max_value=36500, required=False, allow_null=True)

    @extend_schema(operation_id="achievement_update", request=InputSerializer,
                   responses={200: AchievementOutputSerializer, **errors(400, 401, 403, 404)})
    def patch(self, request: Request, slug: str) -> Response:
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        achievement = selectors.achievement_get(slug=slug)
        achievement = services.achievement_update(achievement=achievement, actor=request.user, **data.validated_data)
        return Response(AchievementOutputSerializer(achievement).data)


class CredentialIssueApi(APIView):
    @extend_schema_serializer(component_name="CredentialIssue")
    class InputSerializer(serializers.Serializer):
        achievement = serializers.SlugField(max_length=100)
        recipient_email = serializers.EmailField()
        recipient_name = serializers.CharField(max_length=200, required=False, default="")
        valid_until = serializers.DateTimeField(required=False)
        evidence_narrative = serializers.CharField(max_length=5000, required=False)

    @extend_schema(operation_id="credential_issue", request=InputSerializer, responses={
        201: inline_serializer("IssuedCredential", {
            "id": serializers.URLField(),
            "credential": serializers.JSONField(help_text="The signed Open Badges 3.0 credential."),
        }),
        **errors(400, 401, 403, 404, 409)})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        achievement = selectors.achievement_get(slug=values.pop("achievement"))
        narrative = values.pop("evidence_narrative", None)
        credential = services.credential_issue(
            achievement=achievement, actor=request.user,
            evidence=[ob3.Evidence(narrative=narrative)] if narrative else None, **values)
        return Response({"id": identifiers.credential_url(credential.public_id),
                         "credential": json.loads(credential.document)}, status=status.HTTP_201_CREATED)


class _ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _status_schema(*, operation_id: str, request_name: str, response_name: str, at: str):
    """The OpenAPI operation of a status change: a reason in (component ``request_name``); out, the id, the date
    ``at`` and the reason (component ``response_name``)."""
    request = extend_schema_serializer(component_name=request_name)(
        type(f"{request_name}Serializer", (_ReasonSerializer,), {"__module__": __name__}))
    responses = {200: inline_serializer(response_name, {
        "id": serializers.URLField(), at: serializers.DateTimeField(), "reason": serializers.CharField()}),
        **errors(400, 401, 403, 404, 409)}
    return extend_schema_view(post=extend_schema(operation_id=operation_id, request=request, responses=responses))


class _CredentialStatusApi(APIView):
    # Revoke or suspend (``change``, a service): a public reason in; the id, the date (``at``) and the reason
    # (``why``) out. (A comment, not a docstring: drf-spectacular would publish it as each operation's text.)
    change = None
    at = why = ""

    def post(self, request: Request, public_id: str) -> Response:
        data = _ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credential = selectors.credential_get_for_staff(public_id=public_id, viewer=request.user)
        credential = self.change(credential=credential, actor=request.user, **data.validated_data)
        return Response({"id": identifiers.credential_url(credential.public_id),
                         self.at: getattr(credential, self.at), "reason": getattr(credential, self.why)})


@_status_schema(operation_id="credential_revoke", request_name="CredentialRevoke",
                response_name="RevokedCredential", at="revoked_at")
class CredentialRevokeApi(_CredentialStatusApi):
    change, at, why = staticmethod(services.credential_revoke), "revoked_at", "revocation_reason"


@_status_schema(operation_id="credential_suspend", request_name="CredentialSuspend",
                response_name="SuspendedCredential", at="suspended_at")
class CredentialSuspendApi(_CredentialStatusApi):
    change, at, why = staticmethod(services.credential_suspend), "suspended_at", "suspension_reason"


class CredentialReinstateApi(APIView):
    @extend_schema(operation_id="credential_reinstate", request=None, responses={
        200: inline_serializer("ReinstatedCredential", {
            "id": serializers.URLField(), "suspended_at": serializers.DateTimeField(allow_null=True)}),
        **errors(401, 403, 404, 409)})
    def post(self, request: Request, public_id: str) -> Response:
        credential = selectors.credential_get_for_staff(public_id=public_id, viewer=request.user)
        credential = services.credential_reinstate(credential=credential, actor=request.user)
        return Response({"id": identifiers.credential_url(credential.public_id), "suspended_at": None})


class _ImageParser(BaseParser):
    """The image as bytes; ``badge_images`` decides what it is from its content."""

    media_type = "image/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(MAX_IMAGE_BYTES + 1) if stream is not None else b""


class AchievementImageApi(APIView):
    """PUT the badge image (body: a PNG or SVG file, ``Content-Type: image/png`` or ``image/svg+xml``)."""

    parser_classes = [_ImageParser]

    @extend_schema(operation_id="achievement_image_set",
                   request={"image/png": OpenApiTypes.BINARY, "image/svg+xml": OpenApiTypes.BINARY},
                   responses={200: inline_serializer("AchievementImage", {
                       "id": serializers.URLField(), "image": serializers.URLField()}),
                       **errors(400, 401, 403, 404, 413)})
    def put(self, request: Request, slug: str) -> Response:
        achievement = selectors.achievement_get(slug=slug)
        achievement = badge_images.achievement_image_set(achievement=achievement, data=request.data or b"",
                                                         actor=request.user)
        return Response({"id": identifiers.achievement_url(achievement),
                         "image": badge_images.achievement_image_url(achievement)})


class KeyRotateApi(APIView):
    @extend_schema(operation_id="issuer_key_rotate", request=None, responses={
        201: inline_serializer("RotatedKey", {
            "issuer": serializers.SlugField(), "verification_method": serializers.CharField()}),
        **errors(401, 403, 404)})
    def post(self, request: Request, issuer_slug: str) -> Response:
        issuer = selectors.issuer_get(slug=issuer_slug)
        key = services.key_rotate(issuer=issuer, actor=request.user)
        return Response({"issuer": issuer.slug, "verification_method": identifiers.verification_method_id(issuer, key)},
                        status=status.HTTP_201_CREATED)
