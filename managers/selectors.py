"""Reads for the managers' team view.

Who may see whom is decided in ``learners.policy`` (``can_see_team``, ``learners_visible``); this module
assembles the team: each agent of the managed directions with
the competencies their valid credentials prove and the gaps against their métier.

Roles, as the team view applies them:
* a manager is a user with at least one ``learners.ManagerScope``; the team is the agents of those directions;
* a platform admin (superuser) manages every direction, as ``learners_visible`` already lets them see everyone;
* issuer staff and admins are not managers by that role alone (issuing badges is not supervising people);
* agents of other directions are never listed in the team; they appear in a skills search only when they made
  their profile visible (``Learner.profile_visible``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from badges_service.collation import collation_key
from competencies.models import Competency, ProficiencyLevel
from issuers.models import Issuer
from learners import policy
from learners.models import Learner
from skills import external, profiles


def managed_directions(*, roles: policy.Roles) -> QuerySet[Issuer]:
    if not policy.can_see_team(roles):
        return Issuer.objects.none()
    if policy.sees_every_direction(roles):
        return Issuer.objects.filter(agents__isnull=False).distinct().order_by("name")
    return Issuer.objects.filter(pk__in=roles.managed_direction_ids).order_by("name")


def team_learners(*, roles: policy.Roles) -> QuerySet[Learner]:
    """The agents of the directions the user manages (never those of other directions, open profile or not)."""
    return (Learner.objects.filter(direction__in=managed_directions(roles=roles))
            .select_related("direction", "job__framework").order_by("direction__name", "display_name", "email"))


@dataclass
class HeldCompetency:
    competency: Competency
    level: ProficiencyLevel | None  # None: a framework without a scale


@dataclass
class ExternallyAttested:
    competency: Competency
    level: ProficiencyLevel | None
    issuers: list[str]


@dataclass
class Gap:
    competency: Competency
    required: ProficiencyLevel | None  # None: any proof meets it (a framework without a scale)
    essential: bool
    held: ProficiencyLevel | None  # None: not proven at all; else proven below the required level
    attested_by: list[str] = field(default_factory=list)  # a badge from elsewhere meets it in part (held: its level)


@dataclass
class MetElsewhere:
    """A requirement of the agent's métier met by badges earned elsewhere only, not by the city's proof."""

    competency: Competency
    issuers: list[str]


@dataclass
class TeamMember:
    learner: Learner
    competencies: list[HeldCompetency] = field(default_factory=list)
    fit: profiles.JobFit | None = None  # None when the agent has no métier on record
    gaps: list[Gap] = field(default_factory=list)
    # Attested by badges earned elsewhere (verified), apart from what the city's credentials prove.
    external: list[ExternallyAttested] = field(default_factory=list)
    met_elsewhere: list[MetElsewhere] = field(default_factory=list)

    @property
    def met(self) -> int:
        return self.fit.count(profiles.MET) if self.fit else 0

    @property
    def score_percent(self) -> int:
        return round(self.fit.score * 100) if self.fit else 0


def team_members(*, learners: list[Learner]) -> list[TeamMember]:
    """Profiles and job gaps of the given agents, in a fixed number of queries whatever their number."""
    emails = [learner.email for learner in learners]
    by_email = profiles.profiles_for(emails=emails)
    elsewhere = external.external_profiles_for(emails=emails)
    fits = profiles.job_fits(profiles=by_email, jobs={lv.email: lv.job for lv in learners if lv.job_id},
                             attested=elsewhere)

    competency_ids = {cid for profile in by_email.values() for cid in profile}
    competency_ids |= {cid for attested in elsewhere.values() for cid in attested}
    level_ids = {proven.level_id for profile in by_email.values() for proven in profile.values()}
    level_ids |= {a.level_id for attested in elsewhere.values() for a in attested.values() if a.level_id}
    for fit in fits.values():
        competency_ids.update(r.competency_id for r in fit.requirements)
        level_ids.update(r.required_level_id for r in fit.requirements)
    competencies = Competency.objects.select_related("framework").in_bulk(competency_ids)
    levels = ProficiencyLevel.objects.in_bulk(level_ids)

    members = []
    for learner in learners:
        profile = by_email.get(learner.email, {})
        held = sorted((HeldCompetency(competencies[cid], levels.get(p.level_id)) for cid, p in profile.items()),
                      key=lambda h: (h.competency.label.casefold(), h.competency.code))
        fit = fits.get(learner.email)
        mine_elsewhere = elsewhere.get(learner.email.lower(), {})
        gaps, met_elsewhere = [], []
        for r in fit.requirements if fit is not None else []:
            competency = competencies[r.competency_id]
            if r.proof == profiles.EXTERNAL and r.status == profiles.MET:
                met_elsewhere.append(MetElsewhere(competency, mine_elsewhere[r.competency_id].issuers))
            elif r.proof == profiles.EXTERNAL:
                attested_here = mine_elsewhere[r.competency_id]
                gaps.append(Gap(competency, levels.get(r.required_level_id), r.essential,
                                levels.get(attested_here.level_id), attested_here.issuers))
            elif r.status != profiles.MET:
                proven = profile.get(r.competency_id)
                gaps.append(Gap(competency, levels.get(r.required_level_id), r.essential,
                                levels.get(proven.level_id) if proven else None))
        gaps.sort(key=lambda g: (not g.essential, g.held is not None, g.competency.label.casefold()))
        met_elsewhere.sort(key=lambda m: m.competency.label.casefold())
        attested = sorted((ExternallyAttested(competencies[cid], levels.get(a.level_id), a.issuers)
                           for cid, a in mine_elsewhere.items()),
                          key=lambda h: (h.competency.label.casefold(), h.competency.code))
        members.append(TeamMember(learner, held, fit, gaps, attested, met_elsewhere))
    return members


def searchable_competencies(*, query: str = "") -> list[tuple[str, list[Competency]]]:
    """Active competencies grouped by framework (title and version), in French order, for the search form;
    ``query``: only those whose label, code or domain contains it (accents and case ignored)."""
    needle = collation_key(query.strip())[0]
    groups: dict[int, tuple[str, list[Competency]]] = {}
    competencies = Competency.objects.filter(status=Competency.Status.ACTIVE).select_related("framework")
    for c in sorted(competencies, key=lambda c: (collation_key(c.framework.title), c.framework.version,
                                                 collation_key(c.label), c.code)):
        if needle and needle not in collation_key(f"{c.label} {c.code} {c.domain}")[0]:
            continue
        groups.setdefault(c.framework_id, (f"{c.framework.title} ({c.framework.version})", []))[1].append(c)
    return list(groups.values())


def scale_levels() -> list[tuple[str, list[ProficiencyLevel]]]:
    """Every framework's proficiency scale, for the search form."""
    groups: dict[int, tuple[str, list[ProficiencyLevel]]] = {}
    for lv in ProficiencyLevel.objects.select_related("framework").order_by(
            "framework__title", "framework__version", "rank"):
        groups.setdefault(lv.framework_id, (f"{lv.framework.title} ({lv.framework.version})", []))[1].append(lv)
    return list(groups.values())
