"""Writes for issuers, keys, achievements and credentials. One entry point per write.

``actor`` is the person acting (API, admin), or ``issuers.permissions.SYSTEM`` for the service itself
(management commands, the completion pipeline, demo data). It has no default: a missing actor is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.utils import timezone

from badges_service import key_encryption
from badges_service.errors import ApplicationError, Conflict, PermissionDenied
from badges_service.openbadges import ob3
from badges_service.openbadges.multibase import ed25519_public_key_to_multibase
from competencies.models import ProficiencyLevel

from . import rsa_keys, status_lists
from .issuance import Issuance, IssueRequest
from .models import Achievement, Credential, Issuer, IssuerMembership, SigningKey
from .permissions import EDIT, ISSUE, MANAGE, SYSTEM, ensure_can_act


def _check(actor, issuer: Issuer, action: str) -> None:
    ensure_can_act(actor, issuer, action)


# --- issuers ---------------------------------------------------------------------------------


@transaction.atomic
def issuer_create(*, slug: str, name: str, kind: str = Issuer.Kind.DIRECTION, parent: Issuer | None = None,
                  url: str = "", email: str = "", description: str = "") -> Issuer:
    """Create an issuer with its first signing key."""
    issuer = Issuer(slug=slug, name=name, kind=kind, parent=parent, url=url, email=email,
                    description=description)
    issuer.full_clean()
    issuer.save()
    signing_key_create(issuer=issuer)
    return issuer


def issuer_update(*, issuer: Issuer, actor, **fields) -> Issuer:
    _check(actor, issuer, EDIT)
    allowed = {"name", "url", "email", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.", code="read_only")
    for name, value in fields.items():
        setattr(issuer, name, value)
    issuer.full_clean()
    issuer.save(update_fields=list(fields))
    return issuer


def membership_set(*, issuer: Issuer, user, role: str, actor) -> IssuerMembership:
    _check(actor, issuer, MANAGE)
    membership, _ = IssuerMembership.objects.update_or_create(user=user, issuer=issuer, defaults={"role": role})
    return membership


def membership_remove(*, issuer: Issuer, user, actor) -> None:
    _check(actor, issuer, MANAGE)
    IssuerMembership.objects.filter(user=user, issuer=issuer).delete()


# --- signing keys ------------------------------------------------------------------------------


def signing_key_create(*, issuer: Issuer) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    return SigningKey.objects.create(
        issuer=issuer, public_key_multibase=ed25519_public_key_to_multibase(public),
        private_key_encrypted=key_encryption.encrypt_private_key(private),
    )


@transaction.atomic
def key_rotate(*, issuer: Issuer, actor) -> SigningKey:
    """Retire the active key (what it signed keeps verifying) and make a new one active."""
    _check(actor, issuer, MANAGE)
    now = timezone.now()
    Issuer.objects.select_for_update().get(pk=issuer.pk)  # serialise rotations of one issuer
    SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE).update(
        status=SigningKey.Status.RETIRED, retired_at=now)
    rsa_keys.rsa_key_create(issuer=issuer)  # the OB 2.0 (RS256) key rotates with the Ed25519 one
    return signing_key_create(issuer=issuer)


@transaction.atomic
def key_revoke(*, key: SigningKey, compromised_since: datetime, actor) -> SigningKey:
    """Mark a key compromised: proofs it made after ``compromised_since`` fail verification.
    If it was the active key, a new one replaces it."""
    _check(actor, key.issuer, MANAGE)
    if timezone.is_naive(compromised_since):
        raise ApplicationError("compromised_since needs a time zone.", code="naive_datetime")
    key = SigningKey.objects.select_for_update().get(pk=key.pk)  # the row's status, not a stale copy
    was_active = key.status == SigningKey.Status.ACTIVE
    key.status = SigningKey.Status.REVOKED
    key.revoked_at = timezone.now()
    key.revoked_after = compromised_since
    key.save(update_fields=["status", "revoked_at", "revoked_after"])
    if was_active:
        (rsa_keys.rsa_key_create if key.algorithm == SigningKey.RS256 else signing_key_create)(issuer=key.issuer)
    if key.algorithm == SigningKey.ED25519:  # it may have signed the lists, and leaves the DID document
        status_lists.lists_resign(issuer=key.issuer)
    return key


def signing_key_active(*, issuer: Issuer) -> SigningKey:
    key = SigningKey.objects.filter(issuer=issuer, algorithm=SigningKey.ED25519,
                                    status=SigningKey.Status.ACTIVE).first()
    if key is None:
        raise ApplicationError(f"Issuer '{issuer.slug}' has no active signing key.", code="no_active_key")
    return key


# --- achievements ------------------------------------------------------------------------------


def achievement_create(*, issuer: Issuer, slug: str, name: str, description: str, criteria_narrative: str = "",
                       criteria_url: str = "", achievement_type: str = "Badge", tags: list[str] | None = None,
                       version: str = "", image_caption: str = "", validity_days: int | None = None,
                       actor) -> Achievement:
    _check(actor, issuer, EDIT)
    _validate_achievement_type(achievement_type)
    if not (criteria_narrative or criteria_url):
        raise ApplicationError("An achievement needs criteria: a narrative or a URL.", code="no_criteria")
    achievement = Achievement(issuer=issuer, slug=slug, name=name, description=description,
                              criteria_narrative=criteria_narrative, criteria_url=criteria_url,
                              achievement_type=achievement_type, tags=list(tags or []), version=version,
                              image_caption=image_caption, validity_days=validity_days)
    achievement.full_clean()
    achievement.save()
    return achievement


ACHIEVEMENT_EDITABLE = {"name", "description", "criteria_narrative", "criteria_url", "achievement_type", "tags",
                        "version", "image_caption", "validity_days"}


def achievement_update(*, achievement: Achievement, actor, **fields) -> Achievement:
    """Edit an achievement. Credentials already issued keep the definition they were signed with."""
    _check(actor, achievement.issuer, EDIT)
    unknown = set(fields) - ACHIEVEMENT_EDITABLE
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.", code="read_only")
    if "achievement_type" in fields:
        _validate_achievement_type(fields["achievement_type"])
    for name, value in fields.items():
        setattr(achievement, name, value)
    achievement.full_clean()
    achievement.save(update_fields=[*fields, "updated_at"])
    return achievement


def _validate_achievement_type(value: str) -> None:
    if value not in ob3.ACHIEVEMENT_TYPES and not value.startswith("ext:"):
        raise ApplicationError(f"Unknown achievement type {value!r}.", code="bad_achievement_type")


# --- credentials -------------------------------------------------------------------------------


@transaction.atomic
def credential_issue(*, achievement: Achievement, recipient_email: str, recipient_name: str = "",
                     evidence: list[ob3.Evidence] | None = None, valid_until: datetime | None = None,
                     level: ProficiencyLevel | None = None, actor, now: datetime | None = None) -> Credential:
    """Build, sign and store an OB 3.0 OpenBadgeCredential and its OB 2.0 twin. The stored JSON is the signed
    bytes. (Batches: ``issuers.issuance.Issuance``, which this is the one-credential case of.)

    ``level`` is the proficiency level reached (from a score or a positioning test): it becomes the
    credential's ``result.achievedLevel`` and must belong to a scale the achievement is aligned to.
    """
    _check(actor, achievement.issuer, ISSUE)
    issuance = Issuance(now=now)
    request = issuance.check(IssueRequest(
        achievement=achievement, recipient_email=recipient_email, recipient_name=recipient_name,
        evidence=tuple(evidence or ()), valid_until=valid_until, level=level))
    return issuance.issue([request])[0]


def credential_batch(*, now: datetime | None = None) -> Issuance:
    """Many credentials at one instant, for the system (the completion pipeline): ``check`` each
    ``IssueRequest`` (a domain error raises before anything is written, so the caller can set that request
    aside), then ``issue`` the checked ones in one call, inside the caller's transaction. What the batch
    reads (keys, profiles, definitions) is read once. ``credential_issue`` is the one-credential case."""
    return Issuance(now=now)



_STATUS_COLUMNS = {"revoked": ("revoked_at", "revocation_reason"), "suspended": ("suspended_at", "suspension_reason")}
_STATUS_FIELDS = [column for columns in _STATUS_COLUMNS.values() for column in columns]


def _credential_lock(credential: Credential) -> None:
    """Lock the row for this transaction and read its current status into ``credential``."""
    list(Credential.objects.select_for_update().filter(pk=credential.pk).values_list("pk", flat=True))
    credential.refresh_from_db(fields=_STATUS_FIELDS)


# A refusal of a change of status: (when, read on the locked row; the message; the code).
_Refusal = tuple[Callable[[Credential], object], str, str]


def _status_set(credential: Credential, actor, *, status: str, reason: str | None,
                refusals: list[_Refusal]) -> Credential:
    """Set (``reason`` given) or clear (``reason`` None) the credential's ``status`` ("revoked" or "suspended")
    and its public reason, under the row's lock, unless a refusal applies (``Conflict``); the status lists that
    carry the credential are signed again in the same transaction (``status_lists.lists_touch``)."""
    _check(actor, credential.issuer, ISSUE)
    _credential_lock(credential)
    for applies, message, code in refusals:
        if applies(credential):
            raise Conflict(message, code=code)
    at, why = _STATUS_COLUMNS[status]
    setattr(credential, at, timezone.now() if reason is not None else None)
    setattr(credential, why, (reason or "")[:500])
    credential.save(update_fields=[at, why])
    status_lists.lists_touch(credential=credential)
    return credential


def _revoked(credential: Credential) -> bool:
    return credential.revoked_at is not None


def _suspended(credential: Credential) -> bool:
    return credential.suspended_at is not None


@transaction.atomic
def credential_revoke(*, credential: Credential, reason: str, actor) -> Credential:
    """Revoke for good, with a public reason."""
    return _status_set(credential, actor, status="revoked", reason=reason,
                       refusals=[(_revoked, "The credential is already revoked.", "already_revoked")])


@transaction.atomic
def credential_suspend(*, credential: Credential, reason: str, actor) -> Credential:
    """Suspend until reinstated, with a public reason (see ``issuers.status_lists`` for what carries it)."""
    return _status_set(credential, actor, status="suspended", reason=reason, refusals=[
        (_revoked, "The credential is revoked.", "already_revoked"),
        (_suspended, "The credential is already suspended.", "already_suspended")])


@transaction.atomic
def credential_reinstate(*, credential: Credential, actor) -> Credential:
    """End a suspension. A revocation cannot be undone."""
    return _status_set(credential, actor, status="suspended", reason=None, refusals=[
        (_revoked, "A revoked credential cannot be reinstated.", "already_revoked"),
        (lambda c: not _suspended(c), "The credential is not suspended.", "not_suspended")])


def credential_visibility_set(*, credential: Credential, public: bool, actor) -> Credential:
    """Make a credential public (its page, documents and images answer anyone) or private again (404 to
    visitors). Only its learner decides: through ``learners.services.credential_visibility_choose``, which
    checks that the user holds it and then acts as ``SYSTEM`` (as demo data does)."""
    if actor is not SYSTEM:
        raise PermissionDenied("Only the learner who holds this credential may change its visibility.")
    if credential.is_public == public:
        return credential
    credential.is_public = public
    credential.made_public_at = timezone.now() if public else None
    credential.save(update_fields=["is_public", "made_public_at"])
    return credential
