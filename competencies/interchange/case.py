"""1EdTech CASE packages (CFPackage: CFDocument, CFItems, CFAssociations, CFRubrics, CFDefinitions).

Mapping:
* the framework is the CFDocument; families, jobs and competencies are CFItems whose CFItemType says
  which (competencies carry their kind: "Savoir", "Savoir-faire", "Savoir-être");
* hierarchy is ``isChildOf`` (job -> family, competency -> parent, top items -> the document);
* an obsolete competency has a ``replacedBy`` association; an ESCO URI an ``exactMatchOf`` association
  to that URI;
* job requirements are ``isRelatedTo`` associations (job -> competency) grouped as "Exigence
  essentielle" or "Exigence optionnelle", with the required level in the association's extensions;
* the proficiency scale, when the framework has one, is one CFRubric whose single criterion's levels are the
  scale's levels.
What CASE has no field for (job category, directions, ROME, RIME and CNFPT codes, PIX code, domain, kind)
travels in ``extensions`` (a CASE 1.1 addition that CASE 1.0 consumers ignore), so that an export
re-imports losslessly. A framework imported from another publisher's package keeps its identifiers, its
original ``humanCodingScheme``, item types, unused associations and definitions (see ``case_reader``).

Identifiers of items created here are UUID v5 derived from the framework code and the item's code: stable
across runs and across versions of a framework. Every package written validates against the bundled CASE 1.1
CFPackage schema (``case_schema``).
"""

from __future__ import annotations

import re
from typing import Any

from .bundle import FrameworkBundle
from .case_common import (
    EXT,
    FAMILY_TYPE,
    GROUP_ESSENTIAL,
    GROUP_OPTIONAL,
    JOB_TYPE,
    KIND_TYPES,
    ROLE_COMPETENCY,
    ROLE_FAMILY,
    ROLE_JOB,
    as_uuid,
    case_id,
)
from .case_reader import CaseOptions, read_case

__all__ = ["CaseOptions", "case_id", "read_case", "write_case"]

_LINK_KEYS = ("title", "identifier", "uri")
ASSOCIATION_TYPES = ("isChildOf", "isPeerOf", "isPartOf", "exactMatchOf", "precedes", "isRelatedTo", "replacedBy",
                     "exemplar", "hasSkillLevel", "isTranslationOf")  # CASE 1.1; others are "ext:" extensions
ASSOCIATION_TYPES_1_0 = ASSOCIATION_TYPES[:-1]
_ITEM_LISTS = ("conceptKeywords", "educationLevel", "subject")  # arrays of strings in CASE 1.1 (strings in 1.0)


