"""Writes of the learners app, one entry point per write: the learner rows (upsert, link to an account), the
managers' scopes, what an agent decides about their profile and the visibility of their credentials, and the
badges they earned elsewhere (``ForeignBadge``).

Learner rows and scopes are written by the system (sign-in, the pipeline's learner mappings, demo data:
``actor=SYSTEM``) or by a platform admin; an agent's choices about their own profile and credentials are
made by the agent (``actor`` is that user). ``actor=None`` is refused like anyone else.

A foreign badge is written only from a verification that passed (the caller, ``verification.foreign_badges``,
verifies; these services store). Keyword-only, atomic; every write of a foreign badge goes through here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from badges_service.errors import ApplicationError, NotFound, PermissionDenied
from issuers import services as issuer_services
from issuers.models import Credential, Issuer
from issuers.permissions import SYSTEM

from . import policy
from .models import ForeignBadge, Learner, ManagerScope
from .selectors import learner_email_of

logger = logging.getLogger(__name__)


def _ensure_administers(actor) -> None:
    """``actor`` is ``SYSTEM`` or a platform admin; anyone else (``None`` too) is refused."""
    if actor is SYSTEM:
        return
    if not policy.roles_of(actor).is_platform_admin:
        raise PermissionDenied("Only the platform's administrators may write learner rows and managers' scopes.")


def _learner_locked(email: str) -> Learner | None:
    return Learner.objects.select_for_update().filter(email__iexact=email).first()


def _name_fill(learner: Learner, display_name: str) -> list[str]:
    """An empty display name takes the one given; a name already there is never overwritten."""
    if display_name and not learner.display_name:
        learner.display_name = display_name[:200]
        return ["display_name"]
    return []


@transaction.atomic
def learner_upsert(*, email: str, display_name: str = "", actor) -> Learner:
    """The learner row of ``email`` (compared case-insensitively), created when there is none; an empty display
    name is filled from ``display_name``. Credentials name their recipient by email: this row adds the rest."""
    _ensure_administers(actor)
    learner = _learner_locked(email)
    if learner is None:
        try:
            with transaction.atomic():
                return Learner.objects.create(email=email, display_name=display_name[:200])
        except IntegrityError:  # created meanwhile by a concurrent upsert of the same email
            learner = _learner_locked(email)
    fields = _name_fill(learner, display_name)
    if fields:
        learner.save(update_fields=fields)
    return learner


@transaction.atomic
def learner_link(*, user, email: str, display_name: str = "", actor) -> Learner:
    """Link the account to the learner row of its (verified) email, creating the row when there is none.

    A learner row already linked to another account is left alone: the link is never moved silently.
    """
    _ensure_administers(actor)
    existing = Learner.objects.filter(user=user).first()
    if existing is not None:
        return existing
    learner = _learner_locked(email)
    if learner is None:
        return Learner.objects.create(email=email, display_name=display_name[:200], user=user)
    if learner.user_id is None:
        learner.user = user
        learner.save(update_fields=["user", *_name_fill(learner, display_name)])
    elif learner.user_id != user.pk:
        logger.warning("Learner %s is linked to another account; not linking account %s.", learner.pk, user.pk)
    return learner


def manager_scope_add(*, user, direction: Issuer, actor) -> ManagerScope:
    """``user`` manages the agents of ``direction`` (idempotent)."""
    _ensure_administers(actor)
    scope, _created = ManagerScope.objects.get_or_create(user=user, direction=direction)
    return scope


def credential_visibility_choose(*, credential: Credential, public: bool, actor) -> Credential:
    """The learner makes one of their credentials public, or private again. Only the holder decides: ``actor``
    is the signed-in learner."""
    if not policy.is_credential_owner(actor, credential):
        raise PermissionDenied("Only the learner who holds this credential may change its visibility.")
    return issuer_services.credential_visibility_set(credential=credential, public=public, actor=SYSTEM)


@dataclass(frozen=True)
class ForeignBadgeFacts:
    """What a verification says about a foreign badge (read from its report and documents)."""

    credential_id: str
    format: str
    name: str
    description: str = ""
    issuer_name: str = ""
    issuer_url: str = ""
    issued_on: datetime | None = None
    expires: datetime | None = None
    alignments: list[dict] = field(default_factory=list)


class ForeignBadgeDuplicate(ApplicationError):
    status_code = 409
    code = "foreign_badge_duplicate"


def _apply(badge: ForeignBadge, facts: ForeignBadgeFacts) -> list[str]:
    values = {"credential_id": facts.credential_id[:2048], "format": facts.format[:16], "name": facts.name[:500],
              "description": facts.description, "issuer_name": facts.issuer_name[:500],
              "issuer_url": facts.issuer_url[:2048], "issued_on": facts.issued_on, "expires": facts.expires,
              "alignments": facts.alignments}
    for name, value in values.items():
        setattr(badge, name, value)
    return list(values)


@transaction.atomic
def foreign_badge_create(*, user, source: str, original: str, document: str, facts: ForeignBadgeFacts,
                         report: dict, verified_at: datetime, image: bytes = b"", image_type: str = "") -> ForeignBadge:
    """Store a verified foreign badge for ``user`` (``ForeignBadgeDuplicate`` if it is already there)."""
    badge = ForeignBadge(user=user, source=source, original=original, document=document, status=report["status"],
                         report=report, verified_at=verified_at, image=image, image_type=image_type)
    _apply(badge, facts)
    try:
        with transaction.atomic():
            badge.save()
    except IntegrityError:
        raise ForeignBadgeDuplicate(_("Ce badge figure déjà dans votre passeport.")) from None
    return badge


@transaction.atomic
def foreign_badge_verification_record(*, badge: ForeignBadge, report: dict, verified_at: datetime,
                                      facts: ForeignBadgeFacts | None = None) -> ForeignBadge:
    """Record a re-check: its report, status and date; what the hosted original now says, when it was read."""
    badge.report, badge.status, badge.verified_at = report, report["status"], verified_at
    fields = ["report", "status", "verified_at"]
    if facts is not None and facts.credential_id == badge.credential_id:
        fields += _apply(badge, facts)
    badge.save(update_fields=fields)
    return badge


def foreign_badge_visibility_set(*, badge: ForeignBadge, public: bool) -> ForeignBadge:
    badge.is_public = public
    badge.save(update_fields=["is_public"])
    return badge


def foreign_badge_exports_set(*, badge: ForeignBadge, include: bool) -> ForeignBadge:
    """Whether the OB 3.0 API and the VP/CLR exports carry this badge (as it was, with its own proof)."""
    badge.include_in_exports = include
    badge.save(update_fields=["include_in_exports"])
    return badge


def foreign_badge_delete(*, badge: ForeignBadge) -> None:
    badge.delete()


def profile_visibility_choose(*, visible: bool, actor) -> Learner:
    """The agent makes their competency profile visible to the managers of other directions, or not (the
    managers of their own direction always see it). Only the agent decides, for their own learner row: ``actor``
    is the signed-in agent (``SYSTEM`` or anyone without a learner row gets ``NotFound``)."""
    email = learner_email_of(user=actor)  # the linked learner row's, else the account's (as the passport reads it)
    learner = Learner.objects.filter(email__iexact=email).first() if email else None
    if learner is None:
        raise NotFound("No agent profile is linked to this account.", code="no_learner")
    if learner.profile_visible != visible:
        learner.profile_visible = visible
        learner.save(update_fields=["profile_visible"])
    return learner


__all__ = ["ForeignBadgeDuplicate", "ForeignBadgeFacts", "credential_visibility_choose", "foreign_badge_create",
           "foreign_badge_delete", "foreign_badge_exports_set", "foreign_badge_verification_record",
           "foreign_badge_visibility_set", "learner_link", "learner_upsert", "manager_scope_add",
           "profile_visibility_choose"]
