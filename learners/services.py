"""Writes of the learners app, one entry point per write: what an agent decides about their profile and the
visibility of their credentials, and the badges they earned elsewhere (``ForeignBadge``).

A foreign badge is written only from a verification that passed (the caller, ``verification.foreign_badges``,
verifies; these services store). Keyword-only, atomic; every write of a foreign badge goes through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from badges_service.errors import ApplicationError, NotFound, PermissionDenied
from issuers import services as issuer_services
from issuers.models import Credential
from issuers.permissions import SYSTEM

from . import policy
from .models import ForeignBadge, Learner
from .selectors import learner_email_of


def credential_visibility_choose(*, credential: Credential, public: bool, user) -> Credential:
    """The learner makes one of their credentials public, or private again. Only the holder decides."""
    if not policy.is_credential_owner(user, credential):
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


def profile_visibility_choose(*, user, visible: bool) -> Learner:
    """The agent makes their competency profile visible to the managers of other directions, or not (the
    managers of their own direction always see it). Only the agent decides, for their own learner row."""
    email = learner_email_of(user=user)  # the linked learner row's, else the account's (as the passport reads it)
    learner = Learner.objects.filter(email__iexact=email).first() if email else None
    if learner is None:
        raise NotFound("No agent profile is linked to this account.", code="no_learner")
    if learner.profile_visible != visible:
        learner.profile_visible = visible
        learner.save(update_fields=["profile_visible"])
    return learner


__all__ = ["ForeignBadgeDuplicate", "ForeignBadgeFacts", "foreign_badge_create", "foreign_badge_delete",
           "foreign_badge_exports_set", "foreign_badge_verification_record", "foreign_badge_visibility_set",
           "profile_visibility_choose"]
