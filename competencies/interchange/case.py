"""1EdTech CASE 1.0 packages (CFPackage: CFDocument, CFItems, CFAssociations, CFRubrics, CFDefinitions).

Mapping:
* the framework is the CFDocument; families, jobs and competencies are CFItems whose CFItemType says
  which (competencies carry their kind: "Savoir", "Savoir-faire", "Savoir-être");
* hierarchy is ``isChildOf`` (job -> family, competency -> parent, top items -> the document);
* an obsolete competency has a ``replacedBy`` association; an ESCO URI an ``exactMatchOf`` association
  to that URI;
* job requirements are ``isRelatedTo`` associations (job -> competency) grouped as "Exigence
  essentielle" or "Exigence optionnelle", with the required level in the association's extensions;
* the proficiency scale is one CFRubric whose single criterion's levels are the scale's levels.
What CASE has no field for (job category, directions, ROME, RIME and CNFPT codes, PIX code, domain)
travels in ``extensions`` (a CASE 1.1 addition that CASE 1.0 consumers ignore), so that an export
re-imports losslessly.

Identifiers are UUID v5 derived from the framework code and the item's code: stable across runs
and across versions of a framework.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .bundle import (
    BundleInvalid,
    CompetencyRow,
    FamilyRow,
    FrameworkBundle,
    FrameworkInfo,
    ImportProblem,
    JobRow,
    LevelRow,
    RequirementRow,
)

NAMESPACE = uuid.UUID("6f1e2d3c-9b8a-4c7d-8e6f-5a4b3c2d1e0f")  # this project's, for uuid5
EXT = "villeapp"
FAMILY_TYPE, JOB_TYPE = "Famille de métiers", "Métier"
KIND_TYPES = {"savoir": "Savoir", "savoir-faire": "Savoir-faire", "savoir-etre": "Savoir-être"}
TYPE_KINDS = {v: k for k, v in KIND_TYPES.items()}
GROUP_ESSENTIAL, GROUP_OPTIONAL = "Exigence essentielle", "Exigence optionnelle"


def case_id(framework_code: str, kind: str, code: str = "") -> str:
    return str(uuid.uuid5(NAMESPACE, f"{framework_code}/{kind}/{code}"))


def write_case(bundle: FrameworkBundle, *, base_url: str, changed: str) -> dict:
    """The CFPackage of ``bundle``. ``base_url`` is the framework's public URL; ``changed`` an ISO date-time."""
    info, fw = bundle.info, bundle.info.code
    doc_id = case_id(fw, "document", info.version)
    doc_link = {"title": info.title, "identifier": doc_id, "uri": base_url}

    def link(kind: str, code: str, title: str, path: str) -> dict:
        return {"title": title, "identifier": case_id(fw, kind, code), "uri": f"{base_url}/{path}/{code}"}

    def item(kind: str, code: str, statement: str, item_type: str, path: str, **extra) -> dict:
        return _compact({
            "identifier": case_id(fw, kind, code), "uri": f"{base_url}/{path}/{code}", "fullStatement": statement,
            "humanCodingScheme": code, "CFItemType": item_type,
            "CFItemTypeURI": {"title": item_type, "identifier": case_id(fw, "itemtype", item_type),
                              "uri": f"{base_url}#type-{case_id(fw, 'itemtype', item_type)}"},
            "language": info.language, "lastChangeDateTime": changed, "CFDocumentURI": doc_link, **extra,
        })

    families = {r.code: link("family", r.code, r.label, "families") for r in bundle.families}
    jobs = {r.code: link("job", r.code, r.title, "jobs") for r in bundle.jobs}
    comps = {r.code: link("competency", r.code, r.label, "competencies") for r in bundle.competencies}
    levels = {r.code: r for r in bundle.levels}

    items = [item("family", r.code, r.label, FAMILY_TYPE, "families", notes=r.description) for r in bundle.families]
    items += [item("job", r.code, r.title, JOB_TYPE, "jobs", notes=r.description, extensions={EXT: _compact({
        "category": r.category, "directions": r.directions, "romeCodes": r.rome_codes, "rimeCode": r.rime_code,
        "cnfptCode": r.cnfpt_code, "escoUri": r.esco_uri})}) for r in bundle.jobs]
    items += [item("competency", r.code, r.label, KIND_TYPES[r.kind], "competencies", notes=r.description,
                   conceptKeywords=[r.domain] if r.domain else [],
                   statusEndDate=changed[:10] if r.status == "obsolete" else None,
                   extensions={EXT: _compact({"domain": r.domain, "status": r.status, "pixCode": r.pix_code,
                                              "escoUri": r.esco_uri})}) for r in bundle.competencies]

    associations: list[dict] = []

    def associate(kind: str, origin: dict, destination: dict, key: str, grouping: str | None = None,
                  extensions: dict | None = None) -> None:
        identifier = case_id(fw, "association", f"{kind}/{key}")
        associations.append(_compact({
            "identifier": identifier, "uri": f"{base_url}#association-{identifier}", "associationType": kind,
            "originNodeURI": origin, "destinationNodeURI": destination, "lastChangeDateTime": changed,
            "CFDocumentURI": doc_link, "CFAssociationGroupingURI": grouping and {
                "title": grouping, "identifier": case_id(fw, "grouping", grouping),
                "uri": f"{base_url}#grouping-{case_id(fw, 'grouping', grouping)}"},
            "extensions": extensions,
        }))

    for r in bundle.families:
        associate("isChildOf", families[r.code], doc_link, f"family/{r.code}")
    for r in bundle.jobs:
        associate("isChildOf", jobs[r.code], families[r.family], f"job/{r.code}")
    for r in bundle.competencies:
        associate("isChildOf", comps[r.code], comps[r.parent] if r.parent else doc_link, f"competency/{r.code}")
        if r.replaced_by:
            associate("replacedBy", comps[r.code], comps[r.replaced_by], r.code)
        if r.esco_uri:
            associate("exactMatchOf", comps[r.code], {"title": "ESCO", "identifier": str(uuid.uuid5(
                uuid.NAMESPACE_URL, r.esco_uri)), "uri": r.esco_uri}, r.code)
    for r in bundle.requirements:
        associate("isRelatedTo", jobs[r.job], comps[r.competency], f"{r.job}/{r.competency}",
                  GROUP_ESSENTIAL if r.essential else GROUP_OPTIONAL, {EXT: {"level": r.level}})

    rubric_id = case_id(fw, "rubric", "scale")
    criterion_id = case_id(fw, "criterion", "scale")
    rubric = {
        "identifier": rubric_id, "uri": f"{base_url}/levels", "title": "Échelle de maîtrise",
        "description": "Niveaux de maîtrise du référentiel", "lastChangeDateTime": changed,
        "CFRubricCriteria": [{
            "identifier": criterion_id, "uri": f"{base_url}/levels#criterion", "category": "Maîtrise",
            "description": "Niveau de maîtrise d'une compétence", "rubricId": rubric_id, "position": 1,
            "lastChangeDateTime": changed,
            "CFRubricCriterionLevels": [_compact({
                "identifier": case_id(fw, "level", r.code), "uri": f"{base_url}/levels#{r.code}",
                "quality": r.label, "description": r.description, "score": r.rank, "position": r.rank,
                "feedback": r.code, "rubricCriterionId": criterion_id, "lastChangeDateTime": changed,
                "extensions": {EXT: {"code": r.code, "proficient": r.proficient}},
            }) for r in sorted(levels.values(), key=lambda r: r.rank)],
        }],
    }
    document = _compact({
        "identifier": doc_id, "uri": base_url, "creator": info.publisher or "Ville@pp Badges",
        "publisher": info.publisher, "title": info.title, "description": info.description,
        "version": info.version, "language": info.language, "adoptionStatus": "Adopted",
        "lastChangeDateTime": changed, "extensions": {EXT: {"code": info.code}},
        "CFPackageURI": {**doc_link, "uri": f"{base_url}?format=case"},
    })
    groupings = [{"identifier": case_id(fw, "grouping", g), "uri": f"{base_url}#grouping-{case_id(fw, 'grouping', g)}",
                  "title": g, "lastChangeDateTime": changed} for g in (GROUP_ESSENTIAL, GROUP_OPTIONAL)]
    item_types = sorted({i["CFItemType"] for i in items})
    return {
        "CFDocument": document, "CFItems": items, "CFAssociations": associations, "CFRubrics": [rubric],
        "CFDefinitions": {
            "CFItemTypes": [{"identifier": case_id(fw, "itemtype", t),
                             "uri": f"{base_url}#type-{case_id(fw, 'itemtype', t)}", "title": t, "description": t,
                             "hierarchyCode": t, "lastChangeDateTime": changed} for t in item_types],
            "CFAssociationGroupings": groupings,
        },
    }


