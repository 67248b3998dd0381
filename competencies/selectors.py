"""Reads for the référentiel: frameworks as bundles (for export), items, and alignments."""

from __future__ import annotations

import unicodedata

from django.db.models import Prefetch, QuerySet

from badges_service.errors import NotFound

from .interchange.bundle import (
    CompetencyRow,
    FamilyRow,
    FrameworkBundle,
    FrameworkInfo,
    JobRow,
    LevelRow,
    RequirementRow,
)
from .models import AchievementAlignment, AchievementJobAlignment, Competency, Framework, Job, JobRequirement


def framework_get(*, code: str, version: str | None = None) -> Framework:
    """A framework by code and version; without a version, the latest one."""
    qs = Framework.objects.filter(code=code)
    framework = qs.filter(version=version).first() if version else qs.order_by("-created_at", "-id").first()
    if framework is None:
        raise NotFound(f"No framework {code!r}" + (f" version {version!r}." if version else "."))
    return framework


def framework_list() -> QuerySet[Framework]:
    return Framework.objects.order_by("code", "version")


def job_get(*, framework: Framework, code: str) -> Job:
    job = (Job.objects.filter(framework=framework, code=code).select_related("family")
           .prefetch_related("directions", Prefetch("requirements", JobRequirement.objects.select_related(
               "competency", "level").order_by("-essential", "competency__code"))).first())
    if job is None:
        raise NotFound(f"No job {code!r} in {framework.code}.")
    return job


def competency_get(*, framework: Framework, code: str) -> Competency:
    competency = (Competency.objects.filter(framework=framework, code=code)
                  .select_related("parent", "replaced_by").prefetch_related("children").first())
    if competency is None:
        raise NotFound(f"No competency {code!r} in {framework.code}.")
    return competency


def _fold(text: str) -> str:
    """Case- and accent-insensitive form ("Écoute" and "ecoute" match), the same on SQLite and PostgreSQL."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def competency_search(*, framework: Framework, text: str = "", kind: str = "", domain: str = "") -> list[Competency]:
    """Competencies whose label contains ``text`` or whose code is ``text``, optionally of a kind and domain.
    Filtered in Python: a framework holds a few thousand competencies at most."""
    qs = framework.competencies.order_by("code")
    if kind:
        qs = qs.filter(kind=kind)
    wanted, wanted_domain = _fold(text), _fold(domain)
    return [c for c in qs
            if (not wanted or wanted in _fold(c.label) or wanted == _fold(c.code))
            and (not wanted_domain or wanted_domain == _fold(c.domain))]


def alignments_of(*, achievement_id: int) -> list[AchievementAlignment]:
    return list(AchievementAlignment.objects.filter(achievement_id=achievement_id)
                .select_related("competency__framework", "level").order_by("competency__code"))


def job_alignments_of(*, achievement_id: int) -> list[AchievementJobAlignment]:
    return list(AchievementJobAlignment.objects.filter(achievement_id=achievement_id)
                .select_related("job__framework").order_by("job__code"))


def case_source(row) -> dict:
    """A row's CASE identity and kept CASE fields (``Row.case``), {} for a row created here."""
    if not (row.case_identifier or row.case_uri or row.case_data):
        return {}
    return {"identifier": row.case_identifier, "uri": row.case_uri, **(row.case_data or {})}


def framework_bundle(*, framework: Framework, info_only: bool = False) -> FrameworkBundle:
    """The framework as a neutral bundle (what every export format writes); ``info_only``: its description alone."""
    if info_only:
        return FrameworkBundle(info=FrameworkInfo(0, framework.code, framework.version, framework.title,
                                                  framework.description, framework.publisher, framework.language,
                                                  case=case_source(framework)))
    competencies = list(framework.competencies.select_related("parent", "replaced_by"))
    jobs = list(framework.jobs.select_related("family").prefetch_related("directions"))
    requirements = JobRequirement.objects.filter(job__framework=framework).select_related("job", "competency", "level")
    return FrameworkBundle(
        info=FrameworkInfo(0, framework.code, framework.version, framework.title, framework.description,
                           framework.publisher, framework.language, case=case_source(framework)),
        levels=[LevelRow(0, lv.rank, lv.code, lv.label, lv.proficient, lv.description)
                for lv in framework.levels.all()],
        families=[FamilyRow(0, f.code, f.label, f.description, case=case_source(f)) for f in framework.families.all()],
        jobs=[JobRow(0, j.code, j.title, j.family.code, j.category, sorted(d.slug for d in j.directions.all()),
                     list(j.rome_codes), j.rime_code, j.cnfpt_code, j.esco_uri, j.description, case=case_source(j))
              for j in jobs],
        competencies=[CompetencyRow(0, c.code, c.label, c.kind, c.domain, c.parent.code if c.parent else "",
                                    c.description, c.status, c.replaced_by.code if c.replaced_by else "",
                                    c.esco_uri, c.pix_code, case=case_source(c)) for c in competencies],
        requirements=[RequirementRow(0, r.job.code, r.competency.code, r.level.code if r.level else "", r.essential,
                                     case=case_source(r)) for r in requirements],
    )
