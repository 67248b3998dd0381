"""Reads for the learner space: the signed-in learner's badges, their status, the LinkedIn link, and every
piece of data the service holds about the learner (the right of access)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from badges_service.errors import NotFound
from indicators.models import CredentialUsage
from issuers import identifiers
from issuers.copies import copies_of_credentials
from issuers.models import Credential
from issuers.selectors import memberships_of
from learners.models import Learner
from learners.selectors import credentials_of_user, foreign_badges_of_user, learner_email_of, manager_scopes_of

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


def credential_state(credential: Credential, *, now: datetime | None = None) -> str:
    """What the service records about the credential: revoked, suspended, expired or valid (the signature is
    checked on the credential's page; these rows are the service's own)."""
    return credential.state(now)


@dataclass
class MyBadge:
    credential: Credential
    state: str

    @property
    def page_url(self) -> str:
        return identifiers.credential_url(self.credential.public_id)


def my_badges(*, user, now: datetime | None = None) -> list[MyBadge]:
    now = now or timezone.now()
    return [MyBadge(c, credential_state(c, now=now))
            for c in credentials_of_user(user=user).select_related("achievement", "issuer", "achieved_level")]


def my_credential_get(*, user, public_id: str | uuid.UUID) -> Credential:
    """One of the user's own credentials; anyone else's is the same 404 as an unknown id."""
    try:
        return credentials_of_user(user=user).select_related("achievement", "issuer", "signing_key").get(
            public_id=uuid.UUID(str(public_id)))
    except (ValueError, Credential.DoesNotExist):
        raise NotFound("No such credential.") from None


def linkedin_add_url(*, credential: Credential) -> str:
    """LinkedIn's add-to-profile link for a certification, with every field LinkedIn accepts filled
    (organizationId when ``BADGES_LINKEDIN_ORGANIZATION_ID`` is set, else the issuer's name)."""
    params: dict[str, str | int] = {"startTask": "CERTIFICATION_NAME", "name": credential.achievement.name}
    organization_id = getattr(settings, "BADGES_LINKEDIN_ORGANIZATION_ID", "")
    if organization_id:
        params["organizationId"] = organization_id
    else:
        params["organizationName"] = credential.issuer.name
    issued = timezone.localtime(credential.issued_at)
    params.update(issueYear=issued.year, issueMonth=issued.month)
    if credential.valid_until:
        expires = timezone.localtime(credential.valid_until)
        params.update(expirationYear=expires.year, expirationMonth=expires.month)
    params.update(certUrl=identifiers.credential_url(credential.public_id), certId=str(credential.public_id))
    return f"{LINKEDIN_ADD_URL}?{urlencode(params)}"


def usage_counts(*, credentials) -> dict[int, dict[str, int]]:
    """credential id -> {"share/link": n, "download/png": n, "verification/page": n, ...}."""
    out: dict[int, dict[str, int]] = {}
    for row in (CredentialUsage.objects.filter(credential__in=credentials).values("credential_id", "kind", "channel")
                .annotate(n=Sum("count"))):  # a row may stand for several uses (a flush)
        key = f"{row['kind']}/{row['channel']}" if row["channel"] else row["kind"]
        out.setdefault(row["credential_id"], {})[key] = row["n"]
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def personal_data(*, user) -> dict:
    """Everything held about the signed-in person, as JSON: the account, the learner row, every credential
    (with the signed document) and its wallet copies, the badges they added from elsewhere (with their
    verification report), roles, LMS accounts, completion events and awards that name them, and the usage
    counts of their credentials."""
    email = learner_email_of(user=user)
    learner = Learner.objects.filter(Q(user=user) | Q(email__iexact=email) if email else Q(user=user)).select_related(
        "direction", "job").first()
    credentials = list(credentials_of_user(user=user).select_related("achievement", "issuer", "achieved_level"))
    usage = usage_counts(credentials=credentials)
    data: dict = {
        "generated_at": timezone.now().isoformat(),
        "account": {"username": user.get_username(), "email": user.email, "first_name": user.first_name,
                    "last_name": user.last_name, "date_joined": _iso(user.date_joined),
                    "last_login": _iso(user.last_login)},
        "learner": None,
        "credentials": [{
            "id": identifiers.credential_url(c.public_id),
            "achievement": {"slug": c.achievement.slug, "name": c.achievement.name},
            "issuer": {"slug": c.issuer.slug, "name": c.issuer.name},
            "recipient_email": c.recipient_email, "recipient_name": c.recipient_name,
            "issued_at": _iso(c.issued_at), "valid_from": _iso(c.valid_from), "valid_until": _iso(c.valid_until),
            "achieved_level": c.achieved_level.code if c.achieved_level else None,
            "state": credential_state(c),
            "revoked_at": _iso(c.revoked_at), "revocation_reason": c.revocation_reason,
            "suspended_at": _iso(c.suspended_at), "suspension_reason": c.suspension_reason,
            "public": c.is_public, "made_public_at": _iso(c.made_public_at),
            "usage": usage.get(c.id, {}),
            "document": json.loads(c.document),
        } for c in credentials],
        "issuer_memberships": [{"issuer": m.issuer.slug, "role": m.role} for m in memberships_of(user=user)],
        "manager_scopes": [s.direction.slug for s in manager_scopes_of(user=user)],
        "wallet_copies": [{
            "id": copy.document_id, "credential": identifiers.credential_url(copy.credential.public_id),
            "format": copy.format, "holder": copy.holder, "issued_at": _iso(copy.issued_at),
            "document": copy.document,
        } for copy in copies_of_credentials(credentials=credentials)],
        "foreign_badges": [{
            "id": badge.credential_id, "name": badge.name, "issuer": badge.issuer_name, "format": badge.format,
            "source": badge.source, "issued_on": _iso(badge.issued_on), "expires": _iso(badge.expires),
            "status": badge.status, "verified_at": _iso(badge.verified_at), "public": badge.is_public,
            "include_in_exports": badge.include_in_exports, "alignments": badge.alignments,
            "original": badge.original, "report": badge.report,
        } for badge in foreign_badges_of_user(user=user)],
        "lms_accounts": [],
        "events": [],
        "awards": [],
    }
    if learner is not None:
        data["learner"] = {
            "email": learner.email, "display_name": learner.display_name,
            "direction": learner.direction.slug if learner.direction else None,
            "job": {"code": learner.job.code, "title": learner.job.title} if learner.job else None,
            "profile_visible": learner.profile_visible, "created_at": _iso(learner.created_at),
        }
    data.update(_pipeline_data(learner=learner, email=email))
    return data


def _pipeline_data(*, learner: Learner | None, email: str) -> dict:
    """What the completion pipeline holds that names the learner (by email or by an LMS account)."""
    from pipeline.models import Award, InboundEvent, LearnerMapping  # the pipeline depends on issuers, not on us

    mappings = list(LearnerMapping.objects.filter(learner=learner).select_related("source")) if learner else []
    named = Q(pk__in=[])
    if email:
        named |= Q(email__iexact=email) | Q(recipient_email__iexact=email)
    for m in mappings:
        named |= Q(source_id=m.source_id, lms_user_id=m.lms_user_id)
    events = InboundEvent.objects.filter(named).select_related("source").order_by("received_at", "id")
    awards = Award.objects.filter(recipient_email__iexact=email).select_related("achievement", "credential") \
        if email else []
    return {
        "lms_accounts": [{"source": m.source.name, "lms_user_id": m.lms_user_id} for m in mappings],
        "events": [{
            "source": e.source.name, "kind": e.kind, "event_id": e.event_id, "status": e.status, "reason": e.reason,
            "lms_user_id": e.lms_user_id, "email": e.email, "recipient_email": e.recipient_email,
            "recipient_name": e.recipient_name, "course_keys": e.course_keys, "course_name": e.course_name,
            "outcome": e.outcome, "success": e.success, "level_code": e.level_code,
            "occurred_at": _iso(e.occurred_at), "received_at": _iso(e.received_at),
            "processed_at": _iso(e.processed_at), "payload": e.payload,
        } for e in events],
        "awards": [{"achievement": a.achievement.slug, "recipient_email": a.recipient_email,
                    "credential": identifiers.credential_url(a.credential.public_id) if a.credential_id else None}
                   for a in awards],
    }


def data_summary(data: dict) -> Counter:
    """How many items of each kind the export holds (for the page that lists them)."""
    return Counter({key: len(value) for key, value in data.items() if isinstance(value, list)})
