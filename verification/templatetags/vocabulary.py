"""The words people read for the codes of the standards (docs/glossary.md): badge types, usage channels."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Open Badges 3.0 AchievementType (§B.1.1), the values issuers use here; any other is shown as written.
ACHIEVEMENT_TYPES = {
    "Achievement": _("Achievement"),
    "Assessment": _("Assessment"),
    "Award": _("Award"),
    "Badge": _("Badge"),
    "Certificate": _("Certificate"),
    "CertificateOfCompletion": _("Certificate of completion"),
    "Certification": _("Certification"),
    "Competency": _("Competency"),
    "Course": _("Training course"),
    "Diploma": _("Diploma"),
    "LearningProgram": _("Learning programme"),
    "License": _("Licence"),
    "MicroCredential": _("Micro-credential"),
}


@register.filter
def achievement_type(value: str) -> str:
    return ACHIEVEMENT_TYPES.get(value, value)


@register.filter
def isodate(value):
    """An ISO 8601 text (as in exports) as a datetime, for the ``date`` filter; None when it is not one."""
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
