"""Competency profiles, job fit and skills search (reads).

A credential proves each competency its achievement is aligned to, at the level its ``result`` states
(``Credential.achieved_level``, when on that competency's scale) or else at the alignment's level, or
else at the first level of the scale; in a framework without a scale (a CASE package without rubric), at no
level (rank 0). A requirement without a level (same case) is met by any proof. Only currently valid credentials
count (``Credential.objects.valid``: not revoked, not suspended, within their dates). A credential for an obsolete
competency also proves the competency that replaced it.

Job fit also counts what badges earned elsewhere attest (``skills.external``), kept apart: each requirement
says whether the city's proof or an external attestation meets it (``RequirementFit.proof``), the city's
proof winning a tie; ``JobFit.score`` counts both, ``JobFit.city_score`` the city's proof alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from competencies.models import AchievementAlignment, Competency, Framework, Job, JobRequirement, ProficiencyLevel
from issuers.models import Credential
from learners import policy
from learners.models import Learner

from .external import ExternalProfile

MET, PARTIAL, MISSING = "met", "partial", "missing"
CITY, EXTERNAL = "city", "external"  # what meets a requirement: a city-issued credential, a badge from elsewhere
_ORDER = {MISSING: 0, PARTIAL: 1, MET: 2}


@dataclass
class ProvenCompetency:
    competency_id: int
    level_id: int | None  # None: the competency's framework has no scale
    rank: int  # 0 without a scale
    credential_ids: list[int] = field(default_factory=list)


Profile = dict[int, ProvenCompetency]  # competency id -> the highest level proven


def valid_credentials(*, emails: Iterable[str], now: datetime | None = None):
    """The learners' credentials valid at ``now`` (``CredentialQuerySet.valid``: not revoked, not suspended,
    within their dates)."""
    return Credential.objects.filter(recipient_email__in=list(emails)).valid(now)


def profiles_for(*, emails: Iterable[str], now: datetime | None = None,
                 competency_ids: set[int] | None = None) -> dict[str, Profile]:
    """email -> profile, for several learners in a fixed number of queries."""
    credentials = list(valid_credentials(emails=emails, now=now).values_list(
        "id", "recipient_email", "achievement_id", "achieved_level_id"))
    achievement_ids = {c[2] for c in credentials}
    alignments = defaultdict(list)
    for a in AchievementAlignment.objects.filter(achievement_id__in=achievement_ids).values_list(
            "achievement_id", "competency_id", "competency__framework_id", "level_id", "competency__replaced_by_id"):
        alignments[a[0]].append(a)
    level_ids = {c[3] for c in credentials if c[3]} | {a[3] for rows in alignments.values() for a in rows if a[3]}
    frameworks = {a[2] for rows in alignments.values() for a in rows}
    levels = {lv.id: lv for lv in ProficiencyLevel.objects.filter(Q(id__in=level_ids) | Q(framework_id__in=frameworks))}
    first_level = {}
    for lv in sorted(levels.values(), key=lambda lv: lv.rank):
        first_level.setdefault(lv.framework_id, lv)

    out: dict[str, Profile] = defaultdict(dict)
    for credential_id, email, achievement_id, achieved_level_id in credentials:
        achieved = levels.get(achieved_level_id)
        for _, competency_id, framework_id, level_id, replaced_by_id in alignments[achievement_id]:
            if achieved is not None and achieved.framework_id == framework_id:
                level = achieved
            else:
                level = levels.get(level_id) or first_level.get(framework_id)
            level_id, rank = (level.id, level.rank) if level is not None else (None, 0)
            for target in (competency_id, replaced_by_id):
                if target is None or (competency_ids is not None and target not in competency_ids):
                    continue
                proven = out[email].get(target)
                if proven is None or rank > proven.rank:
                    out[email][target] = ProvenCompetency(target, level_id, rank, [credential_id])
                elif rank == proven.rank and credential_id not in proven.credential_ids:
                    proven.credential_ids.append(credential_id)  # evidence: the credentials proving that level
    return dict(out)


def learner_profile(*, email: str, now: datetime | None = None) -> Profile:
    return profiles_for(emails=[email.strip().lower()], now=now).get(email.strip().lower(), {})


@dataclass
class RequirementFit:
    competency_id: int
    required_rank: int  # 0: no level required (a framework without a scale)
    required_level_id: int | None
    essential: bool
    status: str
    proven_rank: int | None  # the city's proof
    proof: str | None = None  # CITY or EXTERNAL: what gives ``status``; None when missing
    attested_rank: int | None = None  # a badge earned elsewhere (the first level of the scale; 0 without one)
    city_status: str = MISSING  # the status the city's proof alone gives


@dataclass
class JobFit:
    job_id: int
    score: float  # 0..1: essential requirements weigh 2, optional 1; a partly met one counts half
    requirements: list[RequirementFit]
    city_score: float = 0.0  # the same, counting only the city's proof

    def count(self, status: str, *, proof: str | None = None) -> int:
        return sum(1 for r in self.requirements if r.status == status and (proof is None or r.proof == proof))


def _status(rank: int | None, required: int) -> str:
    return MISSING if rank is None else MET if rank >= required else PARTIAL


def _score(weights: list[tuple[float, str]]) -> float:
    total = sum(w for w, _ in weights)
    earned = sum(w if s == MET else w / 2 if s == PARTIAL else 0.0 for w, s in weights)
    return earned / total if total else 0.0


def _fit(job_id: int, rows: list[tuple], profile: Profile, attested: ExternalProfile | None = None) -> JobFit:
    fits = []
    for competency_id, level_id, rank, essential in rows:
        proven = profile.get(competency_id)
        elsewhere = attested.get(competency_id) if attested else None
        city = _status(proven.rank if proven else None, rank)
        external = _status(elsewhere.rank if elsewhere else None, rank)
        status, proof = (city, CITY) if _ORDER[city] >= _ORDER[external] else (external, EXTERNAL)
        fits.append(RequirementFit(competency_id, rank, level_id, essential, status,
                                   proven.rank if proven else None, proof if status != MISSING else None,
                                   elsewhere.rank if elsewhere else None, city))
    weights = [2.0 if r.essential else 1.0 for r in fits]
    return JobFit(job_id, _score([(w, r.status) for w, r in zip(weights, fits, strict=True)]), fits,
                  _score([(w, r.city_status) for w, r in zip(weights, fits, strict=True)]))


def _requirement_rows(jobs_filter: Q) -> dict[int, list[tuple]]:
    """job id -> [(competency id, level id, level rank, essential)]. Values only, no model instances:
    ranking every job of a framework reads thousands of rows."""
    ranks = dict(ProficiencyLevel.objects.values_list("id", "rank"))
    rows: dict[int, list[tuple]] = defaultdict(list)
    for job_id, competency_id, level_id, essential in JobRequirement.objects.filter(jobs_filter).values_list(
            "job_id", "competency_id", "level_id", "essential").iterator(chunk_size=5000):
        rows[job_id].append((competency_id, level_id, ranks[level_id] if level_id else 0, essential))
    return rows


def job_fit(*, profile: Profile, job: Job, attested: ExternalProfile | None = None) -> JobFit:
    """``attested``: what the learner's badges from elsewhere attest (``external.external_profile``)."""
    return _fit(job.id, _requirement_rows(Q(job=job)).get(job.id, []), profile, attested)


