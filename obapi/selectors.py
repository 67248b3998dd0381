"""Reads of the Open Badges API: the token owner's credentials (getCredentials) and profile (getProfile)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from badges_service.openbadges.contexts import OB_V3
from issuers import identifiers
from learners.models import ForeignBadge, Learner
from learners.selectors import credentials_of_user, foreign_badges_exported, learner_email_of

from .models import HeldCredential, OwnerProfile

# Profile ids are stable URNs derived from the account, so that reading a profile never writes.
_PROFILE_NAMESPACE = uuid.UUID("6c1f4a52-2f0e-4d6b-9a57-0b8e0f7c3d21")


@dataclass(frozen=True)
class OwnedCredential:
    credential_id: str
    issued_at: datetime
    format: str  # HeldCredential.Format
    text: str  # the document exactly as stored (issued: as signed; held: as received)


@dataclass(frozen=True)
class CredentialPage:
    total: int
    items: list[OwnedCredential]


def owner_credentials_page(*, user, offset: int, limit: int, since: datetime | None = None) -> CredentialPage:
    """The credentials issued to ``user`` and those clients stored for them, newest first; badges from
    elsewhere (OB 3.0 ones) only those the learner chose to include, as they were.

    A held credential with the id of one issued to the user is the same credential (OB 3.0 §C, equality by
    id): it is listed once, as issued.
    """
    issued = credentials_of_user(user=user)
    issued_ids = {identifiers.credential_url(public_id): pk for pk, public_id in issued.values_list("pk", "public_id")}
    held = HeldCredential.objects.filter(owner=user)
    if since is not None:
        issued = issued.filter(issued_at__gt=since)
        held = held.filter(issued_at__gt=since)
    keys = [(at, "issued", pk, identifiers.credential_url(public_id))
            for pk, public_id, at in issued.values_list("pk", "public_id", "issued_at")]
    keys += [(at, "held", pk, credential_id)
             for pk, credential_id, at in held.values_list("pk", "credential_id", "issued_at")
             if credential_id not in issued_ids]
    foreign = foreign_badges_exported(user=user)
    if since is not None:
        foreign = foreign.filter(issued_on__gt=since)
    listed = set(issued_ids) | {k[3] for k in keys}
    keys += [(at or created, "foreign", pk, credential_id)
             for pk, credential_id, at, created in foreign.values_list("pk", "credential_id", "issued_on", "created_at")
             if credential_id not in listed]
    keys.sort(key=lambda k: (k[0], k[3]), reverse=True)
    window = keys[offset:offset + limit]
    issued_rows = issued.in_bulk([k[2] for k in window if k[1] == "issued"])
    held_rows = HeldCredential.objects.in_bulk([k[2] for k in window if k[1] == "held"])
    foreign_rows = ForeignBadge.objects.in_bulk([k[2] for k in window if k[1] == "foreign"])
    items = []
    for at, kind, pk, credential_id in window:
        if kind == "issued":
            items.append(OwnedCredential(credential_id, at, HeldCredential.Format.JSON, issued_rows[pk].document))
        elif kind == "foreign":
            badge = foreign_rows[pk]
            form = HeldCredential.Format.COMPACT_JWS if badge.format == "ob3-vc-jwt" else HeldCredential.Format.JSON
            items.append(OwnedCredential(credential_id, at, form, badge.document))
        else:
            row = held_rows[pk]
            items.append(OwnedCredential(credential_id, at, row.format, row.document))
    return CredentialPage(total=len(keys), items=items)


def credential_held_or_issued(*, user, credential_id: str) -> bool:
    if HeldCredential.objects.filter(owner=user, credential_id=credential_id).exists():
        return True
    prefix = identifiers.credential_url("")
    if not credential_id.startswith(prefix):
        return False
    try:
        public_id = uuid.UUID(credential_id[len(prefix):])
    except ValueError:
        return False
    return credentials_of_user(user=user).filter(public_id=public_id).exists()


def profile_id_of(*, user) -> str:
    return f"urn:uuid:{uuid.uuid5(_PROFILE_NAMESPACE, f'{settings.BADGES_PUBLIC_URL}/users/{user.pk}')}"


def profile_of(*, user) -> dict:
    """The owner's OB 3.0 Profile: what they set with putProfile, else their name and email from the account."""
    profile: dict = {"@context": [OB_V3], "id": profile_id_of(user=user), "type": "Profile"}
    stored = OwnerProfile.objects.filter(user=user).values_list("properties", flat=True).first()
    if stored is not None:
        profile.update(stored)
        return profile
    learner = Learner.objects.filter(user=user).only("display_name").first()
    name = (learner.display_name if learner else "") or user.get_full_name()
    if name:
        profile["name"] = name
    email = learner_email_of(user=user)
    if email:
        profile["email"] = email
    return profile


@dataclass(frozen=True)
class Grant:
    """An application the person authorised and that may still act for them."""

    application_id: int
    name: str
    client_uri: str
    scopes: tuple[str, ...]
    since: datetime


def grants_of(*, user) -> list[Grant]:
    """Applications holding a live access token or a usable refresh token of the user, oldest grant first."""
    now = timezone.now()
    found: dict[int, dict] = {}
    live = get_access_token_model().objects.filter(user=user, expires__gt=now).select_related("application")
    usable = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True).select_related("application")
    for token in [*live, *usable]:
        application = token.application
        if application is None:
            continue
        entry = found.setdefault(application.pk, {"application": application, "scopes": set(), "since": token.created})
        entry["since"] = min(entry["since"], token.created)
        scope = getattr(token, "scope", None) or getattr(getattr(token, "access_token", None), "scope", "") or ""
        entry["scopes"].update(scope.split())
    grants = []
    for entry in found.values():
        application = entry["application"]
        registration = getattr(application, "ob_registration", None)
        grants.append(Grant(application_id=application.pk, name=application.name,
                            client_uri=registration.client_uri if registration else "",
                            scopes=tuple(sorted(entry["scopes"])), since=entry["since"]))
    return sorted(grants, key=lambda g: (g.since, g.application_id))
