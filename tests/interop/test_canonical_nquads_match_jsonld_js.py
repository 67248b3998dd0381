"""Canonical N-Quads are byte-identical across three implementations on the spec vector and on a corpus of
our own documents: our fast path, our general path (pyld) and Digital Bazaar's jsonld.js (RDFC-1.0, safe
mode, ``interop/canonize.mjs``)."""

from __future__ import annotations

import os

import pytest

from badges_service.openbadges import contexts, rdfc
from tests.openbadges.corpus import VECTOR, corpus

from .node import node_available, run_node

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(not node_available() and not os.environ.get("CI"),
                       reason="node or interop/node_modules missing (cd interop && npm ci)"),
]


def test_our_canonical_nquads_are_jsonld_js_bytes_on_the_vector_and_our_corpus():
    documents = corpus()
    # The CLR 2.0 context ships in no npm package: jsonld.js gets our bundled copy (checksummed elsewhere).
    theirs = run_node("canonize.mjs", {"documents": documents, "contexts": {
        contexts.CLR_V2: contexts.context_document(contexts.CLR_V2)}})["nquads"]
    assert len(theirs) == len(documents)
    for document, their_nquads in zip(documents, theirs, strict=True):
        assert isinstance(their_nquads, str), their_nquads
        assert rdfc.canonicalize(document) == their_nquads
        assert rdfc.canonicalize_general(document) == their_nquads
    assert theirs[-2].splitlines() == VECTOR["document_canonical"]
    assert theirs[-1].splitlines() == VECTOR["proof_canonical"]
