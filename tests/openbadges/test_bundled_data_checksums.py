"""Standard documents are data: each bundled file must keep the bytes recorded for it."""

import hashlib
import json
from pathlib import Path

import pytest

from badges_service.openbadges import contexts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("url", sorted(contexts.index()))
def test_bundled_context_matches_its_recorded_checksum(url):
    entry = contexts.index()[url]
    assert _sha256(contexts.DATA_DIR / entry["file"]) == entry["sha256"], url


def test_every_context_file_is_listed_in_the_index():
    listed = {entry["file"] for entry in contexts.index().values()}
    on_disk = {p.name for p in contexts.DATA_DIR.glob("*.jsonld")}
    assert on_disk == listed


def test_the_contexts_a_credential_needs_are_bundled():
    for url in (contexts.VC_V2, contexts.OB_V3, contexts.OB_V3_EXTENSIONS, contexts.DATA_INTEGRITY_V2,
                contexts.MULTIKEY_V1, contexts.DID_V1, contexts.ED25519_2020_V1, contexts.VC_V1):
        assert contexts.is_bundled(url), url
        assert isinstance(contexts.context_document(url)["@context"], dict | list)


@pytest.mark.parametrize("line", (FIXTURES / "vectors" / "SHA256SUMS").read_text().splitlines())
def test_spec_test_vector_file_matches_its_checksum(line):
    digest, name = line.split()
    assert _sha256(FIXTURES / "vectors" / name) == digest


def test_spec_test_vector_names_its_source():
    vector = json.loads((FIXTURES / "vectors" / "ob3_linked_data_proof.json").read_text())
    assert vector["canonical_url"].startswith("https://www.imsglobal.org/spec/ob/v3p0/")
