"""Open Badges 2.0 documents read as JSON-LD, through the bundled OB 2.0 context.

OB 2.0 §"JSON-LD": a document is JSON-LD under ``https://w3id.org/openbadges/v2``, so every spelling that
context maps to the same IRI means the same thing: ``verify`` is defined as an alias of ``verification``,
``hosted``/``signed`` of ``HostedBadge``/``SignedBadge``, and compact or absolute IRIs (``obi:badge``,
``https://w3id.org/openbadges#badge``, ``schema:name``) are the terms themselves. 1EdTech's validator
(openbadges-validator-core) compacts every input against the context before reading it; so does ``compact``:
expansion then compaction by pyld with the bundled context only (``contexts.document_loader`` refuses
anything else), which also turns one-element lists into single values and drops properties the context
does not define (they carry no meaning in the vocabulary).

Inline contexts and unbundled context URLs are refused before processing: a document must not redefine
the vocabulary it is read with.
"""

from __future__ import annotations

from typing import Any

from pyld import jsonld

from . import contexts
from .errors import OpenBadgesError

CONTEXT = contexts.OB_V2
EXTENSIONS = "https://w3id.org/openbadges/extensions#"
# Not in the context, yet written by a real producer: Moodle's BadgeClass puts its alignments under
# ``alignments`` (badges/classes/assertion.php). Read as ``alignment`` when that is absent.
TOLERATED_SPELLINGS = {"alignments": "alignment"}


class Ob2DocumentError(OpenBadgesError):
    code = "bad_jsonld"


def context_problem(document: dict) -> str | None:
    """Why ``document``'s ``@context`` cannot be used to read it as OB 2.0 (None when it can)."""
    ctx = document.get("@context")
    values = ctx if isinstance(ctx, list) else [ctx]
    if not all(isinstance(c, str) for c in values) or CONTEXT not in values:
        return f"@context must be {CONTEXT}."
    unknown = [c for c in values if not contexts.is_bundled(c)]
    if unknown:
        return f"@context {unknown[0]!r} is not a known context."
    return None


def _tolerate(node: Any) -> Any:
    if isinstance(node, list):
        return [_tolerate(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _tolerate(v) for k, v in node.items()}
    for spelling, term in TOLERATED_SPELLINGS.items():
        if spelling in node and term not in node:
            node[term] = node.pop(spelling)
    return node


def _strip_nested_contexts(node: Any, top: bool = True, extension: bool = False) -> Any:
    """Embedded BadgeClass and Profile objects repeat the OB 2.0 context (Moodle does), and an extension
    names its own (Badgr's ``extensions:recipientProfile``). Extension contexts are not bundled: the extension
    is read with the OB 2.0 terms only (its own terms are dropped). Any other nested context is refused."""
    if isinstance(node, list):
        return [_strip_nested_contexts(n, False, extension) for n in node]
    if not isinstance(node, dict):
        return node
    if not top and "@context" in node:
        if node["@context"] not in (CONTEXT, [CONTEXT]) and not extension:
            raise Ob2DocumentError("An embedded object has a @context other than the OB 2.0 one.",
                                   code="bad_context")
        node = {k: v for k, v in node.items() if k != "@context"}
    return {k: _strip_nested_contexts(v, False, extension or _is_extension(k)) for k, v in node.items()}


def _is_extension(key: str) -> bool:
    return key.startswith(("extensions:", EXTENSIONS))


def compact(document: dict, *, inject_context: bool = False) -> dict:
    """``document`` compacted against the OB 2.0 context: the context's own spellings, whatever the input's.

    ``inject_context``: a fetched BadgeClass, Profile, key or revocation list without ``@context`` is read as
    OB 2.0 (as 1EdTech's validator does); an assertion must carry it. Raises ``Ob2DocumentError``.
    """
    if not isinstance(document, dict):
        raise Ob2DocumentError("An Open Badges 2.0 document is a JSON object.", code="not_object")
    if inject_context and "@context" not in document:
        document = {"@context": CONTEXT, **document}
    problem = context_problem(document)
    if problem:
        raise Ob2DocumentError(problem, code="bad_context")
    prepared = _strip_nested_contexts(_tolerate(document))
    try:
        compacted = jsonld.compact(prepared, CONTEXT, {"documentLoader": contexts.document_loader})
    except jsonld.JsonLdError as exc:
        raise Ob2DocumentError(f"Not readable as JSON-LD under the Open Badges 2.0 context: "
                               f"{_cause(exc)}") from exc
    except RecursionError as exc:
        raise Ob2DocumentError("The document is nested too deeply.") from exc
    compacted["@context"] = CONTEXT
    return compacted


def _cause(exc: Exception) -> str:
    while isinstance(exc, jsonld.JsonLdError) and isinstance(getattr(exc, "cause", None), Exception):
        exc = exc.cause
    return str(exc).splitlines()[0][:200]


def differing_fields(presented: Any, original: Any, *, prefix: str = "", ignore: tuple[str, ...] = ()) -> list[str]:
    """Dotted paths of the properties that differ between two compacted documents (``badge.name``,
    ``recipient.identity``, ``issuedOn``), the deepest that still differs; lists compare as wholes."""
    if isinstance(presented, dict) and isinstance(original, dict):
        fields = []
        for key in sorted(set(presented) | set(original)):
            if key in ignore or key == "@context":
                continue
            if presented.get(key) != original.get(key):
                fields += differing_fields(presented.get(key), original.get(key), prefix=f"{prefix}{key}.")
        return fields
    return [prefix.rstrip(".")] if presented != original else []


__all__ = ["CONTEXT", "Ob2DocumentError", "compact", "context_problem", "differing_fields"]
