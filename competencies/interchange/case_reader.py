"""Read any CASE 1.0 / 1.1 CFPackage into a framework bundle, as other CASE tools write them.

What real packages look like (OpenSALT, the CASE Network, state servers) and how each shape is read:

* no ``CFRubrics`` (most packages): a framework without a scale; requirements then carry no level;
* items without ``humanCodingScheme``, or with one that is repeated, too long or holds a ``/``: the code is
  the item's identifier and the original ``humanCodingScheme`` is kept and exported again verbatim;
* any ``CFItemType`` ("Standard", "Domain", "Cluster", "Competency", none at all): a competency, unless the
  type is named a job family or a job (``CaseOptions``, or ``extensions.villeapp.role`` on the type's
  ``CFDefinitions.CFItemTypes`` entry, or our own type titles);
* ``replacedBy``: the origin is superseded by the destination, whatever its status fields say;
* associations this model does not use (``isPartOf``, ``precedes``, ``isPeerOf``, ``exemplar``,
  ``hasSkillLevel``, ``exactMatchOf`` to something other than ESCO, extension types, several parents) are kept
  on the framework and exported again; ``CFDefinitions`` likewise;
* statements are kept verbatim (HTML, Markdown, line breaks); an empty ``fullStatement`` falls back to
  ``alternativeLabel`` or ``abbreviatedStatement`` (seen in the Texas frameworks);
* a node whose ``identifier`` is not an item of the package but whose ``uri`` is an absolute URI points
  outside the package (kept); a node whose ``uri`` is its identifier is looked up by identifier (seen in the
  CASE Network);
* unknown members (``@context``, ``type``, ``_opensalt``, ``associationSet``, ``CFDocumentURI``) are ignored.

A package that is not CASE is refused with every problem by JSON path (``CFItems[12].fullStatement``):
no ``CFDocument``, items without identifier, an ``isChildOf`` cycle, an association to an unknown item
that is not a URI, and everything ``bundle.validate`` finds in the rows read.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from .bundle import (
    KINDS,
    MAX_CODE,
    BundleInvalid,
    CompetencyRow,
    FamilyRow,
    FrameworkBundle,
    FrameworkInfo,
    ImportProblem,
    JobRow,
    LevelRow,
    RequirementRow,
    problem_order,
)
from .case_common import (
    EXT,
    FAMILY_TYPE,
    GROUP_OPTIONAL,
    JOB_TYPE,
    ROLE_COMPETENCY,
    ROLE_FAMILY,
    ROLE_JOB,
    TYPE_KINDS,
    ext,
)

# CASE fields of a CFItem kept as they were (exported again) although no column holds them.
KEPT_ITEM_FIELDS = ("CFItemType", "CFItemTypeURI", "alternativeLabel", "abbreviatedStatement", "listEnumeration",
                    "conceptKeywords", "conceptKeywordsURI", "educationLevel", "licenseURI", "language", "subject",
                    "subjectURI", "statusStartDate", "statusEndDate")
KEPT_DOCUMENT_FIELDS = ("creator", "officialSourceURL", "subject", "subjectURI", "adoptionStatus", "statusStartDate",
                        "statusEndDate", "licenseURI", "notes", "frameworkType", "caseVersion", "CFPackageURI")
ESCO_HOST = "data.europa.eu"


@dataclass(frozen=True)
class CaseOptions:
    """How to read a package whose item types are not ours (documented in docs/referentiel-case.md)."""

    family_types: tuple[str, ...] = ()  # CFItemType titles read as job families
    job_types: tuple[str, ...] = ()  # CFItemType titles read as jobs
    default_kind: str = "savoir-faire"  # the kind of a competency whose type names none
    code: str = ""  # the framework's code (default: our extension, else from the title)
    version: str = ""  # the framework's version (default: the CFDocument's, else "1")
    today: date | None = None  # an item whose statusEndDate is past is obsolete (default: today)


def read_case(raw: bytes | str | dict, *, options: CaseOptions | None = None) -> FrameworkBundle:
    """A bundle from a CFPackage. Raises ``BundleInvalid`` only for what is not a JSON object; the package's
    structural problems (``bundle.unparsed``) and the rows' own are all listed by ``bundle.validate``, by JSON
    path, and an import with any of them writes nothing."""
    return _Reader(options or CaseOptions()).read(raw)


def is_uri(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return (parts.scheme in ("http", "https") and bool(parts.netloc)) or (parts.scheme == "urn" and bool(parts.path))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())[:60].strip("-") or "framework"


class _Reader:
    def __init__(self, options: CaseOptions):
        self.options = options
        self.problems: list[ImportProblem] = []
        self.cyclic: set[str] = set()  # paths of the isChildOf associations on a cycle (reported, not followed)
        self.family_types = {t.casefold() for t in options.family_types}
        self.job_types = {t.casefold() for t in options.job_types}

    def bad(self, path: str, message: str) -> None:
        self.problems.append(ImportProblem.at(path, message))

    # -- the package ------------------------------------------------------------------------------------------
    def read(self, raw) -> FrameworkBundle:
        try:
            package = raw if isinstance(raw, dict) else json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise BundleInvalid([ImportProblem.at("CFPackage", f"not JSON: {exc}")]) from exc
        if not isinstance(package, dict):
            raise BundleInvalid([ImportProblem.at("CFPackage", "a CFPackage is a JSON object")])
        document = package.get("CFDocument")
        if not isinstance(document, dict):
            self.bad("CFDocument", "required: a CFPackage has one CFDocument (this is not a CASE package)")
            document = {}
        self.document_id = self._identifier(document, "CFDocument") if document else ""
        self.items = self._items(package.get("CFItems"))
        self.types = self._item_types(package.get("CFDefinitions"))
        associations = self._associations(package.get("CFAssociations"))
        self._cycles(associations)
        levels = self._levels(package.get("CFRubrics"))
        bundle = self._bundle(document, associations, levels, package.get("CFDefinitions"))
        # reported by bundle.validate together with the rows' own problems, so that every problem is listed
        bundle.unparsed = sorted(self.problems, key=problem_order)
        return bundle

    def _identifier(self, node: dict, path: str) -> str:
        value = node.get("identifier")
        if not isinstance(value, str) or not value.strip():
            self.bad(f"{path}.identifier", "required")
            return ""
        return value.strip()

    def _list(self, value, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(path, "must be an array")
            return []
        return value

    # -- items ------------------------------------------------------------------------------------------------
    def _items(self, raw) -> dict[str, dict]:
        """identifier (lower case) -> {"path", "item", "statement"}; every item has a usable identifier."""
        items: dict[str, dict] = {}
        self.by_uri: dict[str, str] = {}
        for index, item in enumerate(self._list(raw, "CFItems")):
            path = f"CFItems[{index}]"
            if not isinstance(item, dict):
                self.bad(path, "must be an object (a CFItem)")
                continue
            identifier = self._identifier(item, path)
            if not identifier:
                continue
            key = identifier.lower()
            if key in items or key == self.document_id.lower():
                self.bad(f"{path}.identifier", f"duplicate identifier {identifier!r} "
                         f"(also {items[key]['path'] if key in items else 'CFDocument'})")
                continue
            statement = item.get("fullStatement")
            if statement is not None and not isinstance(statement, str):
                self.bad(f"{path}.fullStatement", "must be a string")
                statement = ""
            if not (statement or "").strip():  # Texas: the statement is in alternativeLabel or abbreviatedStatement
                statement = next((v for v in (item.get("alternativeLabel"), item.get("abbreviatedStatement"))
                                  if isinstance(v, str) and v.strip()), "")
            items[key] = {"path": path, "item": item, "identifier": identifier, "statement": statement}
            if isinstance(item.get("uri"), str) and item["uri"]:
                self.by_uri.setdefault(item["uri"], key)
        return items

    def _item_types(self, definitions) -> dict[str, str]:
        """CFItemType identifier or title (folded) -> role, from CFDefinitions entries that declare one."""
        roles: dict[str, str] = {}
        if not isinstance(definitions, dict):
            return roles
        for definition in definitions.get("CFItemTypes") or []:
            if not isinstance(definition, dict):
                continue
            role = ext(definition).get("role")
            if role in (ROLE_FAMILY, ROLE_JOB, ROLE_COMPETENCY):
                for key in (definition.get("identifier"), definition.get("title")):
                    if isinstance(key, str) and key:
                        roles[key.casefold()] = role
        return roles

    def role(self, item: dict) -> str:
        item_type = item.get("CFItemType") if isinstance(item.get("CFItemType"), str) else ""
        folded = item_type.casefold()
        if folded and folded in self.family_types:
            return ROLE_FAMILY
        if folded and folded in self.job_types:
            return ROLE_JOB
        if ext(item).get("role") in (ROLE_FAMILY, ROLE_JOB, ROLE_COMPETENCY):  # our own exports say it per item
            return ext(item)["role"]
        type_link = item.get("CFItemTypeURI") if isinstance(item.get("CFItemTypeURI"), dict) else {}
        for key in (type_link.get("identifier"), item_type):
            if isinstance(key, str) and key.casefold() in self.types:
                return self.types[key.casefold()]
        return {FAMILY_TYPE: ROLE_FAMILY, JOB_TYPE: ROLE_JOB}.get(item_type, ROLE_COMPETENCY)

    # -- associations -----------------------------------------------------------------------------------------
    def _node(self, association: dict, name: str, path: str) -> tuple[str, str] | None:
        """("item", key) | ("document", id) | ("external", uri) for a node, or None (problem reported)."""
        node = association.get(name)
        if not isinstance(node, dict):
            self.bad(f"{path}.{name}", "required (a LinkGenURI: title, identifier, uri)")
            return None
        identifier = node.get("identifier") if isinstance(node.get("identifier"), str) else ""
        uri = node.get("uri") if isinstance(node.get("uri"), str) else ""
        if identifier.lower() in self.items:
            return "item", identifier.lower()
        if identifier and identifier.lower() == self.document_id.lower():
            return "document", identifier
        if uri in self.by_uri:
            return "item", self.by_uri[uri]
        if is_uri(uri):
            return "external", uri
        self.bad(f"{path}.{name}", f"unknown item {identifier or uri!r}: neither in CFItems nor a URI")
        return None

    def _associations(self, raw) -> list[dict]:
        out = []
        for index, association in enumerate(self._list(raw, "CFAssociations")):
            path = f"CFAssociations[{index}]"
            if not isinstance(association, dict):
                self.bad(path, "must be an object (a CFAssociation)")
                continue
            kind = association.get("associationType")
            if not isinstance(kind, str) or not kind:
                self.bad(f"{path}.associationType", "required")
                continue
            if kind == "RelatedTo":  # seen in the wild for isRelatedTo
                kind = "isRelatedTo"
                association = {**association, "associationType": kind}
            origin = self._node(association, "originNodeURI", path)
            destination = self._node(association, "destinationNodeURI", path)
            if origin is None or destination is None:
                continue
            sequence = association.get("sequenceNumber")
            out.append({"path": path, "kind": kind, "origin": origin, "destination": destination, "raw": association,
                        "sequence": sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else None})
        return out

    def _cycles(self, associations: list[dict]) -> None:
        """Every isChildOf between two items that lies on a cycle (Tarjan's strongly connected components)."""
        edges: dict[str, list[tuple[str, str]]] = {}
        for a in associations:
            if a["kind"] == "isChildOf" and a["origin"][0] == "item" and a["destination"][0] == "item":
                edges.setdefault(a["origin"][1], []).append((a["destination"][1], a["path"]))
        component = _strongly_connected(edges)
        for origin, targets in edges.items():
            for target, path in targets:
                if origin == target or (component[origin] == component[target]):
                    self.cyclic.add(path)
                    name = self.items[origin]["item"].get("humanCodingScheme") or self.items[origin]["identifier"]
                    self.bad(path, f"isChildOf cycle: {name!r} would be its own ancestor")

    # -- scale ------------------------------------------------------------------------------------------------
    def _levels(self, rubrics) -> list[LevelRow]:
        """The first criterion with levels of the first rubric that has one: the framework's scale."""
        for r, rubric in enumerate(self._list(rubrics, "CFRubrics")):
            criteria = rubric.get("CFRubricCriteria") if isinstance(rubric, dict) else None
            for c, criterion in enumerate(criteria if isinstance(criteria, list) else []):
                raw_levels = criterion.get("CFRubricCriterionLevels") if isinstance(criterion, dict) else None
                if not isinstance(raw_levels, list) or not raw_levels:
                    continue
                base = f"CFRubrics[{r}].CFRubricCriteria[{c}].CFRubricCriterionLevels"
                ordered = sorted((level for level in enumerate(raw_levels) if isinstance(level[1], dict)),
                                 key=lambda p: (_number(p[1].get("position")), _number(p[1].get("score")), p[0]))
                rows = []
                for rank, (index, level) in enumerate(ordered, start=1):
                    e = ext(level)
                    label = next((v for v in (level.get("quality"), level.get("description"))
                                  if isinstance(v, str) and v.strip()), f"Niveau {rank}")
                    rows.append(LevelRow(index, rank, str(e.get("code") or rank), label, bool(e.get("proficient")),
                                         level.get("description") if isinstance(level.get("description"), str)
                                         and level.get("description") != label else "",
                                         source=f"{base}[{index}]", source_fields={"label": "quality"}))
                return rows
        return []

    # -- rows -------------------------------------------------------------------------------------------------
    def _bundle(self, document: dict, associations: list[dict], levels: list[LevelRow], definitions) -> FrameworkBundle:
        options, doc_ext = self.options, ext(document)
        scale = [entry for entry in doc_ext.get("levels") or [] if isinstance(entry, dict)]
        if len(scale) == len(levels):  # our exports give each level's rank, code and proficiency on the document
            for level, entry in zip(levels, scale, strict=True):
                level.rank = entry["rank"] if isinstance(entry.get("rank"), int) else level.rank
                level.code = str(entry.get("code") or level.code)
                level.proficient = bool(entry.get("proficient", level.proficient))
        title = document.get("title") if isinstance(document.get("title"), str) else ""
        version = options.version or str(document.get("version") or "").strip() or "1"
        info = FrameworkInfo(0, options.code or doc_ext.get("code") or slug(title), version, title,
                             _text(document.get("description")), _text(document.get("publisher"))
                             or _text(document.get("creator")), _text(document.get("language")) or "fr",
                             source="CFDocument", source_fields={"code": "title", "version": "version"},
                             case=_kept(document, KEPT_DOCUMENT_FIELDS, identifier=self.document_id,
                                        uri=document.get("uri")))
        roles = {key: self.role(entry["item"]) for key, entry in self.items.items()}
        codes = self._codes(roles)

        # isChildOf: the first parent in package order (lowest sequenceNumber first); more parents are kept.
        parents: dict[str, dict] = {}
        for a in sorted((a for a in associations if a["kind"] == "isChildOf" and a["origin"][0] == "item"
                         and a["path"] not in self.cyclic),
                        key=lambda a: a["sequence"] if a["sequence"] is not None else 1 << 31):
            parents.setdefault(a["origin"][1], a)
        mapped: set[str] = {a["path"] for a in parents.values()} | self.cyclic
        replaced: dict[str, dict] = {}
        esco: dict[str, dict] = {}
        requirements: list[RequirementRow] = []
        for a in associations:
            (o_kind, origin), (d_kind, destination) = a["origin"], a["destination"]
            if o_kind != "item":
                continue
            if a["kind"] == "replacedBy" and roles[origin] == ROLE_COMPETENCY and origin not in replaced and (
                    d_kind == "external" or roles.get(destination) == ROLE_COMPETENCY):
                replaced[origin] = a
            elif (a["kind"] == "exactMatchOf" and d_kind == "external" and urlsplit(destination).netloc == ESCO_HOST
                  and origin not in esco):
                esco[origin] = a
            elif a["kind"] == "isRelatedTo" and d_kind == "item" and roles[origin] == ROLE_JOB \
                    and roles[destination] == ROLE_COMPETENCY:
                grouping = a["raw"].get("CFAssociationGroupingURI")
                grouping_title = grouping.get("title") if isinstance(grouping, dict) else None
                requirements.append(RequirementRow(
                    0, codes[origin], codes[destination], str(ext(a["raw"]).get("level") or ""),
                    grouping_title != GROUP_OPTIONAL, source=a["path"],
                    source_fields={"level": f"extensions.{EXT}.level", "competency": "destinationNodeURI"},
                    case=_link_case(a["raw"])))
            else:
                continue
            mapped.add(a["path"])
        info.case["associations"] = [a["raw"] for a in associations if a["path"] not in mapped]
        if isinstance(definitions, dict):
            info.case["definitions"] = {k: v for k, v in definitions.items() if isinstance(v, list) and v}

        today = (options.today or date.today()).isoformat()
        families, jobs, competencies = [], [], []
        for key, entry in self.items.items():
            item, path, role = entry["item"], entry["path"], roles[key]
            e, parent = ext(item), parents.get(key)
            parent_key = parent["destination"][1] if parent and parent["destination"][0] == "item" else None
            case = _kept(item, KEPT_ITEM_FIELDS, identifier=entry["identifier"], uri=item.get("uri"))
            hcs = item.get("humanCodingScheme")
            if (hcs if isinstance(hcs, str) else "") != codes[key]:
                case["humanCodingScheme"] = hcs if isinstance(hcs, str) else ""
            if parent:
                case["isChildOf"] = _link_case(parent["raw"])
            fields = {"label": "fullStatement", "title": "fullStatement", "code": "humanCodingScheme",
                      "parent": "isChildOf", "family": "isChildOf", "replaced_by": "replacedBy",
                      "domain": "conceptKeywords", "kind": "CFItemType"}
            common = {"source": path, "source_fields": fields, "case": case}
            description = _text(item.get("notes"))
            if role == ROLE_FAMILY:
                families.append(FamilyRow(0, codes[key], entry["statement"], description, **common))
            elif role == ROLE_JOB:
                family = codes[parent_key] if parent_key and roles[parent_key] == ROLE_FAMILY else ""
                jobs.append(JobRow(0, codes[key], entry["statement"], family, str(e.get("category", "")),
                                   _strings(e.get("directions")), _strings(e.get("romeCodes")),
                                   str(e.get("rimeCode", "")), str(e.get("cnfptCode", "")), str(e.get("escoUri", "")),
                                   description, **common))
            else:
                replacement = replaced.get(key)
                if replacement:
                    case["replacedBy"] = _link_case(replacement["raw"])
                    if replacement["destination"][0] == "external":
                        case["replacedBy"]["destination"] = replacement["destination"][1]
                if key in esco:
                    case["exactMatchOf"] = _link_case(esco[key]["raw"])
                end = item.get("statusEndDate")
                if replacement:  # CASE: replacedBy is how an item is declared superseded
                    status = "obsolete"
                elif e.get("status") in ("active", "obsolete"):
                    status = e["status"]
                else:
                    status = "obsolete" if isinstance(end, str) and end[:10] and end[:10] <= today else "active"
                keywords = _strings(item.get("conceptKeywords"))
                kind = e.get("kind") if e.get("kind") in KINDS else TYPE_KINDS.get(case.get("CFItemType", ""),
                                                                                    options.default_kind)
                competencies.append(CompetencyRow(
                    0, codes[key], entry["statement"], kind, str(e.get("domain") or (keywords[0] if keywords else "")),
                    codes[parent_key] if parent_key and roles[parent_key] == ROLE_COMPETENCY else "", description,
                    status, codes[replacement["destination"][1]] if replacement
                    and replacement["destination"][0] == "item" else "",
                    str(e.get("escoUri") or (esco[key]["destination"][1] if key in esco else "")),
                    str(e.get("pixCode", "")), **common))
        return FrameworkBundle(info, levels, families, jobs, competencies, requirements)

    def _codes(self, roles: dict[str, str]) -> dict[str, str]:
        """The humanCodingScheme where it can be a code (present, unique per kind of row, short, no "/"),
        else the identifier."""
        codes, seen = {}, set()
        for key, entry in self.items.items():
            hcs = entry["item"].get("humanCodingScheme")
            hcs = hcs.strip() if isinstance(hcs, str) else ""
            usable = hcs and len(hcs) <= MAX_CODE and "/" not in hcs and (roles[key], hcs) not in seen
            codes[key] = hcs if usable else entry["identifier"]
            seen.add((roles[key], codes[key]))
        return codes


def _strongly_connected(edges: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    """node -> component number (iterative Tarjan, so deep hierarchies do not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    nodes = set(edges) | {t for targets in edges.values() for t, _ in targets}
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                target = targets[i][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return component


def _kept(node: dict, names: tuple[str, ...], *, identifier: str, uri: Any) -> dict:
    kept = {name: node[name] for name in names if node.get(name) not in (None, "", [], {})}
    return {"identifier": identifier, "uri": uri if isinstance(uri, str) else "", **kept}


def _link_case(association: dict) -> dict:
    """What a mapped association needs to be exported again as it was: its identity and order."""
    return {k: association[k] for k in ("identifier", "uri", "sequenceNumber", "CFAssociationGroupingURI")
            if association.get(k) not in (None, "")}


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else float("inf")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if isinstance(v, str | int)] if isinstance(value, list) else []
