"""Who may act for an issuer. Membership is per issuer: rights never flow to another issuer."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from badges_service.errors import PermissionDenied

from .models import Issuer, IssuerMembership

ISSUE = "issue"  # issue and revoke credentials
EDIT = "edit"  # edit achievements and the issuer profile
MANAGE = "manage"  # keys and staff

ROLES_FOR = {
    ISSUE: {IssuerMembership.Role.ADMIN, IssuerMembership.Role.STAFF},
    EDIT: {IssuerMembership.Role.ADMIN, IssuerMembership.Role.STAFF},
    MANAGE: {IssuerMembership.Role.ADMIN},
}


class SystemActor:
    """The service acting on its own (management commands, the completion pipeline, demo data, migrations of
    data). Services take an ``actor`` without default: the system is named, never implied by a missing actor,
    so a forgotten actor is refused rather than trusted."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def can_act(user: AbstractBaseUser | AnonymousUser | None, issuer: Issuer, action: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return IssuerMembership.objects.filter(user=user, issuer=issuer, role__in=ROLES_FOR[action]).exists()


def ensure_can_act(user, issuer: Issuer, action: str) -> None:
    """``user`` may ``action`` for ``issuer``, or is ``SYSTEM``; anyone else (``None`` too) is refused."""
    if user is SYSTEM:
        return
    if not can_act(user, issuer, action):
        raise PermissionDenied(f"You may not {action} for issuer '{issuer.slug}'.")
