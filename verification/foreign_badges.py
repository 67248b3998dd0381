# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these messages.
"""Badges earned elsewhere, brought into the passport ("Badges obtenus ailleurs").

The learner gives a file (a baked PNG or SVG, a JSON assertion or credential, a JWS or VC-JWT) or a URL.
It is verified like any credential (``services.credential_verify_raw``: foreign OB 2.0 hosted and signed
assertions, OB 3.0 credentials, baked images of either version); only a valid badge is stored
(``learners.services``), with its report and the date verified. Anything else is refused with the report,
and nothing is written. Images are cleaned as uploads are (``openbadges.image_upload.image_clean``): a hostile
image is refused. Remote images are never fetched; a BadgeClass's ``data:`` image is cleaned and kept.

Re-checks (``foreign_badge_recheck``) verify the stored original again, on demand and from Celery beat
(``tasks.foreign_badges_recheck_task``), and record the new report: a badge revoked since is shown as such.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from badges_service.errors import ApplicationError
from badges_service.openbadges import baking, jws, vc_jwt
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.image_upload import image_clean
from badges_service.openbadges.report import Report, as_list, parse_datetime
from badges_service.openbadges.svg_sanitize import UnsafeImageError
from learners import services as learner_services
from learners.models import ForeignBadge
from learners.services import ForeignBadgeFacts

from . import ob2_documents, remote
from .services import credential_verify_raw

logger = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
RECHECK_AFTER = timedelta(days=7)
FORMATS = ("ob2-hosted", "ob2-signed", "ob3", "ob3-vc-jwt")  # one badge each (not a presentation, not a CLR)


class ForeignBadgeRefused(ApplicationError):
    """The badge was not added: ``extra["report"]`` says why, when it was verified."""

    status_code = 422
    code = "foreign_badge_refused"


def _refuse(message: str, *, code: str, report: Report | None = None) -> ForeignBadgeRefused:
    return ForeignBadgeRefused(message, code=code, extra={"report": report.as_json()} if report else {})


def _clean_image(data: bytes) -> tuple[bytes, str]:
    try:
        clean = image_clean(data, max_bytes=getattr(settings, "BADGES_MAX_IMAGE_BYTES", MAX_UPLOAD_BYTES))
    except UnsafeImageError as exc:
        raise _refuse(_("Cette image est refusée : %(reason)s") % {"reason": exc}, code=exc.code) from exc
    return clean.content, clean.content_type


def _data_image(value) -> tuple[bytes, str]:
    """A ``data:image/png;base64,...`` or ``data:image/svg+xml;...`` image, cleaned; (b"", "") for a URL."""
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str) or not url.startswith("data:image/"):
        return b"", ""
    header, _, payload = url.partition(",")
    try:
        data = base64.b64decode(payload, validate=True) if header.endswith(";base64") else payload.encode("utf-8")
    except (binascii.Error, ValueError):
        return b"", ""
    return _clean_image(data)


def _ob3_credential(original: str) -> dict:
    text = original.strip()
    try:
        if jws.looks_like_compact_jws(text):
            return vc_jwt.parse(text, max_bytes=settings.BADGES_MAX_CREDENTIAL_BYTES).credential
        document = json.loads(text)
    except (OpenBadgesError, ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _facts(report: Report, document: str) -> tuple[ForeignBadgeFacts, tuple[bytes, str]]:
    summary = report.summary
    issuer = summary.get("issuer") or {}
    achievement = summary.get("achievement") or {}
    if summary.get("format", "").startswith("ob2"):
        badge = report.documents.get("achievement") or {}
        image = _data_image(badge.get("image"))
        alignments, description = achievement.get("alignment") or [], achievement.get("description") or ""
    else:
        credential = _ob3_credential(document)
        subject = credential.get("credentialSubject")
        subject = subject[0] if isinstance(subject, list) and subject else subject
        found = subject.get("achievement") if isinstance(subject, dict) else None
        found = found if isinstance(found, dict) else {}
        image = _data_image(found.get("image"))
        alignments = [{k: a.get(k) for k in ("targetName", "targetUrl", "targetCode", "targetFramework")
                       if isinstance(a.get(k), str)} for a in as_list(found.get("alignment")) if isinstance(a, dict)]
        description = found.get("description") if isinstance(found.get("description"), str) else ""
        issuer_doc = credential.get("issuer") if isinstance(credential.get("issuer"), dict) else {}
        issuer = {**issuer, "url": issuer_doc.get("url")}
    facts = ForeignBadgeFacts(
        credential_id=str(summary.get("id") or ""), format=str(summary.get("format") or "ob3"),
        name=str(achievement.get("name") or summary.get("name") or _("Badge sans nom")),
        description=description, issuer_name=str(issuer.get("name") or ""),
        issuer_url=issuer.get("url") if isinstance(issuer.get("url"), str) else "",
        issued_on=parse_datetime(summary.get("validFrom")), expires=parse_datetime(summary.get("validUntil")),
        alignments=alignments)
    return facts, image


def _is_ours(report: Report) -> bool:
    credential_id = report.summary.get("id")
    return isinstance(credential_id, str) and (credential_id.startswith(settings.BADGES_PUBLIC_URL + "/")
                                               or ob2_documents.own_credential(credential_id) is not None)


def _original_of_upload(data: bytes, content_type: str | None) -> tuple[str, tuple[bytes, str]]:
    """(text to verify, cleaned image) of an uploaded file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("Le fichier dépasse %(limit)s octets.") % {"limit": MAX_UPLOAD_BYTES}, code="too_large")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("image/png", "image/svg+xml") or data.startswith(baking.PNG_SIGNATURE) or baking.is_svg(data):
        image = _clean_image(data)  # refused first if hostile, before anything else reads it
        try:
            baked = baking.unbake(data, max_bytes=MAX_UPLOAD_BYTES)
        except OpenBadgesError as exc:
            raise _refuse(_("Cette image est refusée : %(reason)s") % {"reason": exc}, code=exc.code) from exc
        if baked is None:
            raise _refuse(_("Cette image ne contient aucun badge (aucun Open Badge n’y est intégré)."),
                          code="no_baked_credential")
        return baked.text, image
    try:
        return data.decode("utf-8"), (b"", "")
    except UnicodeDecodeError:
        raise _refuse(_("Ce fichier n’est ni une image PNG ou SVG, ni un badge JSON."), code="not_json") from None


