"""What a person may do, in one place: learner, manager (per direction), issuer staff and admin (per issuer),
platform admin.

``roles_of(user)`` reads everything in a few queries and returns a frozen snapshot; pages and services ask it
instead of querying memberships themselves. Rights never flow along the issuer tree: a role at a direction
says nothing about its parent or children (see ``issuers.permissions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from issuers.models import IssuerMembership
from learners.models import Learner, ManagerScope
from learners.selectors import credentials_of_user

if TYPE_CHECKING:
    from collections.abc import Mapping

    from issuers.models import Issuer

PLATFORM_ADMIN_GROUP = "platform-admin"  # created by accounts' first migration


@dataclass(frozen=True)
class Roles:
    is_authenticated: bool = False
    # Has a learner row or credentials issued to their email: the personal space has something to show.
    is_learner: bool = False
    managed_directions: tuple[Issuer, ...] = ()
    # issuer id -> IssuerMembership.Role ("admin" or "staff")
    issuer_roles: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    is_platform_admin: bool = False
    is_staff: bool = False  # may open the Django admin
    is_superuser: bool = False  # sees every direction's team (managers.views)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_directions)

    @property
    def managed_direction_ids(self) -> frozenset[int]:
        return frozenset(direction.pk for direction in self.managed_directions)

    @property
    def is_issuer_staff(self) -> bool:
        """Admin or staff at one issuer at least."""
        return bool(self.issuer_roles)

    def role_at(self, issuer: Issuer | int) -> str | None:
        return self.issuer_roles.get(getattr(issuer, "pk", issuer))

    def is_issuer_admin(self, issuer: Issuer | int) -> bool:
        return self.role_at(issuer) == IssuerMembership.Role.ADMIN

    def manages(self, direction: Issuer | int) -> bool:
        return getattr(direction, "pk", direction) in self.managed_direction_ids

    @property
    def can_see_team(self) -> bool:
        return self.is_manager or self.is_superuser

    @property
    def can_see_indicators(self) -> bool:
        return self.is_issuer_staff or self.is_platform_admin

    @property
    def can_use_admin(self) -> bool:
        return self.is_staff


ANONYMOUS = Roles()


def roles_of(user) -> Roles:
    """The roles of a user; an anonymous or deactivated account has none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    directions = tuple(
        scope.direction for scope in ManagerScope.objects.filter(user=user).select_related("direction")
        .order_by("direction__name")
    )
    issuer_roles = dict(IssuerMembership.objects.filter(user=user).values_list("issuer_id", "role"))
    is_learner = Learner.objects.filter(user=user).exists() or credentials_of_user(user=user).exists()
    is_platform_admin = user.is_superuser or user.groups.filter(name=PLATFORM_ADMIN_GROUP).exists()
    return Roles(
        is_authenticated=True,
        is_learner=is_learner,
        managed_directions=directions,
        issuer_roles=MappingProxyType(issuer_roles),
        is_platform_admin=is_platform_admin,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
    )


def request_roles(request) -> Roles:
    """``roles_of(request.user)``, computed once per request."""
    roles = getattr(request, "_badges_roles", None)
    if roles is None:
        roles = roles_of(getattr(request, "user", None))
        request._badges_roles = roles
    return roles
