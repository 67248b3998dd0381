"""Badge images of achievements and issuers: the uploaded one (PNG or SVG, cleaned on upload) or a
generated SVG. The upload services are the only writers of ``Achievement.image`` and ``Issuer.image``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile

from badges_service.errors import ApplicationError
from badges_service.openbadges.images import image_clean
from badges_service.openbadges.svg_sanitize import UnsafeImageError

from . import identifiers
from .images import badge_svg
from .models import Achievement, Issuer
from .permissions import EDIT, ensure_can_act


@dataclass(frozen=True)
class BadgeImage:
    content: bytes
    kind: str  # "png" or "svg"

    @property
    def content_type(self) -> str:
        return "image/png" if self.kind == "png" else "image/svg+xml"


def achievement_image_url(achievement: Achievement) -> str:
    return identifiers.public_url(f"/achievements/{achievement.slug}/image")


def issuer_image_url(issuer: Issuer) -> str:
    return identifiers.public_url(f"/issuers/{issuer.slug}/image")


def _read(file_field: FieldFile, name: str, seed: str) -> BadgeImage:
    if file_field:
        with file_field.open("rb") as handle:
            content = handle.read()
        return BadgeImage(content, "svg" if file_field.name.lower().endswith(".svg") else "png")
    return BadgeImage(badge_svg(name=name, seed=seed).encode("utf-8"), "svg")


def achievement_image(achievement: Achievement) -> BadgeImage:
    return _read(achievement.image, achievement.name, achievement.slug)


def issuer_image(issuer: Issuer) -> BadgeImage:
    return _read(issuer.image, issuer.name, issuer.slug)


def _store(owner: Achievement | Issuer, data: bytes) -> None:
    try:
        clean = image_clean(data)
    except UnsafeImageError as exc:
        raise ApplicationError(str(exc), code=exc.code) from exc
    digest = hashlib.sha256(clean.content).hexdigest()[:12]
    owner.image.save(f"{owner.slug}-{digest}.{clean.extension}", ContentFile(clean.content), save=False)


def achievement_image_set(*, achievement: Achievement, data: bytes, actor) -> Achievement:
    """Replace an achievement's badge image with a cleaned copy of ``data`` (PNG or SVG).
    Credentials already issued keep the image URL they were signed with, which now serves this image."""
    ensure_can_act(actor, achievement.issuer, EDIT)
    _store(achievement, data)
    achievement.save(update_fields=["image", "updated_at"])
    return achievement


def issuer_image_set(*, issuer: Issuer, data: bytes, actor) -> Issuer:
    ensure_can_act(actor, issuer, EDIT)
    _store(issuer, data)
    issuer.save(update_fields=["image"])
    return issuer
