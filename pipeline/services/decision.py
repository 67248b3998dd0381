"""The award decision: which awards one completion event earns under the award rules, decided in memory.

``award_decide(event, preloaded)`` is the one place the rules are applied. It reads nothing from the
database: ``preload(events)`` reads, once for a whole batch, everything the rules need (the rules with their
score bands, the learners mapped to the events' LMS users, the pathway items naming the events' courses or
the rules' achievements, the awards already made, the levels the events state). The batch path
(``batch.events_process``) decides every event of a batch with it; the one-event path
(``processing.event_process_one``) is a batch of one: it preloads one event, decides it the same way, then
writes one award at a time and moves pathways forward.

Pathways are not decided here: an award earned through a pathway depends on what the same transaction has
just written (completions, awards), so an event a pathway may concern is flagged (``Decision.pathways``) and
the one-event path handles it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from badges_service.errors import ApplicationError
from badges_service.openbadges import ob3
from competencies.models import ProficiencyLevel

from .. import selectors
from ..intake import COMPLETED, FAILED, PASSED, SCORED
from ..models import Award, AwardRule, InboundEvent

Status = InboundEvent.Status
AwardKey = tuple[str, int, int | None, str]


@dataclass
class Preloaded:
    """What the rules need for a set of events, read once."""

    rules: dict[tuple[int, str], list[AwardRule]] = field(default_factory=dict)  # by (source id, course)
    emails: dict[tuple[int, str], str] = field(default_factory=dict)  # by (source id, LMS user id)
    pathway_courses: set[tuple[int, str]] = field(default_factory=set)  # (source id, course)
    pathway_achievements: set[int] = field(default_factory=set)
    awards: dict[AwardKey, Award] = field(default_factory=dict)  # made before, and planned by earlier events
    levels: dict[tuple[int, str], ProficiencyLevel] = field(default_factory=dict)  # by (framework id, code)

    def remember(self, award: Award) -> None:
        """An award a batch plans: a later event of the batch that earns it again reuses it."""
        self.awards[award_key(award)] = award


@dataclass(frozen=True)
class Grant:
    """An award the event earns; ``new``: not made yet (to insert and sign), else made before."""

    award: Award
    new: bool
    validity_days: int | None = None


@dataclass
class Decision:
    status: str
    reason: str = ""
    detail: str = ""
    recipient_email: str = ""
    grants: list[Grant] = field(default_factory=list)
    completed_courses: list[str] = field(default_factory=list)  # to remember as completions
    pathway_courses: set[str] = field(default_factory=set)  # the event's courses that pathways name
    pathways: bool = False  # a pathway may concern the event: only the one-event path may finish it
    refusals: list[str] = field(default_factory=list)
    rules_applied: bool = False  # False: decided before the rules (unknown course or learner, not passed)


def award_key(award: Award) -> AwardKey:
    return award.recipient_email, award.achievement_id, award.level_id, award.occurrence


def preload(events: Iterable[InboundEvent]) -> Preloaded:
    """What ``award_decide`` needs for ``events``, in a handful of queries whatever their number."""
    events = list(events)
    loaded = Preloaded()
    wanted = {(e.source_id, k) for e in events for k in e.course_keys}
    if not wanted:
        return loaded
    sources, keys = {s for s, _ in wanted}, {k for _, k in wanted}
    for rule in selectors.rules_for_sources(source_ids=sources, keys=keys):
        loaded.rules.setdefault((rule.source_id, rule.course), []).append(rule)
    achievements = {r.achievement_id for rules in loaded.rules.values() for r in rules}
    items = selectors.pathway_items_for(source_ids=sources, keys=keys, achievement_ids=achievements)
    loaded.pathway_courses = {(i.source_id, i.course) for i in items if i.course}
    loaded.pathway_achievements = {i.achievement_id for i in items if i.achievement_id}
    loaded.emails = selectors.learner_emails_for(pairs={(e.source_id, e.lms_user_id) for e in events
                                                        if e.lms_user_id})
    emails = set(loaded.emails.values()) | {e.email.strip().lower() for e in events if e.email}
    if emails and achievements:
        loaded.awards = {award_key(a): a for a in selectors.awards_made(emails=emails, achievement_ids=achievements)}
    codes = {(r.level_framework_id, e.level_code) for e in events if e.level_code
             for k in e.course_keys for r in loaded.rules.get((e.source_id, k), ()) if r.level_framework_id}
    loaded.levels = selectors.levels_by_code(pairs=codes)
    return loaded


def award_decide(event: InboundEvent, preloaded: Preloaded) -> Decision:
    """The event's verdict under the award rules and the awards it earns (pathways aside: see the module).

    Raises ``ApplicationError`` for a permanent fault of the event (a level off the rule's scale)."""
    rules = sorted({r.pk: r for k in event.course_keys for r in preloaded.rules.get((event.source_id, k), ())}
                   .values(), key=lambda r: r.pk)
    pathway_courses = {k for k in event.course_keys if (event.source_id, k) in preloaded.pathway_courses}
    pathways = bool(pathway_courses) or any(r.achievement_id in preloaded.pathway_achievements for r in rules)
    if not rules and not pathway_courses:
        return Decision(Status.IGNORED, "unknown_course", "No active rule or pathway names this course (any more).")
    email = preloaded.emails.get((event.source_id, event.lms_user_id)) or event.email.strip().lower()
    if not email:
        return Decision(Status.UNMATCHED, "unknown_learner",
                        f"No learner is mapped to LMS user '{event.lms_user_id}' and the event carries no email.",
                        pathways=pathways)
    if event.outcome == FAILED or event.success is False:
        return Decision(Status.IGNORED, "not_passed", "The learner did not pass.", recipient_email=email,
                        pathways=pathways)

    decision = Decision(Status.PROCESSED, recipient_email=email, pathways=pathways, rules_applied=True)
    planned: dict[AwardKey, Award] = {}
    for rule in rules:
        level, refusal = rule_decision(rule, event, preloaded.levels)
        if refusal:
            decision.refusals.append(refusal)
            continue
        award = Award(recipient_email=email, achievement=rule.achievement, level=level, rule=rule,
                      occurrence=str(event.public_id) if rule.reearnable else "")
        key = award_key(award)
        existing = preloaded.awards.get(key) or planned.get(key)  # made before, or by another rule just now
        if existing is not None:
            decision.grants.append(Grant(existing, new=False))
            continue
        planned[key] = award
        decision.grants.append(Grant(award, new=True, validity_days=rule.validity_days))

    if event.outcome in (COMPLETED, PASSED):
        # Every known course the event completes is remembered, so a pathway made later counts it too.
        decision.completed_courses = sorted({r.course for r in rules} | pathway_courses)
        decision.pathway_courses = pathway_courses
    if decision.grants:
        decision.reason = "" if any(g.new for g in decision.grants) else "already_awarded"
    elif decision.pathway_courses:
        decision.reason, decision.detail = "pathway_progress", "Counted towards a pathway."
    else:
        decision.status = Status.IGNORED
        decision.reason = decision.refusals[0] if decision.refusals else "no_award"
        decision.detail = "; ".join(decision.refusals)
    return decision


def rule_decision(rule: AwardRule, event: InboundEvent,
                  levels: dict[tuple[int, str], ProficiencyLevel]) -> tuple[ProficiencyLevel | None, str]:
    """(level, "") when the rule awards, (None, reason) when it does not. ``levels``: the preloaded levels by
    (framework id, code)."""
    score, bands = event.score, list(rule.bands.all())
    if rule.min_score is not None:
        if score is None:
            return None, "no_score"
        if score < rule.min_score:
            return None, "below_min_score"
    if event.outcome == SCORED and rule.min_score is None and not bands and not (
            event.level_code and rule.level_framework_id):
        return None, "not_a_completion"  # a score alone, on a rule that does not read scores
    level = None
    if event.level_code and rule.level_framework_id:
        level = levels.get((rule.level_framework_id, event.level_code))
        if level is None:
            raise ApplicationError(f"Level '{event.level_code}' is not on the rule's scale.", code="unknown_level")
    elif bands:
        if score is None:
            return None, "no_score"
        level = next((b.level for b in bands if score >= b.min_score), None)
        if level is None:
            return None, "below_min_score"
    if rule.min_level_id:
        if level is None:
            return None, "no_level"
        if level.rank < rule.min_level.rank:
            return None, "below_min_level"
    return level, ""


def evidence_of(event: InboundEvent) -> ob3.Evidence:
    """OB 3.0 §B.1.9 Evidence: the course, the date and the result, as the source reported them."""
    course = event.course_name or f"Cours {event.course_keys[0]}"
    parts = [f"{dict(InboundEvent.Outcome.choices).get(event.outcome, event.outcome)} le "
             f"{timezone.localtime(event.occurred_at):%d/%m/%Y}"]
    if event.score is not None:
        unit = " Pix" if event.course_keys == ["pix"] else " %"
        parts.append(f"score : {event.score.normalize():f}{unit}")
    if event.level_code:
        parts.append(f"niveau : {event.level_code}")
    return ob3.Evidence(name=course, narrative=", ".join(parts) + ".", genre="Formation",
                        description=f"Source : {event.source.name} ({event.get_kind_display()}), "
                                    f"événement {event.event_id}.")
