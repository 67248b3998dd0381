"""Writes for the référentiel: framework import (atomic). (Aligning an achievement to the référentiel is the
issuer's write: ``issuers.alignments``.)"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, ProtectedError

from badges_service.errors import ApplicationError, Conflict

from .interchange.bundle import BundleInvalid, FrameworkBundle, LevelRow, validate
from .models import (
    Competency,
    Framework,
    Job,
    JobFamily,
    JobRequirement,
    ProficiencyLevel,
)


@transaction.atomic
def framework_import(*, bundle: FrameworkBundle, replace: bool = False, scale: Framework | None = None) -> Framework:
    """Create (or, with ``replace``, update in place) a framework from a bundle. All or nothing:
    ``BundleInvalid`` lists every problem and nothing is written. ``scale``: a framework whose proficiency
    scale this one takes (instead of the bundle's, typically none for a CASE package without rubric)."""
    if scale is not None:
        bundle.levels = [LevelRow(0, lv.rank, lv.code, lv.label, lv.proficient, lv.description)
                         for lv in scale.levels.all()]
    directions = set(_directions().objects.values_list("slug", flat=True))
    problems = validate(bundle, known_directions=directions)
    if problems:
        raise BundleInvalid(problems)
    info = bundle.info
    framework = Framework.objects.select_for_update().filter(code=info.code, version=info.version).first()
    if framework and not replace:
        raise Conflict(f"Framework {info.code} version {info.version} already exists; import a new version "
                       "or replace it.", code="framework_exists")
    if framework is None:
        framework = Framework(code=info.code, version=info.version)
    for name in ("title", "description", "publisher", "language"):
        setattr(framework, name, getattr(info, name))
    framework.case_identifier, framework.case_uri, framework.case_data = _case_columns(info.case)
    others = Framework.objects.exclude(code=info.code, version=info.version)
    if framework.case_identifier and others.filter(case_identifier__iexact=framework.case_identifier).exists():
        # One CFDocument identifier per framework version: another version of the same package gets its own
        # (derived) identifier, so /ims/case/v1p0/CFPackages/<id> stays unambiguous.
        framework.case_identifier = ""
    framework.save()

    levels = _upsert(framework, ProficiencyLevel, "code", {
        r.code: {"rank": r.rank, "label": r.label, "proficient": r.proficient, "description": r.description}
        for r in bundle.levels}, temporary_ranks=True)
    families = _upsert(framework, JobFamily, "code", {
        r.code: {"label": r.label, "description": r.description, **_case_fields(r.case)} for r in bundle.families})
    JobRequirement.objects.filter(job__framework=framework).delete()
    competencies = _upsert(framework, Competency, "code", {
        r.code: {"label": r.label, "kind": r.kind, "domain": r.domain, "description": r.description,
                 "status": r.status, "esco_uri": r.esco_uri, "pix_code": r.pix_code, "parent": None,
                 "replaced_by": None, **_case_fields(r.case)} for r in bundle.competencies})
    for row in bundle.competencies:
        competency = competencies[row.code]
        competency.parent = competencies.get(row.parent)
        competency.replaced_by = competencies.get(row.replaced_by)
    Competency.objects.bulk_update(competencies.values(), ["parent", "replaced_by"], batch_size=1000)
    jobs = _upsert(framework, Job, "code", {
        r.code: {"title": r.title, "family": families[r.family], "category": r.category, "rome_codes": r.rome_codes,
                 "rime_code": r.rime_code, "cnfpt_code": r.cnfpt_code, "esco_uri": r.esco_uri,
                 "description": r.description, **_case_fields(r.case)} for r in bundle.jobs})
    issuers = {i.slug: i for i in _directions().objects.filter(slug__in={s for r in bundle.jobs for s in r.directions})}
    Through = Job.directions.through
    Through.objects.filter(job__framework=framework).delete()
    Through.objects.bulk_create([Through(job=jobs[r.code], issuer=issuers[slug])
                                 for r in bundle.jobs for slug in dict.fromkeys(r.directions)], batch_size=2000)
    JobRequirement.objects.bulk_create([
        JobRequirement(job=jobs[r.job], competency=competencies[r.competency], level=levels.get(r.level),
                       essential=r.essential, **_case_fields(r.case)) for r in bundle.requirements], batch_size=2000)
    return framework


def _case_columns(case: dict) -> tuple[str, str, dict]:
    """A row's CASE identity and kept CASE fields (``Row.case``) as the three CaseSourced columns."""
    kept = {k: v for k, v in case.items() if k not in ("identifier", "uri")}
    return str(case.get("identifier") or ""), str(case.get("uri") or ""), kept


def _case_fields(case: dict) -> dict:
    return dict(zip(("case_identifier", "case_uri", "case_data"), _case_columns(case), strict=True))


def _upsert(framework: Framework, model, key: str, wanted: dict[str, dict], temporary_ranks: bool = False) -> dict:
    """Make the framework's rows of ``model`` exactly ``wanted`` (by code); return code -> row."""
    existing = {getattr(o, key): o for o in model.objects.filter(framework=framework)}
    stale = [o.pk for code, o in existing.items() if code not in wanted]
    if stale:
        try:
            model.objects.filter(pk__in=stale).delete()
        except ProtectedError as exc:
            raise ApplicationError(f"Cannot remove {model._meta.verbose_name_plural} still in use: "
                                   f"{', '.join(str(o) for o in list(exc.protected_objects)[:5])}.",
                                   code="item_in_use") from exc
    if temporary_ranks and existing:
        # ranks are unique per framework: move kept rows out of the way before reordering
        model.objects.filter(framework=framework).update(rank=F("id") + 10000)
    rows, new = {}, []
    for code, values in wanted.items():
        obj = existing.get(code) or model(framework=framework, **{key: code})
        for name, value in values.items():
            setattr(obj, name, value)
        rows[code] = obj
        if obj.pk is None:
            new.append(obj)
    kept = [o for o in rows.values() if o.pk is not None]
    if kept:
        fields = [f for f in next(iter(wanted.values())) if f not in ("parent", "replaced_by")]
        model.objects.bulk_update(kept, fields, batch_size=1000)
    model.objects.bulk_create(new, batch_size=1000)
    return rows


def _directions():
    """The model of the directions a job belongs to (the issuers' ``Issuer``), through the référentiel's own
    relation: this floor names no app above it."""
    return Job._meta.get_field("directions").related_model
