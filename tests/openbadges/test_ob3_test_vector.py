"""The signer reproduces the 1EdTech Open Badges 3.0 linked-data-proof test vector byte for byte."""

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import eddsa_rdfc_2022
from badges_service.openbadges.multibase import ed25519_public_key_to_multibase
from badges_service.openbadges.rdfc import canonicalize

VECTOR = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "ob3_linked_data_proof.json")
                    .read_text())


@pytest.fixture
def private_key():
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR["key"]["private_key_hex"])[:32])


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_vector_key_encodes_to_the_published_multikey(private_key):
    public = private_key.public_key().public_bytes_raw()
    assert public.hex() == VECTOR["key"]["public_key_hex"]
    assert ed25519_public_key_to_multibase(public) == VECTOR["key"]["public_key_multibase"]


def test_document_canonical_form_and_hash_match_the_vector():
    canonical = canonicalize(VECTOR["credential"])
    assert _lines(canonical) == VECTOR["document_canonical"]
    assert hashlib.sha256(canonical.encode()).hexdigest() == VECTOR["document_hash_hex"]


def test_proof_configuration_canonical_form_and_hash_match_the_vector():
    config = {**VECTOR["proof_options"], "@context": VECTOR["credential"]["@context"]}
    canonical = canonicalize(config)
    assert _lines(canonical) == VECTOR["proof_canonical"]
    assert hashlib.sha256(canonical.encode()).hexdigest() == VECTOR["proof_hash_hex"]


def test_hash_data_is_proof_hash_then_document_hash():
    data = eddsa_rdfc_2022.hash_data(VECTOR["credential"], VECTOR["proof_options"])
    assert data.hex() == VECTOR["data_to_sign_hex"]


def test_signing_the_vector_gives_the_published_signature_and_proof_value(private_key):
    signed = eddsa_rdfc_2022.proof_create(
        VECTOR["credential"], private_key=private_key,
        verification_method=VECTOR["proof_options"]["verificationMethod"],
        created=VECTOR["proof_options"]["created"])
    assert signed["proof"] == {**VECTOR["proof_options"], "proofValue": VECTOR["proof_value"]}
    data = bytes.fromhex(VECTOR["data_to_sign_hex"])
    assert private_key.sign(data).hex() == VECTOR["signature_hex"]


def test_the_published_signed_vector_verifies():
    signed = {**VECTOR["credential"], "proof": {**VECTOR["proof_options"], "proofValue": VECTOR["proof_value"]}}
    eddsa_rdfc_2022.proof_verify(signed, signed["proof"], public_key=bytes.fromhex(VECTOR["key"]["public_key_hex"]))
