"""Reusing RDFC-1.0 work across documents of the same shape (the fast path of ``rdfc.canonicalize``).

A campaign signs thousands of credentials that differ only in a few strings (ids, names, dates, hashes); a
verifier sees the same shapes again and again. JSON-LD's expansion and conversion to RDF depend on a
document's keys, its ``type`` values, its contexts and its non-string values, not on its other strings,
provided each such string lands where a stand-in would land. So:

1. **Shape.** Every string of the document, except under ``@context``, ``type`` and other keys that start
   with ``@`` (besides ``@id`` and ``@value``), and except strings that are terms of a bundled context
   (``assertionMethod``), is replaced by a unique stand-in IRI ("slot"). The result, serialised, is the
   shape's key.
2. **Template.** The shape document goes once through the general path (pyld, safe mode, bundled contexts
   only) to an RDF dataset, in which each slot must appear verbatim, as a whole IRI or a whole literal value,
   and nowhere else (never in a predicate, a datatype or a language); otherwise the shape is marked
   ineligible and every document of that shape takes the general path.
3. **Fill.** The document's strings replace their slots. A string that stood in an IRI position is accepted
   only if pyld would have kept it verbatim there: an absolute IRI (pyld's own test) that is neither a term
   nor ``prefix:suffix`` with a prefix defined by any bundled context (``https://...`` always qualifies).
   Anything else returns None and the caller takes the general path. Quads made equal by the fill (one node
   written twice, as the issuer and the achievement's creator) are kept once, as JSON-LD's node map does.
4. **Canonical labels.** RDFC-1.0 §4.4 steps 1-5 with Hash First Degree Quads (§4.6). When two blank nodes
   share a first-degree hash, the N-degree algorithm would be needed: None, the general path does it.

Only documents whose every ``@context`` is a bundled URL (or a list of them) are eligible, so the set of
terms that could turn an IRI into something else is known in advance. The N-Quads are written exactly as
pyld 2.0.4 writes them (same escapes), so both paths give identical bytes; tests/openbadges/test_rdfc_fast_path
checks that on our credentials, on mutations of them and on the spec vectors.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from pyld.jsonld import RDF_LANGSTRING, XSD_STRING, _is_absolute_iri

from . import contexts

# A fresh random prefix per process: no document can contain it by chance or on purpose.
_SLOT = f"urn:x-rdfc-slot:{uuid.uuid4().hex}:"
_LITERAL_KEYS = frozenset({"type"})  # besides "@..." keys: their values select type-scoped contexts

_BLANK, _IRI, _LITERAL = 0, 1, 2


@cache
def _bundled_terms() -> frozenset[str]:
    """Every term any bundled context (or a context scoped inside one) defines."""
    return frozenset(term for ctx in contexts.context_objects() for term in ctx if not term.startswith("@"))


def _iri_kept_verbatim(value: str) -> bool:
    """Whether pyld's IRI expansion returns ``value`` unchanged under any bundled context (see module doc)."""
    if not _is_absolute_iri(value) or value.startswith("_:"):
        return False
    terms = _bundled_terms()
    if value in terms:
        return False
    prefix, suffix = value.split(":", 1)
    return suffix.startswith("//") or prefix not in terms


def _bundled_context(value: Any) -> bool:
    if isinstance(value, str):
        return contexts.is_bundled(value)
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, str) and contexts.is_bundled(v) for v in value)


class _Ineligible(Exception):
    pass


def shape(document: dict) -> tuple[str, list[str]] | None:
    """(the shape's key, the strings its slots stand for, in order), or None if the document is not eligible."""
    values: list[str] = []
    terms = _bundled_terms()

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            if node in terms:  # e.g. "assertionMethod" under a @vocab-typed term: it expands to an IRI
                return node
            if _SLOT in node:
                raise _Ineligible
            values.append(node)
            return f"{_SLOT}{len(values) - 1}"
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "@context":
                    if not _bundled_context(value):
                        raise _Ineligible
                    out[key] = value
                elif key in _LITERAL_KEYS or (key.startswith("@") and key not in ("@id", "@value")):
                    if key == "@index":  # conflicting indexes of one node are an error that depends on ids
                        raise _Ineligible
                    out[key] = value
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    try:
        shaped = walk(document)
        key = json.dumps(shaped, ensure_ascii=False, check_circular=False, separators=(",", ":"))
    except (_Ineligible, TypeError, ValueError):
        return None
    return key, values


def _slot_of(text: str) -> int | None:
    if text.startswith(_SLOT):
        rest = text[len(_SLOT):]
        if rest.isdigit():
            return int(rest)
    return None