def read_case(raw: bytes | dict) -> FrameworkBundle:
    """A bundle from a CFPackage (ours or another publisher's: unknown item types become competencies)."""
    try:
        package = raw if isinstance(raw, dict) else json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleInvalid([ImportProblem("package.json", 1, "", f"not JSON: {exc}")]) from exc
    problems: list[ImportProblem] = []
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise BundleInvalid([ImportProblem("package.json", 1, "CFDocument", "a CFPackage needs a CFDocument")])
    document = package["CFDocument"]
    ext = _ext(document)
    info = FrameworkInfo(1, ext.get("code") or _slug(document.get("title", "")), str(document.get("version") or "1"),
                         document.get("title", ""), document.get("description", ""),
                         document.get("publisher") or document.get("creator", ""), document.get("language") or "fr")

    by_id: dict[str, dict] = {}
    for index, item in enumerate(package.get("CFItems") or [], start=1):
        if not isinstance(item, dict) or not item.get("identifier"):
            problems.append(ImportProblem("CFItems", index, "identifier", "required"))
            continue
        by_id[item["identifier"]] = {**item, "_index": index}

    def code(identifier: str) -> str:
        item = by_id.get(identifier, {})
        return item.get("humanCodingScheme") or identifier

    parents: dict[str, str] = {}
    replaced: dict[str, str] = {}
    esco: dict[str, str] = {}
    requirements: list[RequirementRow] = []
    for index, assoc in enumerate(package.get("CFAssociations") or [], start=1):
        kind = assoc.get("associationType")
        origin = (assoc.get("originNodeURI") or {}).get("identifier")
        destination = assoc.get("destinationNodeURI") or {}
        if kind == "isChildOf" and destination.get("identifier") in by_id:
            parents[origin] = destination["identifier"]
        elif kind == "replacedBy":
            replaced[origin] = destination.get("identifier")
        elif kind == "exactMatchOf" and "esco" in str(destination.get("uri", "")):
            esco[origin] = destination["uri"]
        elif kind == "isRelatedTo" and _ext(assoc).get("level"):
            grouping = (assoc.get("CFAssociationGroupingURI") or {}).get("title")
            requirements.append(RequirementRow(index, code(origin), code(destination.get("identifier", "")),
                                               _ext(assoc)["level"], grouping != GROUP_OPTIONAL))

    families, jobs, competencies = [], [], []
    for identifier, item in by_id.items():
        item_type, e, line = item.get("CFItemType", ""), _ext(item), item["_index"]
        statement = item.get("fullStatement", "")
        if item_type == FAMILY_TYPE:
            families.append(FamilyRow(line, code(identifier), statement, item.get("notes", "")))
        elif item_type == JOB_TYPE:
            jobs.append(JobRow(line, code(identifier), statement, code(parents.get(identifier, "")),
                               e.get("category", ""), list(e.get("directions", [])), list(e.get("romeCodes", [])),
                               e.get("rimeCode", ""), e.get("cnfptCode", ""), e.get("escoUri", ""),
                               item.get("notes", "")))
        else:
            parent = parents.get(identifier)
            keywords = item.get("conceptKeywords") or []
            competencies.append(CompetencyRow(
                line, code(identifier), statement, TYPE_KINDS.get(item_type, "savoir-faire"),
                e.get("domain", keywords[0] if keywords else ""), code(parent) if parent else "",
                item.get("notes", ""), e.get("status") or ("obsolete" if item.get("statusEndDate") else "active"),
                code(replaced[identifier]) if identifier in replaced else "",
                e.get("escoUri") or esco.get(identifier, ""), e.get("pixCode", "")))

    levels = []
    for rubric in package.get("CFRubrics") or []:
        for criterion in rubric.get("CFRubricCriteria") or []:
            for index, level in enumerate(criterion.get("CFRubricCriterionLevels") or [], start=1):
                e = _ext(level)
                levels.append(LevelRow(index, int(level.get("position") or level.get("score") or index),
                                       e.get("code") or level.get("feedback") or str(index),
                                       level.get("quality", ""), bool(e.get("proficient", False)),
                                       level.get("description", "")))
            break  # one scale per framework: the first criterion of the first rubric
        break
    if problems:
        raise BundleInvalid(problems)
    return FrameworkBundle(info, levels, families, jobs, competencies, requirements)


def _ext(node: dict) -> dict:
    extensions = node.get("extensions") if isinstance(node, dict) else None
    value = extensions.get(EXT) if isinstance(extensions, dict) else None
    return value if isinstance(value, dict) else {}


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "framework"


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v not in (None, "", [], {})}
