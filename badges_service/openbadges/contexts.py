"""Bundled JSON-LD contexts: the only documents the JSON-LD processor may load.

Each context is a data file in ``data/contexts/`` listed in ``index.json`` with its canonical
URL and the SHA-256 of its bytes (checked by the test suite). Any other URL is refused, so
processing a credential never touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import DocumentLoaderError

DATA_DIR = Path(__file__).parent / "data" / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
ED25519_2020_V1 = "https://w3id.org/security/suites/ed25519-2020/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
OB_V2 = "https://w3id.org/openbadges/v2"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


@cache
def index() -> MappingProxyType:
    """URL -> {"file", "sha256"[, "source"]} for every bundled context. ``source`` names where a context
    not shipped by the npm packages under ``interop/`` was taken from."""
    return MappingProxyType(json.loads((DATA_DIR / "index.json").read_text(encoding="utf-8")))


@cache
def _parsed(url: str) -> Any:
    entry = index()[url]
    return json.loads((DATA_DIR / entry["file"]).read_text(encoding="utf-8"))


def is_bundled(url: str) -> bool:
    return url in index()


def context_document(url: str) -> Any:
    """The parsed context for ``url``. The same object is returned each time: do not mutate it."""
    if not isinstance(url, str) or url not in index():
        raise DocumentLoaderError(f"JSON-LD document {url!r} is not bundled with this service; "
                                  "remote documents are never fetched.")
    return _parsed(url)


def context_objects() -> Iterator[dict]:
    """Every context object in the bundle: each document's own and every scoped one inside it (the same
    objects each time, so callers may key caches by identity)."""
    def walk(node: Any) -> Iterator[dict]:
        if isinstance(node, dict):
            inline = node.get("@context")
            for ctx in inline if isinstance(inline, list) else [inline]:
                if isinstance(ctx, dict):
                    yield ctx
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for url in index():
        yield from walk(context_document(url))


def document_loader(url: str, options: dict | None = None) -> dict:
    """A pyld document loader that serves bundled contexts and refuses everything else."""
    # tag "static": the document never changes, so pyld may keep it (and the contexts processed
    # from it) across operations.
    return {"contextUrl": None, "documentUrl": url, "document": context_document(url), "tag": "static"}
