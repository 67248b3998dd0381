"""Badge images of achievements and issuers: the uploaded one (PNG or SVG, cleaned on upload) or a
generated SVG. The upload services are the only writers of ``Achievement.image`` and ``Issuer.image``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils import translation
from django.utils.translation import gettext

from badges_service.errors import ApplicationError
from badges_service.openbadges.image_upload import image_clean
from badges_service.openbadges.svg_sanitize import UnsafeImageError

from . import identifiers
from .badge_artwork import FRAMES, Artwork, artwork_svg, style_of
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


def _uploaded(file_field: FieldFile) -> BadgeImage:
    with file_field.open("rb") as handle:
        content = handle.read()
    return BadgeImage(content, "svg" if file_field.name.lower().endswith(".svg") else "png")


def level_label(level, *, language: str) -> str:
    """ "Niveau 2 · Pratique" for a ``competencies.ProficiencyLevel`` (read through its attributes only)."""
    with translation.override(language):
        return gettext("Level %(rank)s · %(label)s") % {"rank": level.rank, "label": level.label}


def achievement_level(achievement: Achievement):
    """The one level an achievement's competency alignments require, or None (none, or several)."""
    levels = {alignment.level for alignment in achievement.alignments.select_related("level")
              if alignment.level is not None}
    return levels.pop() if len(levels) == 1 else None


def _position(model, pk: int, **filters) -> int:
    return model.objects.filter(pk__lt=pk, **filters).count()


def achievement_artwork(achievement: Achievement, *, level=None) -> Artwork:
    """What the generated image of ``achievement`` shows (``level``: a credential's achieved level)."""
    level = level or achievement_level(achievement)
    colour, frame = style_of(_position(Achievement, achievement.pk, issuer_id=achievement.issuer_id),
                             offset=_position(Issuer, achievement.issuer_id))
    return Artwork(name=achievement.name, issuer_name=achievement.issuer.name, colour=colour, frame=frame,
                   level=level_label(level, language=achievement.language) if level is not None else "")


def issuer_artwork(issuer: Issuer) -> Artwork:
    colour, _ = style_of(_position(Issuer, issuer.pk))
    return Artwork(name=issuer.name, issuer_name=issuer.parent.name if issuer.parent_id else "", colour=colour,
                   frame=FRAMES[1])


def achievement_image(achievement: Achievement, *, level=None) -> BadgeImage:
    """The uploaded image of ``achievement`` if any, else its generated artwork (with ``level`` if given)."""
    if achievement.image:
        return _uploaded(achievement.image)
    return BadgeImage(artwork_svg(achievement_artwork(achievement, level=level)).encode("utf-8"), "svg")


def issuer_image(issuer: Issuer) -> BadgeImage:
    if issuer.image:
        return _uploaded(issuer.image)
    return BadgeImage(artwork_svg(issuer_artwork(issuer)).encode("utf-8"), "svg")


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
