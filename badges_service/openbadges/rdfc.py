"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of JSON-LD documents.

pyld does the JSON-LD to RDF conversion and the canonical labelling, with two changes:

* Only bundled contexts load (``contexts.document_loader``); anything else is an error.
* Safe mode, as in the VC Data Integrity spec (§4.1 "safe mode"; jsonld.js ``safe: true``): a
  property or type that does not map to an absolute IRI would be silently dropped by JSON-LD and
  so escape the signature. Here it is an error instead.

Performance: pyld's context resolver derives a cache key for every inline (scoped) context by
JCS-serialising it, on every use; the OB 3.0 context has dozens of large scoped contexts, which
made that serialisation most of the cost of a canonicalisation. Bundled contexts are immutable
and parsed once, so their inline contexts get their keys computed once, by object identity.

A campaign's credentials, and the proof configurations of all of them, differ only in strings: documents of
a shape seen before skip JSON-LD expansion altogether and fill that shape's RDF template
(``rdfc_templates``); this module stays the general path, for every other document and as the reference the
fast path is tested against.
"""

from __future__ import annotations

import json
import threading
import uuid
from functools import cache
from typing import Any

from c14n.Canonicalize import canonicalize as jcs
from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.resolved_context import ResolvedContext

from . import contexts, rdfc_templates
from .errors import CanonicalizationError, DocumentLoaderError

NQUADS = "application/n-quads"


@cache
def _bundled_inline_context_keys() -> dict[int, tuple[Any, str]]:
    """id(inline context dict) -> (the dict, its cache key), for every scoped context in the bundle."""
    return {id(ctx): (ctx, jcs(dict(ctx)).decode("utf-8")) for ctx in contexts.context_objects()}


class _BundleAwareResolver(ContextResolver):
    def resolve(self, active_ctx, context, base, cycles=None):
        if isinstance(context, dict) and "@context" in context:
            context = context["@context"]
        known = _bundled_inline_context_keys()
        entry = known.get(id(context))
        if entry is None or entry[0] is not context:
            return super().resolve(active_ctx, context, base, cycles)
        key = entry[1]
        resolved = self._get(key)
        if not resolved:
            resolved = self._cache_resolved_context(key, ResolvedContext(context), "static")
        return [resolved]


class _LockedLRU(LRUCache):
    """cachetools caches are not thread-safe; a web server's threads share these."""

    def __init__(self, maxsize: int):
        super().__init__(maxsize=maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key):
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)

    def get(self, key, default=None):
        with self._lock:
            return super().get(key, default)


# Resolved contexts shared across operations (bounded: foreign documents bring inline contexts).
_SHARED_CACHE = _LockedLRU(maxsize=512)


def _bundled_key(local_ctx: Any) -> str | None:
    """A stable key for a context made only of bundled parts, else None."""
    if isinstance(local_ctx, str):
        return local_ctx if contexts.is_bundled(local_ctx) else None
    if isinstance(local_ctx, list):
        keys = [_bundled_key(item) for item in local_ctx]
        return None if None in keys else "\x1f".join(keys)  # type: ignore[arg-type]
    entry = _bundled_inline_context_keys().get(id(local_ctx))
    return entry[1] if entry is not None and entry[0] is local_ctx else None


# (active context uuid, local context key, flags) -> processed active context. Active contexts are
# never mutated once built (pyld only adds their "_uuid"), so they can be shared across operations.
_PROCESSED = _LockedLRU(maxsize=4096)