def write_case(bundle: FrameworkBundle, *, base_url: str, changed: str, case_version: str = "1.1") -> dict:
    """The CFPackage of ``bundle``. ``base_url`` is the framework's public URL; ``changed`` an ISO date-time.
    ``case_version`` "1.0" (the /ims/case/v1p0 binding) leaves out what CASE 1.0 consumers refuse: kept
    associations of a type CASE 1.0 does not know (``isTranslationOf``, ``ext:`` types) and ``targetType``."""
    info, fw = bundle.info, bundle.info.code
    doc_id = as_uuid(info.case.get("identifier"), case_id(fw, "document", info.version))
    doc_link = {"title": info.title, "identifier": doc_id, "uri": base_url}
    ids: dict[tuple[str, str], str] = {}

    def identify(kind: str, row) -> str:
        ids[kind, row.code] = as_uuid(row.case.get("identifier"), case_id(fw, kind, row.code))
        return ids[kind, row.code]

    def link(kind: str, code: str, title: str, path: str) -> dict:
        return {"title": title, "identifier": ids[kind, code], "uri": f"{base_url}/{path}/{code}"}

    def type_link(title: str) -> dict:
        identifier = case_id(fw, "itemtype", title)
        return {"title": title, "identifier": identifier, "uri": f"{base_url}#type-{identifier}"}

    item_types: dict[str, dict] = {}  # title -> CFItemType definition

    def item(kind: str, row, statement: str, our_type: str, role: str, path: str, **extra) -> dict:
        case = row.case
        item_type = case.get("CFItemType") if isinstance(case.get("CFItemType"), str) else our_type
        type_uri = _link(case.get("CFItemTypeURI")) or type_link(item_type)
        item_types.setdefault(item_type, {
            "identifier": type_uri["identifier"], "uri": type_uri["uri"], "title": item_type,
            "description": item_type, "hierarchyCode": item_type, "lastChangeDateTime": changed})
        # what the item is here travels on the item (CASE 1.0 consumers such as OpenSALT refuse extensions on
        # CFItemType definitions)
        extensions = {EXT: {"role": role, **extra.pop("extensions", {}).get(EXT, {})}}
        kept = {name: _string_list(case[name]) if name in _ITEM_LISTS else case[name]
                for name in ("alternativeLabel", "abbreviatedStatement", "listEnumeration", "conceptKeywords",
                             "educationLevel", "language", "subject", "statusStartDate", "statusEndDate")
                if case.get(name) not in (None, "", [])}
        for name in ("conceptKeywordsURI", "licenseURI"):
            if _link(case.get(name)):
                kept[name] = _link(case[name])
        if isinstance(case.get("subjectURI"), list):
            kept["subjectURI"] = [link for link in map(_link, case["subjectURI"]) if link]
        for name in ("statusStartDate", "statusEndDate"):
            if name in kept:
                kept[name] = str(kept[name])[:10]
        return _compact({
            "identifier": ids[kind, row.code], "uri": f"{base_url}/{path}/{row.code}", "fullStatement": statement,
            "humanCodingScheme": case.get("humanCodingScheme", row.code), "CFItemType": item_type,
            "CFItemTypeURI": type_uri, "language": info.language, "lastChangeDateTime": changed,
            **kept, **extra, "extensions": extensions,
        })

    for kind, rows in (("family", bundle.families), ("job", bundle.jobs), ("competency", bundle.competencies)):
        for row in rows:
            identify(kind, row)
    families = {r.code: link("family", r.code, r.label, "families") for r in bundle.families}
    jobs = {r.code: link("job", r.code, r.title, "jobs") for r in bundle.jobs}
    comps = {r.code: link("competency", r.code, r.label, "competencies") for r in bundle.competencies}

    items = [item("family", r, r.label, FAMILY_TYPE, ROLE_FAMILY, "families", notes=r.description)
             for r in bundle.families]
    items += [item("job", r, r.title, JOB_TYPE, ROLE_JOB, "jobs", notes=r.description, extensions={EXT: _compact({
        "category": r.category, "directions": r.directions, "romeCodes": r.rome_codes, "rimeCode": r.rime_code,
        "cnfptCode": r.cnfpt_code, "escoUri": r.esco_uri})}) for r in bundle.jobs]
    items += [item("competency", r, r.label, KIND_TYPES[r.kind], ROLE_COMPETENCY, "competencies",
                   notes=r.description, conceptKeywords=r.case.get("conceptKeywords") or ([r.domain] if r.domain
                                                                                          else []),
                   statusEndDate=str(r.case.get("statusEndDate") or (changed if r.status == "obsolete" else ""))[:10],
                   extensions={EXT: _compact({"kind": r.kind, "domain": r.domain, "status": r.status,
                                              "pixCode": r.pix_code, "escoUri": r.esco_uri})})
              for r in bundle.competencies]

    associations: list[dict] = []

    def associate(kind: str, origin: dict, destination: dict, key: str, kept: dict | None = None,
                  grouping: str | None = None, extensions: dict | None = None) -> None:
        kept = kept or {}
        identifier = as_uuid(kept.get("identifier"), case_id(fw, "association", f"{kind}/{key}"))
        associations.append(_compact({
            "identifier": identifier, "uri": f"{base_url}#association-{identifier}", "associationType": kind,
            "originNodeURI": origin, "destinationNodeURI": destination, "lastChangeDateTime": changed,
            "sequenceNumber": kept.get("sequenceNumber") if isinstance(kept.get("sequenceNumber"), int) else None,
            "CFAssociationGroupingURI": _link(kept.get("CFAssociationGroupingURI")) or (grouping and {
                "title": grouping, "identifier": case_id(fw, "grouping", grouping),
                "uri": f"{base_url}#grouping-{case_id(fw, 'grouping', grouping)}"}),
            "extensions": extensions,
        }))

    for r in bundle.families:
        associate("isChildOf", families[r.code], doc_link, f"family/{r.code}", r.case.get("isChildOf"))
    for r in bundle.jobs:
        associate("isChildOf", jobs[r.code], families[r.family], f"job/{r.code}", r.case.get("isChildOf"))
    for r in bundle.competencies:
        associate("isChildOf", comps[r.code], comps[r.parent] if r.parent else doc_link, f"competency/{r.code}",
                  r.case.get("isChildOf"))
        replaced = r.case.get("replacedBy") or {}
        if r.replaced_by or replaced.get("destination"):
            destination = comps[r.replaced_by] if r.replaced_by else _node(replaced["destination"])
            associate("replacedBy", comps[r.code], destination, r.code, replaced)
        if r.esco_uri:
            associate("exactMatchOf", comps[r.code], _node(r.esco_uri, "ESCO"), r.code, r.case.get("exactMatchOf"))
    for r in bundle.requirements:
        associate("isRelatedTo", jobs[r.job], comps[r.competency], f"{r.job}/{r.competency}", r.case,
                  GROUP_ESSENTIAL if r.essential else GROUP_OPTIONAL, {EXT: {"level": r.level}} if r.level else None)
    # the nodes of kept associations that are this package's items or document: named as exported here
    links: dict[str, dict] = {}
    for rows, table in ((bundle.families, families), (bundle.jobs, jobs), (bundle.competencies, comps),
                        ([info], {info.code: doc_link})):
        for r in rows:
            for key in (r.case.get("identifier"), r.case.get("uri")):
                if isinstance(key, str) and key:
                    links[key.lower()] = table[r.code]
    associations += [kept for kept in map(lambda a: _kept_association(a, changed, links),
                                          info.case.get("associations", []))
                     if kept and (case_version != "1.0" or kept["associationType"] in ASSOCIATION_TYPES_1_0)]
    if case_version == "1.0":
        for association in associations:
            for name in ("originNodeURI", "destinationNodeURI"):
                association[name].pop("targetType", None)

    document = _compact({
        "identifier": doc_id, "uri": base_url, "creator": info.case.get("creator") or info.publisher
        or "Ville@pp Badges", "publisher": info.publisher, "title": info.title, "description": info.description,
        "version": info.version, "language": info.language, "adoptionStatus": info.case.get("adoptionStatus")
        or "Adopted", "lastChangeDateTime": changed, "notes": info.case.get("notes"),
        "officialSourceURL": info.case.get("officialSourceURL") if isinstance(info.case.get("officialSourceURL"),
                                                                               str) else None,
        "licenseURI": _link(info.case.get("licenseURI")), "frameworkType": info.case.get("frameworkType"),
        "subject": _string_list(info.case.get("subject")),
        "subjectURI": [link for link in map(_link, info.case.get("subjectURI") or []) if link]
        if isinstance(info.case.get("subjectURI"), list) else None,
        "statusStartDate": str(info.case.get("statusStartDate") or "")[:10],
        "statusEndDate": str(info.case.get("statusEndDate") or "")[:10],
        # the scale's level codes and proficiency: on the document, since CASE 1.0 consumers (OpenSALT) refuse
        # extensions on rubric levels
        "extensions": {EXT: _compact({"code": info.code, "levels": [
            {"rank": r.rank, "code": r.code, "proficient": r.proficient}
            for r in sorted(bundle.levels, key=lambda r: r.rank)]})},
    })
    definitions = _definitions(info.case.get("definitions") or {}, changed)
    known_types = {d["title"] for d in definitions.get("CFItemTypes", [])}
    definitions["CFItemTypes"] = [*definitions.get("CFItemTypes", []),
                                  *(d for t, d in sorted(item_types.items()) if t not in known_types)]
    groupings = [{"identifier": case_id(fw, "grouping", g), "uri": f"{base_url}#grouping-{case_id(fw, 'grouping', g)}",
                  "title": g, "lastChangeDateTime": changed} for g in (GROUP_ESSENTIAL, GROUP_OPTIONAL)]
    known_groupings = {d["identifier"] for d in definitions.get("CFAssociationGroupings", [])}
    definitions["CFAssociationGroupings"] = [*definitions.get("CFAssociationGroupings", []),
                                             *(g for g in groupings if g["identifier"] not in known_groupings)]
    package = {"CFDocument": document, "CFItems": items, "CFAssociations": associations,
               "CFDefinitions": definitions}
    if bundle.levels:
        package["CFRubrics"] = [_rubric(bundle, base_url, changed)]
    return package