def foreign_badge_add(*, user, upload: bytes | None = None, content_type: str | None = None, url: str | None = None,
                      recipient_email: str | None = None, now: datetime | None = None) -> ForeignBadge:
    """Verify a badge from elsewhere and store it in ``user``'s passport; ``ForeignBadgeRefused`` (with the
    report) when it does not verify, is one of the city's own, or its image is hostile. Nothing is stored then."""
    if (upload is None) == (url is None):
        raise _refuse(_("Donnez un fichier ou une adresse, l’un des deux."), code="missing_input")
    if upload is not None:
        original, image = _original_of_upload(upload, content_type)
        source = ForeignBadge.Source.FILE
    else:
        original, image, source = url.strip(), (b"", ""), ForeignBadge.Source.URL
        if not original.startswith(("https://", "http://")):
            raise _refuse(_("L’adresse doit commencer par https:// ou http://."), code="bad_url")
    report = credential_verify_raw(raw=original, recipient_email=recipient_email, now=now)
    if _is_ours(report):
        raise _refuse(_("Ce badge a été délivré par la ville : il figure déjà dans « Mes badges »."),
                      code="own_credential", report=report)
    if report.summary.get("format") not in FORMATS and report.valid:
        raise _refuse(_("Ce document n’est pas un badge : ajoutez vos badges un par un."), code="not_a_badge",
                      report=report)
    if not report.valid:
        raise _refuse(_("Ce badge n’a pas pu être vérifié : il n’est pas ajouté. Le détail des vérifications "
                        "est ci-dessous."), code="not_verified", report=report)
    document = _document(report, original)
    facts, found_image = _facts(report, document)
    content, content_type = image if image[0] else found_image
    return learner_services.foreign_badge_create(
        user=user, source=source, original=original, document=document, facts=facts, report=report.as_json(),
        verified_at=now or datetime.now(UTC), image=content, image_type=content_type)


def _document(report: Report, original: str) -> str:
    """The credential itself: the presented text, or what its URL serves (fetched again from the short-lived
    cache of the verification that just read it); OB 2.0, the assertion as its issuer hosts it."""
    if report.summary.get("format", "").startswith("ob2"):
        return json.dumps(report.documents.get("assertion") or {}, ensure_ascii=False)
    if not original.startswith(("https://", "http://")):
        return original
    try:
        return remote.document_get(report.summary.get("fetched_from") or original).body.decode("utf-8")
    except (OpenBadgesError, UnicodeDecodeError):
        return ""


def foreign_badge_recheck(*, badge: ForeignBadge, now: datetime | None = None) -> ForeignBadge:
    """Verify the stored original again and record the report (a badge revoked since becomes "revoked").

    An OB 2.0 hosted assertion added by URL whose URL now answers 410 Gone (OB 2.0 "Hosted verification": how
    a host says it revoked it) is checked again from the copy kept at the last verification: its BadgeClass and
    issuer then say whether the 410 comes from the issuer's origin, and the report says "revoked"."""
    report = credential_verify_raw(raw=badge.original, now=now)
    if report.check("json").code == "fetch_gone" and badge.format == "ob2-hosted" and badge.document:
        report = credential_verify_raw(raw=badge.document, now=now)
    facts = None
    if report.valid:
        try:
            facts, _image = _facts(report, badge.document)
        except ForeignBadgeRefused:  # the image turned hostile: keep the stored one
            facts = None
    return learner_services.foreign_badge_verification_record(badge=badge, report=report.as_json(),
                                                              verified_at=now or datetime.now(UTC), facts=facts)


def foreign_badges_due(*, now: datetime | None = None) -> list[int]:
    """Ids of the foreign badges last verified more than ``RECHECK_AFTER`` ago."""
    cutoff = (now or datetime.now(UTC)) - getattr(settings, "BADGES_FOREIGN_RECHECK_AFTER", RECHECK_AFTER)
    return list(ForeignBadge.objects.filter(verified_at__lt=cutoff).order_by("verified_at")
                .values_list("id", flat=True)[:1000])


__all__ = ["ForeignBadgeRefused", "foreign_badge_add", "foreign_badge_recheck", "foreign_badges_due"]
