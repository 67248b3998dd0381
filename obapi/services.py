"""Writes of the Open Badges API: upsertCredential and putProfile, for the token's owner."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from badges_service.errors import ApplicationError, UnsupportedMediaType
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.report import FAILED, parse_datetime, parse_document
from verification.services import credential_jwt_verify, credential_verify

from .models import HeldCredential, OwnerProfile
from .selectors import credential_held_or_issued, profile_id_of

JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")
JWS_TYPE = "text/plain"
MAX_CREDENTIAL_ID = 1000


@dataclass(frozen=True)
class UpsertResult:
    text: str  # what was stored, as received: the response body
    content_type: str
    created: bool


def _refusal(report) -> str:
    failed = [f"{c.name}: {c.message}" for c in report.checks if c.result == FAILED]
    return "The credential does not verify. " + " ".join(failed or ["The proof was not checked."])


def held_credential_upsert(*, owner, body: bytes, content_type: str, client=None) -> UpsertResult:
    """Store a signed OB 3.0 credential (JSON with an embedded proof, or a VC-JWT) for ``owner`` after verifying
    it (OB 3.0 §6.2.3).

    A credential with the id of one the owner already holds, or was issued here, is the same credential
    (equality by id): it is replaced, and ``created`` is False. Only credentials that verify are kept:
    signature, issuer key, schema, validity dates and status (a revoked or expired credential is refused).
    """
    kind = content_type.split(";")[0].strip().lower()
    if kind == JWS_TYPE:  # a VC-JWT (OB 3.0 §8.2)
        try:
            text = body.decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise ApplicationError("A compact JWS is ASCII text.", code="invalid_credential") from exc
        report = credential_jwt_verify(token=text)
        stored_format, document = HeldCredential.Format.COMPACT_JWS, report.summary
        if not report.valid:
            raise ApplicationError(_refusal(report), code="invalid_credential")
    elif kind in JSON_TYPES:
        try:
            text = body.decode("utf-8")
            document = parse_document(text, max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES)
        except (UnicodeDecodeError, OpenBadgesError) as exc:
            raise ApplicationError(f"Not a JSON credential: {exc}", code="invalid_credential") from exc
        stored_format = HeldCredential.Format.JSON
        report = None
    else:
        raise UnsupportedMediaType("Send the credential as application/json (or application/vc+ld+json), "
                                   "or a compact JWS (VC-JWT) as text/plain.")
    credential_id = document.get("id")
    if not isinstance(credential_id, str) or not credential_id or len(credential_id) > MAX_CREDENTIAL_ID:
        raise ApplicationError(f"The credential needs an id of at most {MAX_CREDENTIAL_ID} characters.",
                               code="invalid_credential")
    if report is None:
        report = credential_verify(document=document)
        if not report.valid:
            raise ApplicationError(_refusal(report), code="invalid_credential")
    issued_at = parse_datetime(report.summary.get("validFrom") or document.get("issuanceDate")) or timezone.now()

    with transaction.atomic():
        existed = credential_held_or_issued(user=owner, credential_id=credential_id)
        held = HeldCredential.objects.filter(owner=owner, credential_id=credential_id).select_for_update().first()
        if held is not None:
            held.document, held.format, held.issued_at, held.client = text, stored_format, issued_at, client
            held.save(update_fields=["document", "format", "issued_at", "client", "updated_at"])
        elif not existed:
            HeldCredential.objects.create(owner=owner, credential_id=credential_id, document=text,
                                          format=stored_format, issued_at=issued_at, client=client)
        # else: issued here to the owner, kept as signed; nothing to store
    return UpsertResult(text=text, content_type=kind, created=not existed)


# Profile properties a client may set (OB 3.0 Profile), and the longest text each may hold.
PROFILE_TEXT = {"name": 200, "givenName": 100, "familyName": 100, "additionalName": 100,
                "honorificPrefix": 50, "honorificSuffix": 50, "description": 2000}
PROFILE_OTHER = ("email", "url", "image")
PROFILE_FIXED = ("@context", "id", "type")


def _url(value, name: str) -> str:
    if not isinstance(value, str) or len(value) > 2000:
        raise ApplicationError(f"{name} must be a URL.", code="invalid_profile")
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError as exc:
        raise ApplicationError(f"{name} must be an http(s) URL.", code="invalid_profile") from exc
    return value


def _checked_profile(*, user, profile) -> dict:
    if not isinstance(profile, dict):
        raise ApplicationError("The profile must be a JSON object.", code="invalid_profile")
    types = profile.get("type")
    if "Profile" not in (types if isinstance(types, list) else [types]):
        raise ApplicationError("type must be \"Profile\" (the request carries the entire Profile).",
                               code="invalid_profile")
    if "id" in profile and profile["id"] != profile_id_of(user=user):
        raise ApplicationError("The profile id is set by this service and cannot be changed.", code="invalid_profile")
    context = profile.get("@context", [])
    contexts = context if isinstance(context, list) else [context]
    if not all(isinstance(c, str) and c.startswith(("https://purl.imsglobal.org/spec/ob/v3p0/",
                                                    "https://www.w3.org/ns/credentials/")) for c in contexts):
        raise ApplicationError("@context may only name the Open Badges 3.0 and credentials contexts.",
                               code="invalid_profile")
    unsupported = sorted(set(profile) - set(PROFILE_TEXT) - set(PROFILE_OTHER) - set(PROFILE_FIXED))
    if unsupported:
        raise ApplicationError(f"This service does not store these profile properties: {', '.join(unsupported)}.",
                               code="invalid_profile")
    clean: dict = {}
    for name, limit in PROFILE_TEXT.items():
        if name in profile:
            value = profile[name]
            if not isinstance(value, str) or len(value) > limit:
                raise ApplicationError(f"{name} must be text of at most {limit} characters.", code="invalid_profile")
            clean[name] = value
    if "email" in profile:
        try:
            validate_email(profile["email"])
        except (ValidationError, TypeError) as exc:
            raise ApplicationError("email must be an email address.", code="invalid_profile") from exc
        clean["email"] = profile["email"]
    if "url" in profile:
        clean["url"] = _url(profile["url"], "url")
    if "image" in profile:
        image = profile["image"]
        if isinstance(image, dict):
            if set(image) - {"id", "type", "caption"} or image.get("type") != "Image" \
                    or not isinstance(image.get("caption", ""), str):
                raise ApplicationError("image must be {\"id\", \"type\": \"Image\", \"caption\"?}.",
                                       code="invalid_profile")
            _url(image.get("id"), "image.id")
            clean["image"] = image
        else:
            clean["image"] = {"id": _url(image, "image"), "type": "Image"}
    if len(json.dumps(clean)) > 16 * 1024:
        raise ApplicationError("The profile is too large.", code="invalid_profile")
    return clean


def profile_put(*, user, profile) -> None:
    """Replace the owner's profile properties with those of ``profile`` (putProfile sends the whole Profile)."""
    properties = _checked_profile(user=user, profile=profile)
    OwnerProfile.objects.update_or_create(user=user, defaults={"properties": properties})


@transaction.atomic
def grant_withdraw(*, user, application_id: int) -> int:
    """Withdraw what the user allowed an application: its authorization codes, access and refresh tokens for
    this user are revoked (the application must ask again). Returns how many tokens were revoked."""
    get_grant_model().objects.filter(user=user, application_id=application_id).delete()
    revoked = 0
    for token in get_refresh_token_model().objects.filter(user=user, application_id=application_id,
                                                          revoked__isnull=True):
        token.revoke()  # DOT: marks it revoked and deletes its access token
        revoked += 1
    for token in get_access_token_model().objects.filter(user=user, application_id=application_id):
        token.revoke()
        revoked += 1
    return revoked
