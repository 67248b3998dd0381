"""Data Integrity proofs: tamper transforms, wrong key, wrong suite, malformed proofs, safe mode."""

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import eddsa_rdfc_2022
from badges_service.openbadges.errors import CanonicalizationError, DocumentLoaderError, ProofError
from badges_service.openbadges.rdfc import canonicalize
from tests.openbadges.samples import sample_credential

METHOD = "did:web:badges.example.test:issuers:drh#key-1"


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def signed(key):
    return eddsa_rdfc_2022.proof_create(sample_credential(), private_key=key, verification_method=METHOD,
                                        created="2025-01-02T03:04:05Z")


def _public(key) -> bytes:
    return key.public_key().public_bytes_raw()


def test_a_signed_credential_verifies_with_its_key(signed, key):
    eddsa_rdfc_2022.proof_verify(signed, signed["proof"], public_key=_public(key))


def test_the_proof_has_the_eddsa_rdfc_2022_shape(signed):
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == METHOD
    assert proof["proofValue"].startswith("z")


def test_another_key_does_not_verify(signed):
    with pytest.raises(ProofError) as exc:
        eddsa_rdfc_2022.proof_verify(signed, signed["proof"], public_key=_public(Ed25519PrivateKey.generate()))
    assert exc.value.code == "signature_invalid"


TAMPERS = {
    "name": lambda d: d.update(name="Un autre badge"),
    "validFrom": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
    "issuer.name": lambda d: d["issuer"].update(name="Usurpateur"),
    "issuer.id": lambda d: d["issuer"].update(id="did:web:evil.example"),
    "achievement.name": lambda d: d["credentialSubject"]["achievement"].update(name="Expertise"),
    "achievement.criteria": lambda d: d["credentialSubject"]["achievement"]["criteria"].update(narrative="Rien"),
    "identity hash": lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="sha256$00"),
    "tag removed": lambda d: d["credentialSubject"]["achievement"]["tag"].pop(),
    "type": lambda d: d["type"].pop(),
    "proof.created": lambda d: d["proof"].update(created="2030-01-01T00:00:00Z"),
    "proof.verificationMethod": lambda d: d["proof"].update(verificationMethod=METHOD + "x"),
    "proof.proofPurpose": lambda d: d["proof"].update(proofPurpose="authentication"),
}


@pytest.mark.parametrize("field", sorted(TAMPERS))
def test_changing_any_field_breaks_the_signature(signed, key, field):
    tampered = copy.deepcopy(signed)
    TAMPERS[field](tampered)
    with pytest.raises(ProofError) as exc:
        eddsa_rdfc_2022.proof_verify(tampered, tampered["proof"], public_key=_public(key))
    assert exc.value.code == "signature_invalid"


def test_a_flipped_character_in_the_proof_value_breaks_the_signature(signed, key):
    tampered = copy.deepcopy(signed)
    value = tampered["proof"]["proofValue"]
    tampered["proof"]["proofValue"] = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
    with pytest.raises(ProofError):
        eddsa_rdfc_2022.proof_verify(tampered, tampered["proof"], public_key=_public(key))


@pytest.mark.parametrize("proof_type, suite", [
    ("DataIntegrityProof", "ecdsa-rdfc-2019"),
    ("DataIntegrityProof", "eddsa-jcs-2022"),
    ("DataIntegrityProof", None),
    ("Ed25519Signature2018", None),
    ("RsaSignature2018", None),
])
def test_unsupported_suites_are_refused_by_name(signed, key, proof_type, suite):
    tampered = copy.deepcopy(signed)
    tampered["proof"]["type"] = proof_type
    tampered["proof"].pop("cryptosuite")
    if suite:
        tampered["proof"]["cryptosuite"] = suite
    with pytest.raises(ProofError) as exc:
        eddsa_rdfc_2022.proof_verify(tampered, tampered["proof"], public_key=_public(key))
    assert exc.value.code == "unsupported_suite"


@pytest.mark.parametrize("mutation, code", [
    (lambda p: p.pop("proofValue"), "malformed_proof"),
    (lambda p: p.update(proofValue="not-multibase"), "malformed_proof"),
    (lambda p: p.update(proofValue="z111"), "malformed_proof"),
    (lambda p: p.update(created="yesterday"), "malformed_proof"),
    (lambda p: p.pop("verificationMethod"), "malformed_proof"),
])
def test_malformed_proofs_are_reported_precisely(signed, key, mutation, code):
    tampered = copy.deepcopy(signed)
    mutation(tampered["proof"])
    with pytest.raises(ProofError) as exc:
        eddsa_rdfc_2022.proof_verify(tampered, tampered["proof"], public_key=_public(key))
    assert exc.value.code == code


def test_signing_twice_is_refused(signed, key):
    with pytest.raises(ProofError):
        eddsa_rdfc_2022.proof_create(signed, private_key=key, verification_method=METHOD,
                                     created="2025-01-02T03:04:05Z")


def test_an_undefined_property_is_refused_rather_than_silently_unsigned():
    document = sample_credential()
    document["credentialSubject"]["achievement"]["niveauSecret"] = "expert"
    with pytest.raises(CanonicalizationError) as exc:
        canonicalize(document)
    assert exc.value.code == "undefined_term"
    assert "niveauSecret" in str(exc.value)


def test_an_undefined_type_is_refused():
    document = sample_credential()
    document["type"] = ["VerifiableCredential", "OpenBadgeCredential", "BadgeMaison"]
    with pytest.raises(CanonicalizationError) as exc:
        canonicalize(document)
    assert exc.value.code == "undefined_type"


def test_a_remote_context_is_never_fetched():
    document = sample_credential()
    document["@context"] = [*document["@context"], "https://contexts.example.org/evil.jsonld"]
    with pytest.raises(DocumentLoaderError) as exc:
        canonicalize(document)
    assert "not bundled" in str(exc.value)


def test_canonicalisation_is_stable_across_calls_and_independent_of_key_order():
    document = sample_credential()
    reordered = dict(reversed(list(document.items())))
    assert canonicalize(document) == canonicalize(reordered) == canonicalize(document)
