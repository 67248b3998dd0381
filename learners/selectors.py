"""Who a signed-in person is as a learner, and which credentials are theirs.

A credential belongs to the person whose email it was issued to: the email of the learner row linked to
the user account when there is one, otherwise the account's own email. Emails compare case-insensitively.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from badges_service.errors import NotFound
from issuers.models import Credential

from .models import ForeignBadge, Learner, ManagerScope

EXPORTABLE_FORMATS = ("ob3", "ob3-vc-jwt")


def learner_email_of(*, user) -> str:
    """The email the user's credentials were issued to ("" for an anonymous user or one without email)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    learner = Learner.objects.filter(user=user).only("email").first()
    return (learner.email if learner else user.email or "").strip()


def manager_scopes_of(*, user) -> QuerySet[ManagerScope]:
    """The directions the user manages (``ManagerScope`` rows, with their direction), by name."""
    return ManagerScope.objects.filter(user=user).select_related("direction").order_by("direction__name")


def credentials_of_user(*, user) -> QuerySet[Credential]:
    """Every credential issued to the user (revoked, suspended and expired ones included)."""
    email = learner_email_of(user=user)
    if not email:
        return Credential.objects.none()
    return Credential.objects.filter(recipient_email__iexact=email)


def foreign_badges_of_user(*, user) -> QuerySet[ForeignBadge]:
    """The badges the user added from elsewhere, newest first."""
    if not getattr(user, "is_authenticated", False):
        return ForeignBadge.objects.none()
    return ForeignBadge.objects.filter(user=user)


def foreign_badges_exported(*, user) -> QuerySet[ForeignBadge]:
    """The foreign badges the learner chose to include in the OB 3.0 API and the VP/CLR exports, valid when last
    verified. Only Open Badges 3.0 ones can travel there (an OB 2.0 assertion is not a Verifiable Credential)."""
    return foreign_badges_of_user(user=user).filter(include_in_exports=True, status="valid",
                                                    format__in=EXPORTABLE_FORMATS).exclude(document="")


def foreign_badge_get(*, user, public_id) -> ForeignBadge:
    """One of the user's foreign badges (``NotFound`` otherwise, someone else's included)."""
    badge = foreign_badges_of_user(user=user).filter(public_id=_uuid(public_id)).first() if _uuid(public_id) else None
    if badge is None:
        raise NotFound(_("Aucun badge de ce nom dans votre passeport."))
    return badge


def foreign_badge_get_public(*, public_id) -> ForeignBadge:
    """A foreign badge its learner made public (``NotFound`` for a private or unknown one alike)."""
    badge = ForeignBadge.objects.filter(public_id=_uuid(public_id), is_public=True).first() if _uuid(public_id) \
        else None
    if badge is None:
        raise NotFound(_("Badge introuvable."))
    return badge


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
