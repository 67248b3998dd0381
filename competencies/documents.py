"""Rows -> documents: CASE JSON of frameworks and items, and OB 3.0 alignments and result descriptions."""

from __future__ import annotations

from badges_service.openbadges import ob3

from . import identifiers
from .interchange.bundle import FrameworkBundle
from .interchange.case import write_case
from .models import AchievementAlignment, AchievementJobAlignment, Competency, Framework, Job, ProficiencyLevel
from .selectors import framework_bundle


def case_package(framework: Framework, *, bundle: FrameworkBundle | None = None, case_version: str = "1.1") -> dict:
    """The framework's CFPackage; ``case_version`` "1.0" for CASE 1.0 consumers (see ``write_case``)."""
    bundle = bundle or framework_bundle(framework=framework)
    return write_case(bundle, base_url=identifiers.framework_url(framework), changed=_changed(framework),
                      case_version=case_version)


def case_document(framework: Framework) -> dict:
    """The framework's CFDocument, as in its package, without reading its items."""
    info = framework_bundle(framework=framework, info_only=True)
    return write_case(info, base_url=identifiers.framework_url(framework), changed=_changed(framework))["CFDocument"]


def _changed(framework: Framework) -> str:
    return framework.updated_at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def case_item(item: Job | Competency) -> dict:
    """One CFItem (as in the framework's package), for content negotiation on the item's URL."""
    package = case_package(item.framework)
    wanted = identifiers.job_url(item) if isinstance(item, Job) else identifiers.competency_url(item)
    found = next(i for i in package["CFItems"] if i["uri"] == wanted)
    document = package["CFDocument"]
    # A CFItem on its own names its document (CASE CFItem.CFDocumentURI); inside a package it does not.
    return {**found, "CFDocumentURI": {"title": document["title"], "identifier": document["identifier"],
                                       "uri": document["uri"]}}


def ob3_alignments(alignments: list[AchievementAlignment]) -> list[ob3.Alignment]:
    """``targetType`` CFItem to our public URL (and to its publisher's, for a competency of an imported CASE
    framework), plus ESCO (and ROME, via jobs elsewhere) where known."""
    out: list[ob3.Alignment] = []
    for a in alignments:
        c = a.competency
        out.append(ob3.Alignment(target_name=c.label, target_url=identifiers.competency_url(c), target_type="CFItem",
                                 target_code=c.code, target_framework=c.framework.title,
                                 target_description=c.description or None))
        if c.case_uri.startswith(("https://", "http://")):  # where other services know the item
            out.append(ob3.Alignment(target_name=c.label, target_url=c.case_uri, target_type="CFItem",
                                     target_code=c.case_data.get("humanCodingScheme", c.code) or None,
                                     target_framework=c.framework.title))
        if c.esco_uri:
            out.append(ob3.Alignment(target_name=c.label, target_url=c.esco_uri, target_type="ext:ESCOSkill",
                                     target_framework="ESCO"))
        if c.pix_code:
            out.append(ob3.Alignment(target_name=c.label, target_url=identifiers.competency_url(c),
                                     target_type="ext:PixCompetence", target_code=c.pix_code,
                                     target_framework="Pix (CRCN)"))
    return out


ROME_FICHE_URL = "https://candidat.francetravail.fr/metierscope/fiche-metier/{code}"


def ob3_job_alignments(alignments: list[AchievementJobAlignment]) -> list[ob3.Alignment]:
    """The job as a CFItem, then each of its ROME codes (France Travail's job classification)."""
    out: list[ob3.Alignment] = []
    for a in alignments:
        job = a.job
        out.append(ob3.Alignment(target_name=job.title, target_url=identifiers.job_url(job), target_type="CFItem",
                                 target_code=job.code, target_framework=job.framework.title))
        out.extend(ob3.Alignment(target_name=job.title, target_url=ROME_FICHE_URL.format(code=code),
                                 target_type="ext:ROME", target_code=code, target_framework="ROME (France Travail)")
                   for code in job.rome_codes)
        if job.esco_uri:
            out.append(ob3.Alignment(target_name=job.title, target_url=job.esco_uri, target_type="ext:ESCOOccupation",
                                     target_framework="ESCO"))
    return out


def result_description_id(achievement_url: str, framework: Framework) -> str:
    return f"{achievement_url}#niveaux-{framework.code}"


def ob3_result_descriptions(achievement_url: str, alignments: list[AchievementAlignment]) -> list[dict]:
    """OB 3.0 §B.1.20: one ``RubricCriterionLevel`` result description per framework scale used."""
    frameworks = {a.competency.framework_id: a for a in alignments}
    out = []
    for alignment in frameworks.values():
        framework = alignment.competency.framework
        levels = list(framework.levels.all())
        out.append(ob3.compact({
            "id": result_description_id(achievement_url, framework),
            "type": ["ResultDescription"],
            "name": f"Niveau de maîtrise ({framework.title})",
            "resultType": "RubricCriterionLevel",
            "requiredLevel": identifiers.level_url(alignment.level) if alignment.level else None,
            "rubricCriterionLevel": [ob3.compact({
                "id": identifiers.level_url(lv), "type": ["RubricCriterionLevel"], "name": lv.label,
                "description": lv.description, "level": str(lv.rank),
            }) for lv in levels],
        }))
    return out


def ob3_result(achievement_url: str, level: ProficiencyLevel) -> dict:
    return {"type": ["Result"], "resultDescription": result_description_id(achievement_url, level.framework),
            "achievedLevel": identifiers.level_url(level)}
