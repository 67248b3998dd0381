"""Checks of the Digital Bazaar harness itself (interop/*.mjs), against the 1EdTech Open Badges 3.0 vector.

If these fail, interop results against our own issuer/verifier mean nothing. No Django needed.
"""

from __future__ import annotations

import base64
import copy
import gzip

import pytest

from .node import NodeScriptError, dbz_sign, dbz_verify, node_available, run_node

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(
        not node_available(), reason="node or interop/node_modules missing (cd interop && npm ci)"
    ),
]

# 1EdTech OB 3.0 eddsa-rdfc-2022 test vector.
PUBLIC_KEY_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
CONTROLLER = "https://example.edu/issuers/565049"
KEY_ID = f"{CONTROLLER}#{PUBLIC_KEY_MULTIBASE}"
EXPECTED_PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)
VECTOR = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": CONTROLLER,
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and recognized upon "
                "review by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to collaborate within a "
            "group environment.",
            "name": "Teamwork",
        },
    },
}
VECTOR_PROOF = {
    "type": "DataIntegrityProof",
    "created": "2010-01-01T19:23:24Z",
    "verificationMethod": KEY_ID,
    "cryptosuite": "eddsa-rdfc-2022",
    "proofPurpose": "assertionMethod",
    "proofValue": EXPECTED_PROOF_VALUE,
}
CONTROLLER_DOCUMENT = {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    "id": CONTROLLER,
    "assertionMethod": [
        {
            "id": KEY_ID,
            "type": "Multikey",
            "controller": CONTROLLER,
            "publicKeyMultibase": PUBLIC_KEY_MULTIBASE,
        }
    ],
}
SEED = "11" * 32
UNKNOWN_CONTEXT = "https://contexts.invalid/never-bundled/v1"


def signed_vector() -> dict:
    return {**copy.deepcopy(VECTOR), "proof": dict(VECTOR_PROOF)}


def test_vector_script_reproduces_published_proof_value():
    out = run_node("vector.mjs", {})
    assert out["proofValue"] == EXPECTED_PROOF_VALUE
    assert out["verified"] is True
    assert out["tamperedVerified"] is False


def test_vector_verifies_and_tampered_copy_does_not():
    tampered = signed_vector()
    tampered["name"] = "Teamwork Badge (forged)"
    good, bad = dbz_verify([signed_vector(), tampered], {CONTROLLER: CONTROLLER_DOCUMENT})
    assert good == {"verified": True, "error": None, "status": None}
    assert bad["verified"] is False
    assert "Invalid signature" in bad["error"]


def test_verifier_checks_valid_from_against_now():
    [result] = dbz_verify([signed_vector()], {CONTROLLER: CONTROLLER_DOCUMENT}, now="2009-12-31T00:00:00Z")
    assert result["verified"] is False
    assert "validFrom" in result["error"]


@pytest.mark.parametrize("suite", [None, "Ed25519Signature2020"])
def test_did_key_credential_signed_by_dbz_verifies_in_dbz(suite):
    out = dbz_sign(VECTOR, seed_hex=SEED, suite=suite)
    signed, did_doc = out["credential"], out["didDocument"]
    did = did_doc["id"]
    assert did.startswith("did:key:z6Mk")
    assert signed["issuer"]["id"] == did
    assert signed["proof"]["verificationMethod"] == f"{did}#{did.removeprefix('did:key:')}"
    assert signed["proof"]["proofPurpose"] == "assertionMethod"
    if suite is None:
        assert signed["proof"]["type"] == "DataIntegrityProof"
        assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    else:
        assert signed["proof"]["type"] == "Ed25519Signature2020"
        assert "https://w3id.org/security/suites/ed25519-2020/v1" in signed["@context"]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership"
    ok, bad = dbz_verify([signed, tampered], {})
    assert ok["verified"] is True, ok["error"]
    assert bad["verified"] is False


def test_seed_gives_a_stable_did():
    assert dbz_sign(VECTOR, SEED)["didDocument"]["id"] == dbz_sign(VECTOR, SEED)["didDocument"]["id"]


def test_loader_refuses_unknown_context_when_signing():
    credential = copy.deepcopy(VECTOR)
    credential["@context"].append(UNKNOWN_CONTEXT)
    with pytest.raises(NodeScriptError, match=f"offline loader refuses {UNKNOWN_CONTEXT}"):
        dbz_sign(credential, SEED)


def test_loader_refuses_unknown_context_and_unknown_controller_when_verifying():
    unknown_context = signed_vector()
    unknown_context["@context"].append(UNKNOWN_CONTEXT)
    [result] = dbz_verify([unknown_context], {CONTROLLER: CONTROLLER_DOCUMENT})
    assert result["verified"] is False
    assert f"offline loader refuses {UNKNOWN_CONTEXT}" in result["error"]
    # Controller document not supplied: the key id would need an HTTP fetch.
    [result] = dbz_verify([signed_vector()], {})
    assert result["verified"] is False
    assert f"offline loader refuses {KEY_ID}" in result["error"]


def encoded_status_list(revoked: set[int], length: int = 131072) -> str:
    bits = bytearray(length // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")


def test_bitstring_status_list_is_checked():
    list_url = "https://example.edu/status/1"
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:replaced-by-sign",
        "validFrom": "2010-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_status_list({7}),
        },
    }
    signed_list = dbz_sign(status_list, SEED)["credential"]

    def with_status(index: int) -> dict:
        credential = copy.deepcopy(VECTOR)
        credential["credentialStatus"] = {
            "id": f"{list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": list_url,
        }
        return dbz_sign(credential, SEED)["credential"]

    active, revoked = with_status(3), with_status(7)
    ok, bad = dbz_verify([active, revoked], {list_url: signed_list})
    assert ok["verified"] is True, ok["error"]
    assert ok["status"] == [{"statusPurpose": "revocation", "status": False}]
    assert bad["verified"] is False
    assert "revocation" in bad["error"]
    [missing] = dbz_verify([active], {})
    assert missing["verified"] is False
    assert f"offline loader refuses {list_url}" in missing["error"]