def _rubric(bundle: FrameworkBundle, base_url: str, changed: str) -> dict:
    fw = bundle.info.code
    rubric_id = case_id(fw, "rubric", "scale")
    criterion_id = case_id(fw, "criterion", "scale")
    return {
        "identifier": rubric_id, "uri": f"{base_url}/levels", "title": "Échelle de maîtrise",
        "description": "Niveaux de maîtrise du référentiel", "lastChangeDateTime": changed,
        "CFRubricCriteria": [{
            "identifier": criterion_id, "uri": f"{base_url}/levels#criterion", "category": "Maîtrise",
            "description": "Niveau de maîtrise d'une compétence", "rubricId": rubric_id, "position": 1,
            "lastChangeDateTime": changed,
            "CFRubricCriterionLevels": [_compact({
                "identifier": case_id(fw, "level", r.code), "uri": f"{base_url}/levels#{r.code}",
                "quality": r.label, "description": r.description, "score": r.rank, "position": r.rank,
                "rubricCriterionId": criterion_id, "lastChangeDateTime": changed,
            }) for r in sorted(bundle.levels, key=lambda r: r.rank)],
        }],
    }


def _link(value: Any) -> dict | None:
    """A LinkURI (title, UUID identifier, uri) from a kept one, or None when it is not usable."""
    if not isinstance(value, dict) or not isinstance(value.get("uri"), str) or not value["uri"]:
        return None
    title = value.get("title") if isinstance(value.get("title"), str) else ""
    return {"title": title, "identifier": as_uuid(value.get("identifier"), as_uuid(value["uri"], "")),
            "uri": value["uri"]}


