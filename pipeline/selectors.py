"""Reads for the completion pipeline."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache, partial

from django.db.models import Prefetch, Q, QuerySet

from badges_service import key_encryption
from badges_service.errors import NotFound
from competencies.models import ProficiencyLevel
from issuers import identifiers

from . import config_cache
from .models import (
    Award,
    AwardRule,
    Completion,
    InboundEvent,
    LearnerMapping,
    LmsSource,
    Pathway,
    PathwayItem,
    ScoreBand,
)


def source_get(*, name: str) -> LmsSource:
    try:
        return LmsSource.objects.get(name=name)
    except LmsSource.DoesNotExist:
        raise NotFound(f"No LMS source '{name}'.") from None


def sources_active() -> list[LmsSource]:
    return config_cache.cached(("sources",), lambda: list(LmsSource.objects.filter(active=True).order_by("pk")))


def source_by_secret_digest(*, digest: str) -> LmsSource | None:
    return LmsSource.objects.filter(secret_digest=digest, active=True).first()


def source_by_lrs_username(*, username: str) -> LmsSource | None:
    return LmsSource.objects.filter(lrs_username=username, active=True).first() if username else None


LRS_PATH = "/api/v1/xapi"


def lrs_endpoint() -> str:
    """The xAPI endpoint every source's LRS credentials are for (``<endpoint>/statements``, ``<endpoint>/about``)."""
    return identifiers.public_url(LRS_PATH + "/")


@lru_cache(maxsize=256)
def _decrypted(source_id: int, token: bytes) -> bytes:
    return key_encryption.decrypt_secret(token)


def source_secret(source: LmsSource) -> bytes:
    """The clear secret, decrypted once per process and per encrypted value (a new secret is a new key
    of the cache, so rotation needs no invalidation)."""
    return _decrypted(source.pk, bytes(source.secret_encrypted))


def event_get(*, public_id: str | uuid.UUID) -> InboundEvent:
    """An event by its public id or, for a statement, by the statement's id (the same, unless the statement came
    through the signed route, or another source held the id first)."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound("No such event.") from None
    events = InboundEvent.objects.select_related("source")
    event = (events.filter(public_id=wanted).first()
             or events.filter(kind=InboundEvent.Kind.XAPI, event_id=str(wanted)).order_by("pk").first())
    if event is None:
        raise NotFound("No such event.")
    return event


def event_get_for_source(*, source: LmsSource, public_id: str) -> InboundEvent:
    """One of the source's events, by its public id or, for a statement, by the statement's id."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound("No such event.") from None
    event = (InboundEvent.objects.select_related("source").filter(source=source, public_id=wanted).first()
             or InboundEvent.objects.select_related("source").filter(
                 source=source, kind=InboundEvent.Kind.XAPI, event_id=str(wanted)).first())
    if event is None:
        raise NotFound("No such event.")
    return event


def statement_get(*, source: LmsSource, statement_id: str) -> InboundEvent:
    event = (InboundEvent.objects.select_related("source")
             .filter(source=source, kind=InboundEvent.Kind.XAPI, event_id=statement_id).first())
    if event is None:
        raise NotFound("No such statement.")
    return event


def statement_voided(*, source: LmsSource, statement_id: str) -> bool:
    """Whether one of the source's statements voids this one (xAPI Data §2.3.2)."""
    return InboundEvent.objects.filter(source=source, kind=InboundEvent.Kind.XAPI,
                                       payload__verb__id="http://adlnet.gov/expapi/verbs/voided",
                                       payload__object__objectType="StatementRef",
                                       payload__object__id=statement_id).exists()


def statements_page(*, source: LmsSource, limit: int, after: int | None = None, ascending: bool = False,
                    verb: str = "", registration: str = "", since=None, until=None,
                    matches: Callable[[dict], bool] | None = None, scan: int = 10_000,
                    ) -> tuple[list[InboundEvent], int | None]:
    """A page of the source's statements that are not voided, in stored order (newest first unless
    ``ascending``), after the ``after`` cursor (an event pk): ``(events, next cursor or None)``. The database
    filters on verb, registration and stored time; ``matches`` (the agent and activity filters, which look
    inside the statement) runs here, on at most ``scan`` rows per page, so a rare match may need more pages."""
    xapi = InboundEvent.objects.filter(source=source, kind=InboundEvent.Kind.XAPI)
    voided = set(xapi.filter(payload__verb__id="http://adlnet.gov/expapi/verbs/voided")
                 .values_list("payload__object__id", flat=True))
    rows = xapi.select_related("source").exclude(event_id__in=[v for v in voided if isinstance(v, str)])
    if verb:
        rows = rows.filter(payload__verb__id=verb)
    if registration:
        rows = rows.filter(payload__context__registration=registration)
    if since is not None:
        rows = rows.filter(received_at__gt=since)
    if until is not None:
        rows = rows.filter(received_at__lte=until)
    rows = rows.order_by("pk" if ascending else "-pk")
    found: list[InboundEvent] = []
    cursor, scanned = after, 0
    while scanned < scan:
        chunk = list((rows if cursor is None else rows.filter(**{"pk__gt" if ascending else "pk__lt": cursor}))[:500])
        if not chunk:
            return found, None
        for event in chunk:
            scanned += 1
            cursor = event.pk
            if matches is None or matches(event.payload):
                found.append(event)
                if len(found) == limit:
                    return found, cursor
    return found, cursor


