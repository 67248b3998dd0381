"""OpenID4VCI 1.0 ``jwt`` key proofs (Appendix F.1, F.4) and did:jwk: each rule refuses with ``invalid_proof``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import did_jwk, did_key, jws, key_proof, vc_jwt
from badges_service.openbadges.errors import DidError

AUD = "https://badges.example.test"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _ed():
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes_raw()
    return private, did_key.did_key_from_public_key(raw), {"kty": "OKP", "crv": "Ed25519", "x": jws.b64url_encode(raw)}


def _p256():
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": jws.b64url_encode(numbers.x.to_bytes(32, "big")),
           "y": jws.b64url_encode(numbers.y.to_bytes(32, "big"))}
    return private, jwk


def proof(private, *, alg="EdDSA", header=None, **claims) -> str:
    payload = {"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n-1", **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return vc_jwt.sign(payload, private_key=private, alg=alg, typ=key_proof.PROOF_TYPE, extra_header=header or {})


def test_a_did_key_proof_names_its_did_as_holder():
    private, did, _ = _ed()
    checked = key_proof.verify(proof(private, header={"kid": did_key.verification_method_id(did)}), audience=AUD,
                               now=NOW)
    assert checked.holder == did and checked.nonce == "n-1"


def test_a_did_jwk_proof_and_a_bare_jwk_proof_give_the_same_holder():
    private, jwk = _p256()
    did = did_jwk.did_jwk_from_jwk(jwk)
    by_kid = key_proof.verify(proof(private, alg="ES256", header={"kid": did + "#0"}), audience=AUD, now=NOW)
    by_jwk = key_proof.verify(proof(private, alg="ES256", header={"jwk": jwk}), audience=AUD, now=NOW)
    assert by_kid.holder == by_jwk.holder == did
    assert did_jwk.jwk_from_did_jwk(did) == {k: jwk[k] for k in ("crv", "kty", "x", "y")}


@pytest.mark.parametrize("change", [
    "typ", "alg_none", "both_kid_and_jwk", "private_jwk", "other_key", "aud", "old_iat", "future_iat", "no_iat",
    "x5c", "https_kid", "payload_changed",
])
def test_each_broken_rule_is_an_invalid_proof(change):
    private, did, jwk = _ed()
    kid = did_key.verification_method_id(did)
    token = proof(private, header={"kid": kid})
    if change == "typ":
        token = vc_jwt.sign({"aud": AUD, "iat": int(NOW.timestamp())}, private_key=private, alg="EdDSA", typ="JWT",
                            kid=kid)
    elif change == "alg_none":
        head = jws.b64url_encode(json.dumps({"alg": "none", "typ": key_proof.PROOF_TYPE, "kid": kid}).encode())
        token = head + "." + token.split(".")[1] + "."
    elif change == "both_kid_and_jwk":
        token = proof(private, header={"kid": kid, "jwk": jwk})
    elif change == "private_jwk":
        token = proof(private, header={"jwk": {**jwk, "d": "AAAA"}})
    elif change == "other_key":
        token = proof(_ed()[0], header={"kid": kid})
    elif change == "aud":
        token = proof(private, header={"kid": kid}, aud="https://autre.example")
    elif change == "old_iat":
        token = proof(private, header={"kid": kid}, iat=int((NOW - timedelta(hours=1)).timestamp()))
    elif change == "future_iat":
        token = proof(private, header={"kid": kid}, iat=int((NOW + timedelta(hours=1)).timestamp()))
    elif change == "no_iat":
        token = proof(private, header={"kid": kid}, iat=None)
    elif change == "x5c":
        token = proof(private, header={"x5c": ["MIIB"]})
    elif change == "https_kid":
        token = proof(private, header={"kid": "https://wallet.example/keys/1"})
    elif change == "payload_changed":
        head, _, signature = token.split(".")
        body = jws.b64url_encode(json.dumps({"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n-2"}).encode())
        token = f"{head}.{body}.{signature}"
    with pytest.raises(key_proof.KeyProofError) as exc:
        key_proof.verify(token, audience=AUD, now=NOW)
    assert exc.value.code == "invalid_proof"


@pytest.mark.parametrize("value", ["did:key:z6Mk", "did:jwk:!!!", "did:jwk:" + jws.b64url_encode(b"[1]"),
                                   "did:jwk:e30#1"])
def test_a_malformed_did_jwk_is_refused(value):
    with pytest.raises(DidError):
        did_jwk.jwk_from_did_jwk(value)