def _node(uri: str, title: str = "") -> dict:
    """A LinkGenURI to something outside the package (an ESCO skill, another framework's item)."""
    return {"title": title or uri, "identifier": as_uuid(uri, ""), "uri": uri}


def _kept_association(raw: dict, changed: str, links: dict[str, dict]) -> dict | None:
    """An association of the source package this model does not use, exported as it came (CASE 1.1 shape);
    ``links``: how this package names its own items and document, by their source identifier or URI."""
    nodes = {}
    for name in ("originNodeURI", "destinationNodeURI"):
        node = raw.get(name)
        if not isinstance(node, dict) or not isinstance(node.get("uri"), str):
            return None
        ours = links.get(str(node.get("identifier") or "").lower()) or links.get(node["uri"].lower())
        nodes[name] = dict(ours) if ours else {k: str(node.get(k) or "") for k in _LINK_KEYS}
        if isinstance(node.get("targetType"), str) and node["targetType"]:
            nodes[name]["targetType"] = node["targetType"]
    identifier = as_uuid(raw.get("identifier"), "")
    kind = str(raw.get("associationType"))
    if kind not in ASSOCIATION_TYPES and not re.fullmatch(r"ext:[A-Za-z0-9._-]+", kind):
        kind = "ext:" + re.sub(r"[^A-Za-z0-9._-]", "-", kind)  # an unknown type travels as an extension type
    return _compact({
        "identifier": identifier, "uri": raw.get("uri") if isinstance(raw.get("uri"), str) else f"#{identifier}",
        "associationType": kind, **nodes,
        "sequenceNumber": raw.get("sequenceNumber") if isinstance(raw.get("sequenceNumber"), int) else None,
        "CFAssociationGroupingURI": _link(raw.get("CFAssociationGroupingURI")), "lastChangeDateTime": changed,
        "notes": raw.get("notes") if isinstance(raw.get("notes"), str) else None,
    })


# The members each kept definition may have in CASE 1.1, and those it must have.
_DEFINITION_FIELDS = {
    "CFItemTypes": (("title", "description", "hierarchyCode", "typeCode"), ("title", "description", "hierarchyCode")),
    "CFAssociationGroupings": (("title", "description"), ("title",)),
    "CFSubjects": (("title", "description", "hierarchyCode"), ("title", "hierarchyCode")),
    "CFConcepts": (("title", "keywords", "description", "hierarchyCode"), ("title", "hierarchyCode")),
    "CFLicenses": (("title", "description", "licenseText"), ("title", "licenseText")),
}


def _definitions(kept: dict, changed: str) -> dict:
    out: dict[str, list] = {}
    for name, (allowed, required) in _DEFINITION_FIELDS.items():
        rows = []
        for raw in kept.get(name) or []:
            if not isinstance(raw, dict) or not isinstance(raw.get("title"), str):
                continue
            row = {k: str(raw[k]) for k in allowed if raw.get(k) is not None}
            for k in required:
                row.setdefault(k, raw["title"])
            identifier = as_uuid(raw.get("identifier"), as_uuid(raw["title"], ""))
            row.update({"identifier": identifier, "uri": raw["uri"] if isinstance(raw.get("uri"), str)
                        and raw["uri"] else f"#{identifier}", "lastChangeDateTime": changed})
            rows.append(row)
        if rows:
            out[name] = rows
    return out


def _string_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()] or None
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)] or None
    return None


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v not in (None, "", [], {})}