class _SafeProcessor(jsonld.JsonLdProcessor):
    """Refuses terms that JSON-LD expansion would drop (VC Data Integrity "safe mode"), and
    remembers active contexts processed from bundled contexts across operations."""

    def _process_context(self, active_ctx, local_ctx, options, override_protected=False, propagate=True,
                         validate_scoped=True, cycles=None):
        key = _bundled_key(local_ctx)
        if key is None:
            return super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                            validate_scoped, cycles if cycles is not None else set())
        if "_uuid" not in active_ctx:
            active_ctx["_uuid"] = str(uuid.uuid4())
        memo_key = (active_ctx["_uuid"], key, override_protected, propagate, validate_scoped)
        processed = _PROCESSED.get(memo_key)
        if processed is None:
            processed = super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                                 validate_scoped, cycles if cycles is not None else set())
            _PROCESSED[memo_key] = processed
        return processed

    def _expand_object(self, active_ctx, active_property, expanded_active_property, element,
                       expanded_parent, options, inside_list=False, type_key=None, type_scoped_ctx=None):
        for key, value in element.items():
            if key == "@context":
                continue
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if expanded is None or not (jsonld._is_absolute_iri(expanded) or jsonld._is_keyword(expanded)):
                raise CanonicalizationError(
                    f"Property {key!r} is not defined by the document's JSON-LD contexts "
                    "(it would be dropped from the signed data).", code="undefined_term")
            if expanded == "@type":
                for type_name in value if isinstance(value, list) else [value]:
                    if not isinstance(type_name, str):
                        continue
                    iri = self._expand_iri(type_scoped_ctx or active_ctx, type_name, vocab=True)
                    if iri is None or not jsonld._is_absolute_iri(iri):
                        raise CanonicalizationError(
                            f"Type {type_name!r} is not defined by the document's JSON-LD contexts.",
                            code="undefined_type")
        return super()._expand_object(active_ctx, active_property, expanded_active_property, element,
                                      expanded_parent, options, inside_list, type_key, type_scoped_ctx)


_PROCESSOR = _SafeProcessor()


def _options() -> dict:
    return {
        "algorithm": "URDNA2015",
        "format": NQUADS,
        "documentLoader": contexts.document_loader,
        "contextResolver": _BundleAwareResolver(_SHARED_CACHE, contexts.document_loader),
        "base": "",
    }


def _general(document: dict) -> str:
    """The general path: pyld's JSON-LD to RDF and RDFC-1.0, for any document."""
    try:
        return _PROCESSOR.normalize(document, _options())
    except (DocumentLoaderError, CanonicalizationError):
        raise
    except jsonld.JsonLdError as exc:
        raise _unwrap(exc) from exc
    except RecursionError as exc:
        raise CanonicalizationError("The document is nested too deeply.", code="too_deep") from exc


def _shape_dataset(shape_document: dict) -> dict:
    """The RDF dataset of a shape document, as ``_general`` builds it before labelling blank nodes."""
    options = {**_options(), "extractAllScripts": True, "processingMode": "json-ld-1.1",
               "produceGeneralizedRdf": False}
    del options["format"]
    return _PROCESSOR.to_rdf(shape_document, options)


_TEMPLATES = rdfc_templates.TemplateCache(maxsize=256)


def _template(key: str, slot_count: int) -> rdfc_templates.Template | None:
    def build() -> rdfc_templates.Template | None:
        try:
            return rdfc_templates.template_build(json.loads(key), slot_count, _shape_dataset)
        except (jsonld.JsonLdError, DocumentLoaderError, CanonicalizationError, RecursionError):
            return None  # the general path reports the document's own error
    return _TEMPLATES.get(key, build)


def canonicalize_general(document: dict) -> str:
    """``canonicalize`` without the fast path (tests compare the two)."""
    return _general(document)


def canonicalize(document: dict) -> str:
    """The canonical N-Quads of ``document`` (a JSON-LD object), as one string.

    Documents of a shape seen before (same keys, types and bundled contexts) reuse its RDF template
    (``rdfc_templates``); any other document, or any value the template cannot take, goes the general way.
    Both give the same bytes.

    Raises ``DocumentLoaderError`` for a context that is not bundled and
    ``CanonicalizationError`` for anything else JSON-LD refuses.
    """
    shaped = rdfc_templates.shape(document) if isinstance(document, dict) else None
    if shaped is not None:
        key, values = shaped
        template = _template(key, len(values))
        if template is not None:
            quads = template.fill(values)
            if quads is not None:
                nquads = rdfc_templates.canonical_nquads(quads)
                if nquads is not None:
                    return nquads
    return _general(document)


def _unwrap(exc: jsonld.JsonLdError) -> Exception:
    """pyld wraps loader and processor errors; surface ours, describe the rest."""
    cause: Any = exc
    while cause is not None:
        if isinstance(cause, DocumentLoaderError | CanonicalizationError):
            return cause
        cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
    message = getattr(exc, "message", None) or str(exc)
    return CanonicalizationError(f"JSON-LD processing failed: {str(message).splitlines()[0]}")
