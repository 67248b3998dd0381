"""The fast path of ``rdfc.canonicalize`` (templates per document shape, ``rdfc_templates``) gives exactly the
bytes of the general path (pyld) on our credentials, on every one-field change of them, and on the vectors."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from badges_service.openbadges import rdfc, rdfc_templates
from badges_service.openbadges.errors import OpenBadgesError

from .corpus import DID, VECTOR, corpus, our_credentials, signed

Path = tuple[str | int, ...]


def fast(document: dict) -> str | None:
    """The fast path alone: None where it hands the document to the general path."""
    shaped = rdfc_templates.shape(document)
    if shaped is None:
        return None
    template = rdfc._template(shaped[0], len(shaped[1]))
    quads = template.fill(shaped[1]) if template is not None else None
    return rdfc_templates.canonical_nquads(quads) if quads is not None else None


def general(document: dict) -> str | type:
    try:
        return rdfc.canonicalize_general(document)
    except OpenBadgesError as exc:
        return type(exc)


def public(document: dict) -> str | type:
    try:
        return rdfc.canonicalize(document)
    except OpenBadgesError as exc:
        return type(exc)


def strings(value, path: Path = ()) -> Iterator[Path]:
    """The path of every string in a document, outside @context."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            if key != "@context":
                yield from strings(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from strings(child, (*path, i))


def replaced(document: dict, path: Path, value) -> dict:
    out = copy.deepcopy(document)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def test_fast_path_gives_the_general_paths_bytes_on_the_whole_corpus():
    documents = corpus()
    taken = 0
    for document in documents:
        expected = rdfc.canonicalize_general(document)
        result = fast(document)
        if result is not None:
            taken += 1
            assert result == expected
        assert rdfc.canonicalize(document) == expected
    # Not a vacuous comparison: all but the CLR (identical criteria nodes need RDFC's N-degree step) are fast.
    assert taken == len(documents) - 1


def test_credentials_of_one_shape_share_one_template():
    """Ids, names, hashes and dates differ between credentials of the same achievement; the shape does not."""
    first, second = our_credentials(1)[0], copy.deepcopy(our_credentials(1)[0])
    second["id"] = "https://badges.example.test/credentials/other"
    second["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    second["validFrom"] = "2027-01-01T00:00:00Z"
    assert rdfc_templates.shape(first)[0] == rdfc_templates.shape(second)[0]
    assert fast(second) == rdfc.canonicalize_general(second) != rdfc.canonicalize_general(first)


# Values that may change how JSON-LD reads a string: relative, blank-node and compact IRIs, terms, keywords,
# whitespace, N-Quads escapes, astral characters, and another node's id (two nodes become one).
TRICKY = ["", "relative/path", "#fragment", "_:b0", "did:example:123", "xsd:string", "schema:name",
          "assertionMethod", "Profile", "@id", "https://example.test/a b", "urn:uuid:1", 'say "hi"\\ \n\t\r end',
          "ligne\u2028séparée \x00\x08\x0c", "🏅 émoji", DID, "https://badges.example.test/achievements/a-1",
          "2026-13-45T99:99:99Z", "urn:x-rdfc-slot:0"]


@pytest.mark.parametrize("base", [0, 1, 2], ids=["did:key", "did:web+alignments", "results+status"])
def test_any_one_string_changed_to_a_tricky_value_gives_the_same_bytes_or_the_same_error(base):
    document = signed(our_credentials(3)[base])
    for path in strings(document):
        for value in TRICKY:
            mutated = replaced(document, path, value)
            assert public(mutated) == general(mutated), (path, value)


def test_merged_nodes_and_duplicate_values_are_written_once():
    """The issuer written twice (issuer and creator) and a tag repeated: the node map keeps one of each."""
    document = our_credentials(2)[1]
    document["credentialSubject"]["achievement"]["tag"] = ["accueil", "accueil"]
    assert document["issuer"]["id"] == document["credentialSubject"]["achievement"]["creator"]["id"]
    assert fast(document) == rdfc.canonicalize_general(document)


def test_blank_nodes_first_degree_cannot_tell_apart_go_the_general_way():
    document = our_credentials(3)[2]
    document["evidence"] = [{"type": ["Evidence"], "name": "Même preuve"}] * 2 + [
        {"type": ["Evidence"], "name": "Même preuve", "narrative": "x"}]
    assert fast(document) is None
    assert rdfc.canonicalize(document) == rdfc.canonicalize_general(document)


@pytest.mark.parametrize("change", [
    lambda d: d.update({"@context": [*d["@context"], {"ex": "https://example.test/#"}]}),
    lambda d: d.update({"@context": "https://example.test/remote-context"}),
    lambda d: d["credentialSubject"].update({"@index": "a"}),
], ids=["inline context", "remote context", "@index"])
def test_documents_outside_the_fast_paths_conditions_take_the_general_path(change):
    document = our_credentials(1)[0]
    change(document)
    assert rdfc_templates.shape(document) is None
    assert public(document) == general(document)


def test_undefined_terms_are_refused_on_both_paths():
    document = our_credentials(1)[0]
    document["credentialSubject"]["notInAnyContext"] = "value"
    with pytest.raises(OpenBadgesError) as fast_error:
        rdfc.canonicalize(document)
    assert fast_error.value.code == "undefined_term"
    assert type(fast_error.value) is general(document)


def test_the_vector_is_canonicalised_as_published_by_the_fast_path():
    assert fast(VECTOR["credential"]).splitlines() == VECTOR["document_canonical"]
