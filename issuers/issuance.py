"""Issuing credentials in batches: what an issuance reads is read once, what it writes is written at once.

``Issuance`` keeps, for the length of one batch, the issuers' active keys, their profiles, the achievements'
definitions and the scales they are aligned to; ``check`` validates one request against them (domain errors
raise before anything is written, so a caller can set a bad request aside), and ``issue`` signs a list of
checked requests and stores them with one INSERT per table: credentials, their OB 2.0 twins (the hosted
assertion; the RS256-signed one is made on its first request, ``ob2.hosted_assertion``) and their
status-list entries (indexes reserved in one statement per list). ``services.credential_issue`` is the
one-credential case; the completion pipeline issues a batch of events' awards in one call.

Call ``issue`` inside a transaction: the status lists' ``allocated`` counters are bumped last, so their
rows stay locked only until the commit, not while credentials are signed.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from badges_service import bulk, key_encryption
from badges_service.errors import ApplicationError
from badges_service.openbadges import did_key, eddsa_rdfc_2022, ob3
from competencies import documents as competency_documents
from competencies.models import AchievementAlignment, ProficiencyLevel

from . import identifiers, ob2, status_lists
from .documents import achievement_definition, issuer_profile
from .models import Achievement, Credential, HostedAssertion, Issuer, SigningKey, StatusList, StatusListEntry


@dataclass(frozen=True)
class IssueRequest:
    achievement: Achievement
    recipient_email: str
    recipient_name: str = ""
    evidence: tuple[ob3.Evidence, ...] = ()
    valid_until: datetime | None = None
    level: ProficiencyLevel | None = None


@dataclass
class _IssuerState:
    key: SigningKey
    rsa_key: SigningKey | None
    issuer_id: str
    profile: ob3.IssuerProfile
    method: str


class Issuance:
    """One batch of issuances at one instant (``now``). Not shared between transactions."""

    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self._issuers: dict[int, _IssuerState] = {}
        self._definitions: dict[int, ob3.AchievementDefinition] = {}
        self._frameworks: dict[int, set[int]] = {}

    # --- reads, once per issuer / achievement ---------------------------------------------------

    def _issuer(self, issuer: Issuer) -> _IssuerState:
        state = self._issuers.get(issuer.pk)
        if state is None:
            key, rsa_key = _active_keys(issuer)
            issuer_id = identifiers.issuer_id_for_key(issuer, key)
            state = _IssuerState(key=key, rsa_key=rsa_key, issuer_id=issuer_id,
                                 profile=issuer_profile(issuer, issuer_id=issuer_id),
                                 method=identifiers.verification_method_id(issuer, key))
            self._issuers[issuer.pk] = state
        return state

    def _definition(self, achievement: Achievement) -> ob3.AchievementDefinition:
        if achievement.pk not in self._definitions:
            self._definitions[achievement.pk] = achievement_definition(achievement, creator=None)
        return self._definitions[achievement.pk]

    def _aligned_frameworks(self, achievement: Achievement) -> set[int]:
        if achievement.pk not in self._frameworks:
            self._frameworks[achievement.pk] = set(
                AchievementAlignment.objects.filter(achievement=achievement)
                .values_list("competency__framework_id", flat=True))
        return self._frameworks[achievement.pk]

    # --- validation ------------------------------------------------------------------------------

    def check(self, request: IssueRequest) -> IssueRequest:
        """The request as it will be issued (email normalised, validity from the achievement's rule), or
        an ``ApplicationError``. Nothing is written."""
        email = request.recipient_email.strip().lower()
        if "@" not in email:
            raise ApplicationError("The recipient email is not valid.", code="bad_email")
        valid_until = request.valid_until
        if valid_until is None and request.achievement.validity_days:  # the achievement's validity rule
            valid_until = self.now + timedelta(days=request.achievement.validity_days)
        if valid_until is not None and valid_until <= self.now:
            raise ApplicationError("validUntil must be in the future.", code="bad_validity")
        if request.level is not None and request.level.framework_id not in self._aligned_frameworks(
                request.achievement):
            raise ApplicationError("The level is not on a scale this achievement is aligned to.",
                                   code="level_not_aligned")
        self._issuer(request.achievement.issuer)  # raises when the issuer has no active key
        return replace(request, recipient_email=email, valid_until=valid_until)

    # --- writes ----------------------------------------------------------------------------------

    def issue(self, requests: list[IssueRequest]) -> list[Credential]:
        """Sign and store checked requests; the credentials come back in the order of the requests."""
        if not requests:
            return []
        entries = self._reserve_entries(requests)
        credentials, documents = [], []
        for request, entry in zip(requests, entries, strict=True):
            achievement = request.achievement
            state = self._issuer(achievement.issuer)
            definition = self._definition(achievement)
            public_id = uuid.uuid4()
            results = [competency_documents.ob3_result(definition.id, request.level)] if request.level else []
            unsigned = ob3.open_badge_credential(
                credential_id=identifiers.credential_url(public_id), issuer=state.profile, achievement=definition,
                identity=ob3.email_identity(request.recipient_email, secrets.token_hex(16)),
                valid_from=self.now, valid_until=request.valid_until, awarded=self.now,
                evidence=request.evidence, results=results, credential_status=status_lists.entry_json(entry))
            signed = eddsa_rdfc_2022.proof_create(
                unsigned, private_key=key_encryption.decrypt_private_key(state.key.private_key_encrypted),
                verification_method=state.method, created=self.now)
            documents.append(signed)
            credentials.append(Credential(
                public_id=public_id, achievement=achievement, issuer=achievement.issuer, signing_key=state.key,
                recipient_email=request.recipient_email, recipient_name=request.recipient_name,
                document=json.dumps(signed, ensure_ascii=False, separators=(",", ":")), issued_at=self.now,
                valid_from=self.now, valid_until=request.valid_until, achieved_level=request.level))
        with transaction.atomic():
            bulk.objects_create(Credential, credentials, match="public_id")
            twins = [ob2.assertion_build(credential=c, document=d, key=self._rsa_key(c.issuer), sign=False)
                     for c, d in zip(credentials, documents, strict=True)]  # OB 2.0, signed on first request
            bulk.objects_create(HostedAssertion, twins, match="credential")
            for entry, credential in zip(entries, credentials, strict=True):
                entry.credential = credential
            bulk.rows_update(StatusListEntry, entries, ["credential"])
            counts: dict[int, int] = {}
            for entry in entries:
                counts[entry.status_list_id] = counts.get(entry.status_list_id, 0) + 1
            for list_id, count in sorted(counts.items()):  # last, in one order: see the module's docstring
                StatusList.objects.filter(pk=list_id).update(allocated=F("allocated") + count)
        return credentials

    def _rsa_key(self, issuer: Issuer) -> SigningKey:
        state = self._issuer(issuer)
        if state.rsa_key is None:
            from . import rsa_keys

            state.rsa_key = rsa_keys.rsa_key_active(issuer=issuer)  # makes the issuer's first RSA key
        return state.rsa_key

    def _reserve_entries(self, requests: list[IssueRequest]) -> list[StatusListEntry]:
        """A random free index for each request, drawn in one statement per status list (retried for the
        rare index already taken)."""
        by_list: dict[int, list[int]] = {}
        lists: dict[int, StatusList] = {}
        open_lists: dict[int, StatusList] = {}  # by issuer
        for position, request in enumerate(requests):
            issuer = request.achievement.issuer
            status_list = open_lists.get(issuer.pk)
            if status_list is None:
                state = self._issuer(issuer)
                status_list = open_lists[issuer.pk] = status_lists.open_list(
                    issuer=issuer, controller=state.issuer_id,
                    signing_key=state.key if state.issuer_id.startswith(did_key.PREFIX) else None)
            lists[status_list.pk] = status_list
            by_list.setdefault(status_list.pk, []).append(position)
        entries: list[StatusListEntry | None] = [None] * len(requests)
        for list_id, positions in by_list.items():
            for position, entry in zip(positions, status_lists.entries_reserve(status_list=lists[list_id],
                                                                               count=len(positions)), strict=True):
                entries[position] = entry
        return entries  # type: ignore[return-value]


def _active_keys(issuer: Issuer) -> tuple[SigningKey, SigningKey | None]:
    """The issuer's active Ed25519 key and active RS256 key (None until its first OB 2.0 assertion), in one
    query."""
    active: dict[str, SigningKey] = {}
    for k in SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE,
                                       algorithm__in=[SigningKey.ED25519, SigningKey.RS256]):
        active.setdefault(k.algorithm, k)  # the model's ordering: newest first, as .first() picks
    if SigningKey.ED25519 not in active:
        raise ApplicationError(f"Issuer '{issuer.slug}' has no active signing key.", code="no_active_key")
    for k in active.values():
        k.issuer = issuer
    return active[SigningKey.ED25519], active.get(SigningKey.RS256)