def _escape(text: str) -> str:
    """pyld 2.0.4's N-Quads literal escapes (JsonLdProcessor.to_nquad), and no others."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
            .replace('"', '\\"'))


class Template:
    """A shape's RDF dataset with slots. Terms are (kind, text, slot, suffix): ``text`` is the rendered term
    when ``slot`` is None, else the slot's string fills it (``suffix`` follows a literal's closing quote)."""

    __slots__ = ("iri_slots", "quads", "slot_count")

    def __init__(self, dataset: dict, slot_count: int):
        self.slot_count = slot_count
        self.iri_slots: set[int] = set()
        seen: set[int] = set()
        quads = []
        for graph_name, triples in dataset.items():
            graph = None if graph_name == "@default" else self._node(
                {"type": "blank node" if graph_name.startswith("_:") else "IRI", "value": graph_name}, seen)
            for triple in triples:
                predicate = triple["predicate"]
                if predicate["type"] != "IRI" or _SLOT in predicate["value"]:
                    raise _Ineligible
                quads.append((self._node(triple["subject"], seen), f"<{predicate['value']}>",
                              self._object(triple["object"], seen), graph))
        if seen != set(range(slot_count)):
            raise _Ineligible  # a string that left no trace: its fate may depend on its value
        self.quads = tuple(quads)

    def _node(self, term: dict, seen: set[int]) -> tuple:
        value = term["value"]
        if term["type"] == "blank node":
            return (_BLANK, value, None, "")
        slot = _slot_of(value)
        if slot is None:
            if _SLOT in value:
                raise _Ineligible
            return (_IRI, f"<{value}>", None, "")
        seen.add(slot)
        self.iri_slots.add(slot)
        return (_IRI, "", slot, "")

    def _object(self, term: dict, seen: set[int]) -> tuple:
        if term["type"] != "literal":
            return self._node(term, seen)
        datatype, language = term.get("datatype"), term.get("language")
        if _SLOT in (datatype or "") or _SLOT in (language or ""):
            raise _Ineligible
        if datatype == RDF_LANGSTRING:
            suffix = f"@{language}" if language else ""
        else:
            suffix = "" if datatype == XSD_STRING else f"^^<{datatype}>"
        slot = _slot_of(term["value"])
        if slot is None:
            if _SLOT in term["value"]:
                raise _Ineligible
            return (_LITERAL, f'"{_escape(term["value"])}"{suffix}', None, "")
        seen.add(slot)
        return (_LITERAL, "", slot, suffix)

    def fill(self, values: list[str]) -> list[tuple] | None:
        """The dataset for ``values``, each quad (subject, predicate, object, graph) of rendered terms with
        blank nodes as (label,) tuples; None when a value may not take its slot's place."""
        if len(values) != self.slot_count:
            return None
        for slot in self.iri_slots:
            if not _iri_kept_verbatim(values[slot]):
                return None

        def term(t: tuple | None) -> Any:
            if t is None:
                return None
            kind, text, slot, suffix = t
            if kind == _BLANK:
                return (text,)
            if slot is None:
                return text
            if kind == _IRI:
                return f"<{values[slot]}>"
            return f'"{_escape(values[slot])}"{suffix}'

        quads = {}
        for s, p, o, g in self.quads:
            quads[(term(s), p, term(o), term(g))] = None
        return list(quads)


def canonical_nquads(quads: list[tuple]) -> str | None:
    """RDFC-1.0 canonical N-Quads of a filled template when first-degree hashes tell every blank node apart,
    else None (the N-degree algorithm is left to pyld)."""
    by_blank: dict[str, list[tuple]] = {}
    for quad in quads:
        for position in (0, 2, 3):
            component = quad[position]
            if type(component) is tuple:
                by_blank.setdefault(component[0], []).append(quad)

    # §4.6 Hash First Degree Quads: the reference blank node as _:a, any other as _:z.
    hashes: dict[str, str] = {}
    for label, related in by_blank.items():
        lines = sorted(_line(quad, lambda bnode, ref=label: "_:a" if bnode == ref else "_:z") for quad in related)
        hashes[label] = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    if len(set(hashes.values())) != len(hashes):
        return None
    # §4.4.3 step 5: canonical identifiers issued in the order of the hashes.
    canonical = {label: f"_:c14n{n}" for n, label in enumerate(sorted(hashes, key=hashes.__getitem__))}
    return "".join(sorted(_line(quad, canonical.__getitem__) for quad in quads))


def _line(quad: tuple, blank: Callable[[str], str]) -> str:
    s, p, o, g = quad
    text = f"{blank(s[0]) if type(s) is tuple else s} {p} {blank(o[0]) if type(o) is tuple else o}"
    if g is not None:
        text += f" {blank(g[0]) if type(g) is tuple else g}"
    return text + " .\n"


class TemplateCache:
    """Templates by shape key, bounded (least recently used out), safe to share between threads."""

    def __init__(self, maxsize: int = 256):
        from cachetools import LRUCache

        self._lock = threading.Lock()
        self._items: LRUCache = LRUCache(maxsize=maxsize)

    def get(self, key: str, build: Callable[[], Template | None]) -> Template | None:
        with self._lock:
            if key in self._items:
                return self._items[key]
        template = build()
        with self._lock:
            self._items[key] = template
        return template


def template_build(shape_document: dict, slot_count: int, to_rdf: Callable[[dict], dict]) -> Template | None:
    """The template of a shape, or None (ineligible) if its dataset does not keep every slot whole."""
    try:
        return Template(to_rdf(shape_document), slot_count)
    except _Ineligible:
        return None
