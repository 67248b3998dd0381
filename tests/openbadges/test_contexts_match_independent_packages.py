"""The bundled JSON-LD contexts are the ones the independent npm packages publish.

Each data file under ``badges_service/openbadges/data/contexts/`` is compared, parsed, with the copy that
``interop/dump_contexts.mjs`` reads straight from ``interop/node_modules`` (Digital Bazaar's and the
Digital Credentials Consortium's packages), except those whose index entry names another ``source`` (the
OB 2.0 context, which no npm package ships; its bytes are still checked against the index). This does not go
through ``interop/export_contexts.mjs``, the script that wrote the files, so a mistake in that script or a
hand edit of a file shows up here.
"""

from __future__ import annotations

import json
import os

import pytest

from badges_service.openbadges import contexts
from tests.interop.node import node_available, run_node

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(
        not node_available() and not os.environ.get("CI"),
        reason="node or interop/node_modules missing (cd interop && npm ci)",
    ),
]


@pytest.fixture(scope="module")
def published() -> dict:
    """url -> context document, as the npm packages ship it."""
    if not node_available():
        pytest.fail("CI is set but node or interop/node_modules is missing: the context check cannot be skipped.")
    return run_node("dump_contexts.mjs", {})


# Contexts that no npm package ships carry a "source" in the index (the OB 2.0 context: from PyPI).
FROM_NPM = sorted(url for url, entry in contexts.index().items() if "source" not in entry)


def test_every_bundled_context_is_published_and_every_published_context_is_bundled(published):
    assert set(FROM_NPM) == set(published)


@pytest.mark.parametrize("url", FROM_NPM)
def test_bundled_context_parses_to_the_published_document(url, published):
    bundled = json.loads((contexts.DATA_DIR / contexts.index()[url]["file"]).read_text(encoding="utf-8"))
    assert bundled == published[url]
    # What the canonicaliser actually loads is the same document.
    assert contexts.context_document(url) == published[url]