def job_fits(*, profiles: dict[str, Profile], jobs: dict[str, Job],
             attested: dict[str, ExternalProfile] | None = None) -> dict[str, JobFit]:
    """email -> the fit of that learner's profile (and ``attested[email]``) to that learner's job, for a whole
    team in two queries."""
    rows = _requirement_rows(Q(job_id__in={job.id for job in jobs.values()}))
    attested = attested or {}
    return {email: _fit(job.id, rows.get(job.id, []), profiles.get(email, {}), attested.get(email.lower()))
            for email, job in jobs.items()}


def jobs_ranked(*, profile: Profile, framework: Framework, attested: ExternalProfile | None = None) -> list[JobFit]:
    """Every job of the framework, best fit first (then by job code), in two queries."""
    rows = _requirement_rows(Q(job__framework=framework))
    codes = dict(Job.objects.filter(framework=framework).values_list("id", "code"))
    fits = [_fit(job_id, rows.get(job_id, []), profile, attested) for job_id in codes]
    return sorted(fits, key=lambda f: (-f.score, codes[f.job_id]))


def agents_with_competency(*, user, competency: Competency, min_level: ProficiencyLevel,
                           now: datetime | None = None) -> list[tuple[Learner, ProvenCompetency]]:
    """Agents the user may see who hold ``competency`` at ``min_level`` or above (best first)."""
    learners = {lv.email: lv for lv in Learner.objects.filter(policy.learners_visible(policy.roles_of(user)))
                .select_related("direction", "job")}
    if not learners:
        return []
    profiles = profiles_for(emails=learners, now=now, competency_ids={competency.id})
    found = [(learners[email], profile[competency.id]) for email, profile in profiles.items()
             if competency.id in profile and profile[competency.id].rank >= min_level.rank]
    return sorted(found, key=lambda pair: (-pair[1].rank, pair[0].email))
