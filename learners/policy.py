"""Who may do what, in one place: named predicates over a user's roles.

``roles_of(user)`` reads every role of a person in a few queries (learner, manager per direction, issuer staff
and admin per issuer, platform admin) and returns a frozen snapshot; the menu, the views and the selectors ask
the predicates below (``can_view_indicators(roles)``...) instead of querying memberships themselves, so a link
is shown exactly when its page answers. Rights never flow along the issuer tree for acting (a role at a
direction says nothing about its parent or children, see ``issuers.permissions``); reading indicators covers
the issuers below one's own.

The issuers' own services check their actor with ``issuers.permissions`` (the floor below), whose action
names (ISSUE, EDIT, MANAGE) and roles ``can_act_for`` reuses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.db.models import Q

from badges_service.errors import NotFound
from issuers.models import Credential, IssuerMembership
from issuers.permissions import ISSUE, ROLES_FOR, can_act
from issuers.selectors import credential_get, memberships_of

from .models import Learner
from .selectors import credentials_of_user, learner_email_of, manager_scopes_of

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


ANONYMOUS = Roles()


def roles_of(user) -> Roles:
    """The roles of a user; an anonymous or deactivated account has none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    directions = tuple(scope.direction for scope in manager_scopes_of(user=user))
    issuer_roles = dict(memberships_of(user=user).values_list("issuer_id", "role"))
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


# --- the predicates ------------------------------------------------------------------------------------------


def can_view_indicators(roles: Roles) -> bool:
    """The dashboard (/indicateurs/), its CSV and API: issuer staff (their issuers and those below), platform
    admins (every issuer)."""
    return roles.is_issuer_staff or roles.is_platform_admin


def sees_every_issuer(roles: Roles) -> bool:
    """Indicators without an issuer filter count every issuer."""
    return roles.is_platform_admin


def can_see_team(roles: Roles) -> bool:
    """The team view (/equipe/): managers of a direction, and superusers (every direction)."""
    return roles.is_manager or roles.is_superuser


def sees_every_direction(roles: Roles) -> bool:
    return roles.is_superuser


def can_manage_direction(roles: Roles, direction: Issuer | int) -> bool:
    """The agents of ``direction`` are in the user's team."""
    return roles.is_superuser or roles.manages(direction)


def can_use_admin(roles: Roles) -> bool:
    return roles.is_staff


def can_act_for(roles: Roles, issuer: Issuer | int | None, action: str) -> bool:
    """The user may ``action`` (``issuers.permissions``: ISSUE, EDIT, MANAGE) for ``issuer``, by a membership
    of that very issuer; a superuser may for every issuer."""
    if roles.is_superuser:
        return True
    return issuer is not None and roles.role_at(issuer) in ROLES_FOR[action]


def can_read_events(roles: Roles, source) -> bool:
    """An LMS source's events (and its CSV imports): staff of the source's issuer who may issue, superusers."""
    return can_act_for(roles, source.issuer_id, ISSUE)


def learners_visible(roles: Roles) -> Q:
    """Whose skills the user may search: the agents of the directions the user manages, and those who opened
    their profile; a superuser sees everyone, an anonymous user no one."""
    if not roles.is_authenticated:
        return Q(pk__in=[])
    if roles.is_superuser:
        return Q()
    return Q(direction_id__in=roles.managed_direction_ids) | Q(profile_visible=True)


def is_credential_owner(user, credential: Credential) -> bool:
    """``user`` is the learner the credential was issued to (``learners.selectors.learner_email_of``)."""
    email = learner_email_of(user=user)
    return bool(email) and email.lower() == credential.recipient_email.lower()


def can_see_credential(user, credential: Credential) -> bool:
    """The privacy rule: nothing about a learner is public until the learner makes it so. A private credential
    is seen only by its owner (signed in) and by the staff of its issuer."""
    if credential.is_public:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return is_credential_owner(user, credential) or can_act(user, credential.issuer, ISSUE)


def credential_get_public(*, public_id: str | uuid.UUID, viewer=None) -> Credential:
    """A credential for its public page, documents and images. A private one that ``viewer`` may not see
    (``can_see_credential``) raises the same ``NotFound`` as an unknown id, so its existence does not leak."""
    credential = credential_get(public_id=public_id)
    if not can_see_credential(viewer, credential):
        raise NotFound("No such credential.")
    return credential