def event_credential_urls(*, event: InboundEvent) -> list[str]:
    awards = event.awards.filter(credential__isnull=False).select_related("credential").order_by("pk")
    return [identifiers.credential_url(a.credential.public_id) for a in awards]


def known_courses(*, source: LmsSource, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` a rule or a pathway of ``source`` names."""
    wanted = set(keys)
    if not wanted:
        return set()
    return wanted & config_cache.cached(("courses", source.pk), partial(_courses_named, source.pk))


def _courses_named(source_id: int) -> frozenset[str]:
    rules = AwardRule.objects.filter(source_id=source_id, active=True).values_list("course")
    items = PathwayItem.objects.filter(source_id=source_id, pathway__active=True).values_list("course")
    return frozenset(course for (course,) in rules.order_by().union(items.order_by()))  # one query


def rules_for(*, source_id: int, keys: Iterable[str]) -> list[AwardRule]:
    return list(AwardRule.objects.filter(source_id=source_id, active=True, course__in=list(keys))
                .select_related("achievement__issuer", "level_framework", "min_level")
                .prefetch_related(Prefetch("bands", ScoreBand.objects.select_related("level").order_by("-min_score")))
                .order_by("pk"))


def rules_for_sources(*, source_ids: Iterable[int], keys: Iterable[str]) -> list[AwardRule]:
    """Active rules of any of the sources naming any of the course keys (a batch's rules, in one read)."""
    return list(AwardRule.objects.filter(source_id__in=list(source_ids), active=True, course__in=list(keys))
                .select_related("achievement__issuer", "level_framework", "min_level")
                .prefetch_related(Prefetch("bands", ScoreBand.objects.select_related("level").order_by("-min_score")))
                .order_by("pk"))


def pathway_items_for(*, source_ids: Iterable[int], keys: Iterable[str],
                      achievement_ids: Iterable[int]) -> list[PathwayItem]:
    """Items of active pathways naming one of the courses or achievements."""
    condition = Q(source_id__in=list(source_ids), course__in=list(keys)) | Q(achievement_id__in=list(achievement_ids))
    return list(PathwayItem.objects.filter(condition, pathway__active=True)
                .only("source_id", "course", "achievement_id"))


def learner_emails_for(*, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """{(source id, LMS user id): learner email} for the pairs that are mapped."""
    pairs = list(pairs)
    if not pairs:
        return {}
    condition = Q()
    for source_id in {s for s, _ in pairs}:
        condition |= Q(source_id=source_id, lms_user_id__in=[u for s, u in pairs if s == source_id])
    return {(source_id, user): email for source_id, user, email in
            LearnerMapping.objects.filter(condition).values_list("source_id", "lms_user_id", "learner__email")}


def awards_made(*, emails: Iterable[str], achievement_ids: Iterable[int]) -> list[Award]:
    """The awards any of the learners holds of any of the achievements."""
    return list(Award.objects.filter(recipient_email__in=list(emails), achievement_id__in=list(achievement_ids)))


def levels_by_code(*, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], ProficiencyLevel]:
    """{(framework id, code): level} for the pairs that name a level of that framework's scale."""
    condition = Q()
    for framework_id, code in set(pairs):
        condition |= Q(framework_id=framework_id, code=code)
    if not condition:
        return {}
    return {(level.framework_id, level.code): level for level in ProficiencyLevel.objects.filter(condition)}


def pathways_touched(*, source_id: int, courses: Iterable[str], achievement_ids: Iterable[int]) -> list[Pathway]:
    courses, achievement_ids = list(courses), list(achievement_ids)
    if not courses and not achievement_ids:
        return []
    condition = Q(source_id=source_id, course__in=courses) | Q(achievement_id__in=achievement_ids)
    ids = set(PathwayItem.objects.filter(condition, pathway__active=True).values_list("pathway_id", flat=True))
    if not ids:  # the usual case: one query, no pathway
        return []
    return list(Pathway.objects.filter(pk__in=ids).select_related("achievement__issuer")
                .prefetch_related("items").order_by("pk"))


def pathway_progress(*, pathway: Pathway, email: str) -> int:
    """How many of the pathway's items the learner has done."""
    items = list(pathway.items.all())
    wanted = {i.achievement_id for i in items if i.achievement_id}
    held = set(Award.objects.filter(recipient_email=email, achievement_id__in=wanted)
               .values_list("achievement_id", flat=True)) if wanted else set()
    done = len(held)
    courses = [(i.source_id, i.course) for i in items if i.course]
    if courses:
        condition = Q()
        for source_id, course in courses:
            condition |= Q(source_id=source_id, course=course)
        done += (Completion.objects.filter(condition, learner_email=email)
                 .values("source_id", "course").distinct().count())
    return done


def events_pending(*, older_than, limit: int) -> QuerySet[InboundEvent]:
    """Events stored but not processed whose last queueing is older than ``older_than`` (or never queued)."""
    return (InboundEvent.objects.filter(status=InboundEvent.Status.RECEIVED)
            .filter(Q(queued_at__lt=older_than) | Q(queued_at__isnull=True)).order_by("pk")[:limit])
