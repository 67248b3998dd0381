"""did:key and did:web identifiers and documents."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import contexts, did_key, did_web
from badges_service.openbadges.errors import DidError


def test_did_key_round_trips_an_ed25519_key():
    public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    did = did_key.did_key_from_public_key(public)
    assert did.startswith("did:key:z6Mk")
    assert did_key.public_key_from_did_key(did) == public
    assert did_key.public_key_from_did_key(did_key.verification_method_id(did)) == public


def test_did_key_document_lists_the_key_as_an_assertion_method():
    did = did_key.did_key_from_public_key(bytes(32))
    document = did_key.did_document(did)
    assert document["@context"][0] == contexts.DID_V1
    assert document["assertionMethod"] == [document["verificationMethod"][0]["id"]]
    assert document["verificationMethod"][0]["controller"] == did


@pytest.mark.parametrize("bad", ["did:key:", "did:key:zzz", "did:key:z6Mk#other", "did:web:x", "did:key:abc"])
def test_malformed_did_keys_are_refused(bad):
    with pytest.raises(DidError):
        did_key.public_key_from_did_key(bad)


@pytest.mark.parametrize("url, did, document_url", [
    ("https://badges.ville.fr", "did:web:badges.ville.fr", "https://badges.ville.fr/.well-known/did.json"),
    ("https://badges.ville.fr/issuers/drh", "did:web:badges.ville.fr:issuers:drh",
     "https://badges.ville.fr/issuers/drh/did.json"),
    ("http://127.0.0.1:8000/issuers/drh", "did:web:127.0.0.1%3A8000:issuers:drh",
     "https://127.0.0.1:8000/issuers/drh/did.json"),
])
def test_did_web_maps_urls_both_ways(url, did, document_url):
    assert did_web.did_web_from_url(url) == did
    assert did_web.url_from_did_web(did) == document_url


def test_did_web_refuses_a_key_id_or_another_method():
    with pytest.raises(DidError):
        did_web.url_from_did_web("did:web:badges.ville.fr#key")
    with pytest.raises(DidError):
        did_web.url_from_did_web("did:key:z6Mk")
