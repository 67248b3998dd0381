"""Writes that configure the pipeline: sources and their secrets, award rules, pathways, learner mappings."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from badges_service import key_encryption
from badges_service.errors import ApplicationError, Conflict
from competencies.models import Framework, ProficiencyLevel
from issuers.models import Achievement, Issuer
from issuers.permissions import SYSTEM
from learners import services as learner_services

from ..models import AwardRule, InboundEvent, LearnerMapping, LmsSource, Pathway, PathwayItem, ScoreBand
from .queueing import events_requeue


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewSource:
    source: LmsSource
    secret: str  # shown once, never stored in clear
    lrs_password: str = ""  # shown once too (the LRS username is on the source)


@dataclass(frozen=True)
class LrsCredentials:
    username: str
    password: str  # shown once, kept as its digest


def _lrs_credentials(name: str) -> LrsCredentials:
    """A readable username (the source's name and a random suffix) and a random 256-bit password."""
    return LrsCredentials(f"{slugify(name)[:40] or 'lms'}-{secrets.token_hex(4)}", secrets.token_urlsafe(32))


def lms_source_create(*, name: str, issuer: Issuer | None = None, token_allowed: bool = True) -> NewSource:
    name = name.strip()
    if not name or len(name) > 100:
        raise ApplicationError("A source needs a name of at most 100 characters.", code="bad_name")
    if LmsSource.objects.filter(name=name).exists():
        raise Conflict(f"A source named '{name}' exists already.", code="source_exists")
    secret = secrets.token_urlsafe(32)
    lrs = _lrs_credentials(name)
    source = LmsSource.objects.create(name=name, issuer=issuer, token_allowed=token_allowed,
                                      secret_encrypted=key_encryption.encrypt_secret(secret.encode("utf-8")),
                                      secret_digest=_digest(secret), lrs_username=lrs.username,
                                      lrs_password_digest=_digest(lrs.password))
    return NewSource(source, secret, lrs.password)


def lms_source_lrs_credentials_rotate(*, source: LmsSource) -> LrsCredentials:
    """New LRS credentials (username and password) replace the old ones at once; sources made before the
    LRS existed get their first ones this way."""
    lrs = _lrs_credentials(source.name)
    source.lrs_username, source.lrs_password_digest = lrs.username, _digest(lrs.password)
    source.save(update_fields=["lrs_username", "lrs_password_digest"])
    return lrs


def lms_source_secret_rotate(*, source: LmsSource) -> NewSource:
    """A new secret replaces the old one at once (the per-process cache is keyed by the encrypted value)."""
    secret = secrets.token_urlsafe(32)
    source.secret_encrypted = key_encryption.encrypt_secret(secret.encode("utf-8"))
    source.secret_digest = _digest(secret)
    source.save(update_fields=["secret_encrypted", "secret_digest"])
    return NewSource(source, secret)


def award_rule_update(*, rule: AwardRule, validity_days: int | None, reearnable: bool, active: bool) -> AwardRule:
    """What may change on a rule once made (its course, achievement, scores and scale make a new rule)."""
    rule.validity_days, rule.reearnable, rule.active = validity_days, reearnable, active
    rule.save(update_fields=["validity_days", "reearnable", "active"])  # config_cache: cleared by signal
    return rule


def award_rule_check(*, course: str, min_score: Decimal | None, level_framework: Framework | None,
                     min_level: ProficiencyLevel | None, bands: list[tuple[Decimal, ProficiencyLevel]]) -> None:
    """What ``award_rule_create`` refuses, without writing (the admin's form asks it before saving)."""
    if not course.strip():
        raise ApplicationError("A rule needs a course id.", code="bad_course")
    if min_score is not None and not (0 <= min_score <= 1024):
        raise ApplicationError("min_score is a percentage (or Pix points for Pix totals).", code="bad_score")
    if min_level is not None and level_framework is not None and min_level.framework_id != level_framework.pk:
        raise ApplicationError("min_level is not on the rule's scale.", code="bad_level")
    frameworks = {level.framework_id for _, level in bands}
    if len(frameworks) > 1:
        raise ApplicationError("All score bands of a rule use one scale.", code="bad_level")
    scale = level_framework.pk if level_framework is not None else next(iter(frameworks), None)
    off_scale = (frameworks and scale not in frameworks) or (
        min_level is not None and scale not in (None, min_level.framework_id))
    if off_scale:
        raise ApplicationError("The score bands and the minimum level must be on the rule's scale.",
                               code="bad_level")
    if len({low for low, _ in bands}) < len(bands):
        raise ApplicationError("Two score bands start at the same score.", code="bad_band")


@transaction.atomic
def award_rule_create(*, source: LmsSource, course: str, achievement: Achievement, min_score: Decimal | None = None,
                      level_framework: Framework | None = None, min_level: ProficiencyLevel | None = None,
                      bands: list[tuple[Decimal, ProficiencyLevel]] = (), validity_days: int | None = None,
                      reearnable: bool = False) -> AwardRule:
    course = course.strip()
    award_rule_check(course=course, min_score=min_score, level_framework=level_framework, min_level=min_level,
                     bands=bands)
    if AwardRule.objects.filter(source=source, course=course, achievement=achievement).exists():
        raise Conflict("This rule exists already.", code="rule_exists")
    rule = AwardRule.objects.create(source=source, course=course, achievement=achievement, min_score=min_score,
                                    level_framework=level_framework, min_level=min_level,
                                    validity_days=validity_days, reearnable=reearnable)
    ScoreBand.objects.bulk_create([ScoreBand(rule=rule, min_score=low, level=level) for low, level in bands])
    return rule


@transaction.atomic
def pathway_create(*, name: str, achievement: Achievement, courses: list[tuple[LmsSource, str]] = (),
                   achievements: list[Achievement] = (), required: int | None = None,
                   validity_days: int | None = None) -> Pathway:
    count = len(courses) + len(achievements)
    if count == 0:
        raise ApplicationError("A pathway needs courses or achievements.", code="empty_pathway")
    if required is not None and not (1 <= required <= count):
        raise ApplicationError(f"required must be between 1 and {count}.", code="bad_required")
    if achievement in achievements:
        raise ApplicationError("A pathway cannot require its own achievement.", code="circular_pathway")
    pathway = Pathway.objects.create(name=name, achievement=achievement, required=required,
                                     validity_days=validity_days)
    PathwayItem.objects.bulk_create(
        [PathwayItem(pathway=pathway, source=s, course=c.strip()) for s, c in courses]
        + [PathwayItem(pathway=pathway, achievement=a) for a in achievements])
    return pathway


def learner_map(*, source: LmsSource, lms_user_id: str, email: str, name: str = "") -> LearnerMapping:
    """Map an LMS user id to a learner; the source's events that were waiting for it are queued again."""
    lms_user_id, email = lms_user_id.strip(), email.strip().lower()
    if not lms_user_id or "@" not in email or len(email) > 254:
        raise ApplicationError("A mapping needs an LMS user id and a valid email.", code="bad_mapping")
    with transaction.atomic():
        learner = learner_services.learner_upsert(email=email, display_name=name, actor=SYSTEM)
        mapping, _ = LearnerMapping.objects.update_or_create(source=source, lms_user_id=lms_user_id,
                                                             defaults={"learner": learner})
        waiting = InboundEvent.objects.filter(source=source, lms_user_id=lms_user_id,
                                              status=InboundEvent.Status.UNMATCHED)
        events_requeue(events=waiting)
    return mapping


@dataclass
class MappingImport:
    created: int
    errors: list[dict]


def learner_map_import(*, source: LmsSource, text: str) -> MappingImport:
    """CSV with ``lms_user_id`` and ``email`` columns (optional ``name``); a bad row is reported, not fatal."""
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")),
                            delimiter=";" if first.count(";") > first.count(",") else ",")
    done, errors = 0, []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            learner_map(source=source, lms_user_id=row.get("lms_user_id", ""), email=row.get("email", ""),
                        name=row.get("name", ""))
            done += 1
        except ApplicationError as exc:
            errors.append({"line": reader.line_num, "error": exc.message})
    return MappingImport(done, errors)
