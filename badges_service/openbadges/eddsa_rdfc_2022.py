"""Data Integrity proofs with Ed25519 over RDF-canonicalised documents.

Implements ``eddsa-rdfc-2022`` (VC Data Integrity EdDSA Cryptosuites v1.0 §3.2) for creation and
verification, and verification of the older ``Ed25519Signature2020`` suite, which hashes the
same way (proof options with the document's ``@context``, then the document, each RDFC-1.0
canonicalised and SHA-256 hashed; signature over proofHash || documentHash).

Key resolution is not done here: callers pass the public key the proof's ``verificationMethod``
resolved to, so "is the signature good" stays separate from "is this the issuer's key".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import MultibaseError, ProofError
from .multibase import decode_base58btc, encode_base58btc
from .rdfc import canonicalize

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"

# (proof type, cryptosuite) pairs this module verifies; anything else is refused.
SUPPORTED_SUITES = frozenset({(DATA_INTEGRITY_PROOF, CRYPTOSUITE), (ED25519_SIGNATURE_2020, None)})

# XML Schema dateTime, as Data Integrity §2.1 requires for "created".
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def format_datetime(value: datetime) -> str:
    """``2024-05-01T10:00:00Z``: UTC, second precision, as OB 3.0 examples and verifiers expect."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hash_data(unsecured_document: dict, proof_options: dict) -> bytes:
    """EdDSA Cryptosuites §3.2.4-3.2.5: SHA-256(canonical proof config) || SHA-256(canonical document)."""
    proof_config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    proof_config["@context"] = unsecured_document.get("@context")
    proof_hash = hashlib.sha256(canonicalize(proof_config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured_document).encode("utf-8")).digest()
    return proof_hash + document_hash


# Proof options a caller may add (VC Data Integrity §2.1): they are signed with the rest of the proof config.
PROOF_OPTIONS = frozenset({"challenge", "domain", "expires", "nonce"})


def proof_create(document: dict, *, private_key: Ed25519PrivateKey, verification_method: str,
                 created: datetime | str, proof_purpose: str = "assertionMethod", extra: dict | None = None) -> dict:
    """A copy of ``document`` secured with one ``eddsa-rdfc-2022`` DataIntegrityProof. ``extra`` adds proof
    options such as ``challenge`` and ``domain`` (for ``authentication`` proofs of presentations)."""
    if "proof" in document:
        raise ProofError("The document already has a proof.", code="already_signed")
    unknown = set(extra or {}) - PROOF_OPTIONS
    if unknown:
        raise ProofError(f"Unknown proof options: {', '.join(sorted(unknown))}.", code="malformed_proof")
    proof = {
        "type": DATA_INTEGRITY_PROOF,
        "created": created if isinstance(created, str) else format_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
        **(extra or {}),
    }
    signature = private_key.sign(hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": encode_base58btc(signature)}}


def proofs_of(document: dict) -> list[dict]:
    """The document's proofs as a list (``proof`` may be one object or a set)."""
    proof = document.get("proof")
    if proof is None:
        raise ProofError("The document has no proof.", code="no_proof")
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs or not all(isinstance(p, dict) for p in proofs):
        raise ProofError("'proof' must be an object or a list of objects.", code="malformed_proof")
    return proofs


@dataclass(frozen=True)
class ProofInfo:
    type: str
    cryptosuite: str | None
    verification_method: str
    proof_purpose: str
    created: str | None


def proof_inspect(proof: dict) -> ProofInfo:
    """Check a proof's shape against the allow-list, without checking the signature."""
    ptype, suite = proof.get("type"), proof.get("cryptosuite")
    if (ptype, suite) not in SUPPORTED_SUITES:
        raise ProofError(f"Unsupported proof suite: type {ptype!r}, cryptosuite {suite!r}. "
                         "Accepted: DataIntegrityProof/eddsa-rdfc-2022, Ed25519Signature2020.",
                         code="unsupported_suite")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("The proof has no verificationMethod.", code="malformed_proof")
    if not isinstance(proof.get("proofValue"), str):
        raise ProofError("The proof has no proofValue.", code="malformed_proof")
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _DATETIME.match(created)):
        raise ProofError("The proof's 'created' is not an XML Schema dateTime.", code="malformed_proof")
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str):
        raise ProofError("The proof has no proofPurpose.", code="malformed_proof")
    return ProofInfo(ptype, suite, method, purpose, created)


def proof_verify(document: dict, proof: dict, *, public_key: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` (one of ``document``'s) is a valid signature by ``public_key``."""
    proof_inspect(proof)
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("The proof's @context differs from the document's.", code="malformed_proof")
    try:
        signature = decode_base58btc(proof["proofValue"])
    except MultibaseError as exc:
        raise ProofError(f"proofValue: {exc}", code="malformed_proof") from exc
    if len(signature) != 64:
        raise ProofError("An Ed25519 signature is 64 bytes.", code="malformed_proof")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, hash_data(unsecured, options))
    except InvalidSignature as exc:
        raise ProofError("The signature does not match the document.", code="signature_invalid") from exc
    except ValueError as exc:
        raise ProofError("The public key is not a valid Ed25519 key.", code="bad_key") from exc
