"""Competencies attested by badges earned elsewhere (``learners.ForeignBadge``): reads.

A foreign badge's alignments (OB 2.0 ``alignment``, OB 3.0 ``achievement.alignment``) point at framework
items by URL and code. An alignment attests a competency of a framework known here when it names:

* the competency's own public URL here (``identifiers.competency_url``, the URI its CASE export carries);
* its CASE identifier (the UUID this service's CASE export gives it, or the identifier an imported
  package gave it, ``Competency.case_identifier``), as the alignment's code or inside its URL (CASE
  ``/CFItems/<identifier>``, OpenSALT ``/uri/<identifier>``);
* its URI at the publisher of an imported CASE package (``Competency.case_uri``);
* its ESCO URI (compared without scheme, case or trailing slash).

An external attestation is kept apart from city-issued proof: it never enters ``profiles.Profile`` (which
only the city's credentials fill) and is listed next to it, at the first level of the framework's scale
(an alignment carries no level), or without a level when the framework has no scale (rank 0, as for the
city's proof). An attestation of an obsolete competency also attests the one that replaced it. Only badges
valid when last verified and not expired count. Job fit reads these beside the city's proof
(``profiles.job_fit(attested=...)``), saying which of the two meets each requirement.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from competencies.identifiers import competency_url
from competencies.interchange.case import case_id
from competencies.models import Competency, ProficiencyLevel
from learners import policy
from learners.models import ForeignBadge, Learner

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


@dataclass
class ExternalAttestation:
    competency_id: int
    level_id: int | None
    rank: int = 0  # the rank of ``level_id``; 0 without a scale
    foreign_badge_ids: list[int] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)


ExternalProfile = dict[int, ExternalAttestation]  # competency id -> its attestations from elsewhere


def _url_key(url: str) -> str:
    return url.strip().split("://", 1)[-1].rstrip("/").lower()


def _index(competencies: Iterable[tuple[int, str, str, str, str, str, str]]
           ) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """(URL key -> competency ids, lower-case identifier -> competency ids)."""
    by_url: dict[str, set[int]] = defaultdict(set)
    by_identifier: dict[str, set[int]] = defaultdict(set)
    for pk, code, esco_uri, framework_code, framework_version, case_identifier, case_uri in competencies:
        by_url[_url_key(competency_url(_Item(code, framework_code, framework_version)))].add(pk)
        for uri in (esco_uri, case_uri):
            if uri:
                by_url[_url_key(uri)].add(pk)
        by_identifier[case_id(framework_code, "competency", code)].add(pk)
        for identifier in (code, case_identifier):
            if _UUID.fullmatch(identifier):
                by_identifier[identifier.lower()].add(pk)
    return by_url, by_identifier


@dataclass(frozen=True)
class _Framework:
    code: str
    version: str


class _Item:
    """What ``competency_url`` reads of a competency, without loading the model."""

    def __init__(self, code: str, framework_code: str, framework_version: str):
        self.code = code
        self.framework = _Framework(framework_code, framework_version)


def matches(alignment: dict, by_url: dict[str, set[int]], by_identifier: dict[str, set[int]]) -> set[int]:
    found: set[int] = set()
    url, code = alignment.get("targetUrl"), alignment.get("targetCode")
    if isinstance(url, str) and url:
        found |= by_url.get(_url_key(url), set())
    for text in (url, code):
        if isinstance(text, str):
            for identifier in _UUID.findall(text):
                found |= by_identifier.get(identifier.lower(), set())
    return found


def _users_by_email(emails: list[str]) -> dict[int, str]:
    """user id -> learner email (the learner row's user, else the account with that email)."""
    users = {user_id: email.lower() for email, user_id in Learner.objects.filter(
        email__in=emails, user__isnull=False).values_list("email", "user_id")}
    for user_id, email in get_user_model().objects.filter(email__in=emails).values_list("id", "email"):
        users.setdefault(user_id, email.lower())
    return users


def external_profiles_for(*, emails: Iterable[str], now: datetime | None = None) -> dict[str, ExternalProfile]:
    """email -> the competencies attested by that learner's valid foreign badges, in a fixed number of queries."""
    now = now or timezone.now()
    emails = [e.strip().lower() for e in emails]
    users = _users_by_email(emails)
    badges = list(ForeignBadge.objects.filter(user_id__in=users, status="valid")
                  .filter(Q(expires__isnull=True) | Q(expires__gt=now))
                  .exclude(alignments=[]).values_list("id", "user_id", "alignments", "issuer_name"))
    if not badges:
        return {}
    by_url, by_identifier = _index(Competency.objects.values_list(
        "id", "code", "esco_uri", "framework__code", "framework__version", "case_identifier", "case_uri"))
    replacements = dict(Competency.objects.filter(replaced_by__isnull=False).values_list("id", "replaced_by_id"))
    out: dict[str, ExternalProfile] = defaultdict(dict)
    attested: set[int] = set()
    for badge_id, user_id, alignments, issuer_name in badges:
        for alignment in alignments if isinstance(alignments, list) else []:
            if not isinstance(alignment, dict):
                continue
            found = matches(alignment, by_url, by_identifier)
            for competency_id in found | {replacements[c] for c in found if c in replacements}:
                entry = out[users[user_id]].setdefault(competency_id, ExternalAttestation(competency_id, None))
                if badge_id not in entry.foreign_badge_ids:
                    entry.foreign_badge_ids.append(badge_id)
                if issuer_name and issuer_name not in entry.issuers:
                    entry.issuers.append(issuer_name)
                attested.add(competency_id)
    first_levels = _first_levels(attested)
    for profile in out.values():
        for entry in profile.values():
            entry.level_id, entry.rank = first_levels.get(entry.competency_id, (None, 0))
    return dict(out)


def _first_levels(competency_ids: set[int]) -> dict[int, tuple[int, int]]:
    """competency id -> (id, rank) of the first level of its framework's scale (absent when it has none)."""
    frameworks = dict(Competency.objects.filter(id__in=competency_ids).values_list("id", "framework_id"))
    first: dict[int, tuple[int, int]] = {}
    for level_id, rank, framework_id in ProficiencyLevel.objects.filter(
            framework_id__in=set(frameworks.values())).order_by("-rank").values_list("id", "rank", "framework_id"):
        first[framework_id] = (level_id, rank)  # the lowest rank is seen last
    return {cid: first[fid] for cid, fid in frameworks.items() if fid in first}


def agents_attested_elsewhere(*, user, competency: Competency,
                              now: datetime | None = None) -> list[tuple[Learner, ExternalAttestation]]:
    """Agents the user may see (``learners.policy``) whose badges from elsewhere attest ``competency``."""
    learners = {lv.email.lower(): lv for lv in Learner.objects.filter(policy.learners_visible(policy.roles_of(user)))
                .select_related("direction")}
    found = [(learners[email], attested[competency.id]) for email, attested in
             external_profiles_for(emails=learners, now=now).items() if competency.id in attested]
    return sorted(found, key=lambda pair: pair[0].email)


def external_profile(*, email: str, now: datetime | None = None) -> ExternalProfile:
    return external_profiles_for(emails=[email], now=now).get(email.strip().lower(), {})


__all__ = ["ExternalAttestation", "ExternalProfile", "agents_attested_elsewhere", "external_profile",
           "external_profiles_for", "matches"]
