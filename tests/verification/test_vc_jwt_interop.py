"""VC-JWTs made by an independent implementation (panva's ``jose``, interop/vc_jwt_sign.mjs) verify in ours, in
each accepted algorithm, with keys from did:key or from a foreign did:web document fetched over HTTPS; ours
verify in ``jose``; and tampered, wrong-key, ``alg: none``, HMAC and expired tokens are refused with precise codes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from badges_service.openbadges import did_key, did_web, jwk, jws
from tests.interop.node import node_available, run_node
from tests.openbadges.samples import sample_credential
from verification.services import credential_jwt_verify, credential_verify_raw

from .document_server import DocumentServer

pytestmark = [pytest.mark.interop, pytest.mark.skipif(not node_available(),
                                                      reason="node and interop/node_modules are not installed")]
ISSUED = int(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp())


def _b64(number: int, size: int | None = None) -> str:
    size = size or (number.bit_length() + 7) // 8
    return jws.b64url_encode(number.to_bytes(size, "big"))


def private_jwk(key) -> dict:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return {"kty": "OKP", "crv": "Ed25519", "x": jws.b64url_encode(key.public_key().public_bytes_raw()),
                "d": jws.b64url_encode(key.private_bytes_raw())}
    if isinstance(key, ec.EllipticCurvePrivateKey):
        numbers = key.private_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _b64(numbers.public_numbers.x, 32),
                "y": _b64(numbers.public_numbers.y, 32), "d": _b64(numbers.private_value, 32)}
    numbers = key.private_numbers()
    return {"kty": "RSA", "n": _b64(numbers.public_numbers.n), "e": _b64(numbers.public_numbers.e),
            "d": _b64(numbers.d), "p": _b64(numbers.p), "q": _b64(numbers.q), "dp": _b64(numbers.dmp1),
            "dq": _b64(numbers.dmq1), "qi": _b64(numbers.iqmp)}


def public_jwk(key) -> dict:
    jwk = private_jwk(key)
    return {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y", "n", "e")}


def jose_sign(*jobs: dict) -> list[str]:
    results = run_node("vc_jwt_sign.mjs", {"jobs": [{"op": "sign", **job} for job in jobs]})["results"]
    return [r["token"] for r in results]


def _credential(issuer: str, **changes) -> dict:
    document = sample_credential(credential_id=f"urn:uuid:{uuid.uuid4()}")
    document["issuer"]["id"] = issuer
    document.update(changes)
    return document


def _claims(document: dict, **changes) -> dict:
    return {"vc": document, "iss": document["issuer"]["id"], "jti": document["id"], "nbf": ISSUED, **changes}


def _codes(report) -> dict:
    return {c.name: (c.result, c.code) for c in report.checks}


@pytest.fixture
def ed_issuer():
    key = ed25519.Ed25519PrivateKey.generate()
    return key, did_key.did_key_from_public_key(key.public_key().public_bytes_raw())


def test_jose_tokens_in_both_forms_verify_in_ours_and_each_change_is_refused(db, ed_issuer):
    key, did = ed_issuer
    kid = did_key.verification_method_id(did)
    expired_document = _credential(did, validUntil="2025-03-01T00:00:00Z")
    other = ed25519.Ed25519PrivateKey.generate()
    good, payload_form, wrong_key, expired, hs256 = jose_sign(
        {"jwk": private_jwk(key), "alg": "EdDSA", "header": {"typ": "JWT", "kid": kid},
         "payload": _claims(_credential(did))},
        {"jwk": private_jwk(key), "alg": "EdDSA", "header": {"typ": "vc+jwt", "cty": "vc", "kid": kid},
         "payload": _credential(did)},
        {"jwk": private_jwk(other), "alg": "EdDSA", "header": {"kid": kid}, "payload": _claims(_credential(did))},
        {"jwk": private_jwk(key), "alg": "EdDSA", "header": {"kid": kid},
         "payload": _claims(expired_document, exp=int(datetime(2025, 3, 1, tzinfo=UTC).timestamp()))},
        {"jwk": {"kty": "oct", "k": jws.b64url_encode(b"k" * 32)}, "alg": "HS256", "header": {"kid": kid},
         "payload": _claims(_credential(did))},
    )
    report = credential_verify_raw(raw=good, content_type="application/jwt")
    assert report.valid, report.as_json()
    assert report.summary["jwt_form"] == "vc-jwt"
    report = credential_verify_raw(raw=payload_form)
    assert report.valid and report.summary["jwt_form"] == "vc-jose", report.as_json()

    header, payload, signature = good.split(".")
    claims = json.loads(jws.b64url_decode(payload))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Directeur général"
    tampered = f"{header}.{jws.b64url_encode(json.dumps(claims).encode())}.{signature}"
    assert _codes(credential_jwt_verify(token=tampered))["proof"] == ("failed", "signature_invalid")
    assert _codes(credential_jwt_verify(token=wrong_key))["proof"] == ("failed", "signature_invalid")
    none = jws.b64url_encode(json.dumps({"alg": "none", "kid": kid}).encode())
    assert _codes(credential_jwt_verify(token=f"{none}.{payload}."))["proof"] == ("failed", "alg_not_allowed")
    assert _codes(credential_jwt_verify(token=hs256))["proof"] == ("failed", "alg_not_allowed")
    report = credential_jwt_verify(token=expired)
    assert report.status == "expired" and _codes(report)["jwt_exp"] == ("failed", "expired")


@pytest.mark.parametrize(("alg", "make"), [
    ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
    ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ("EdDSA", ed25519.Ed25519PrivateKey.generate),
])
def test_jose_tokens_with_a_key_in_a_foreign_did_web_document_verify(db, settings, tmp_path, alg, make):
    server = DocumentServer(tls_dir=tmp_path)
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    settings.BADGES_FETCH_CA_FILE = str(server.ca_file)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"interop-{uuid.uuid4()}"}}
    try:
        key = make()
        did = did_web.did_web_from_url(f"{server.origin}/issuers/hopital")
        method = {"id": f"{did}#jwt-1", "type": "JsonWebKey", "controller": did, "publicKeyJwk": public_jwk(key)}
        server.serve("/issuers/hopital/did.json", json.dumps({
            "@context": ["https://www.w3.org/ns/did/v1"], "id": did, "verificationMethod": [method],
            "assertionMethod": [method["id"]]}), content_type="application/did+json")
        [token] = jose_sign({"jwk": private_jwk(key), "alg": alg, "header": {"typ": "vc+jwt", "kid": method["id"]},
                             "payload": _claims(_credential(did))})
        report = credential_jwt_verify(token=token)
        assert report.valid, report.as_json()
        assert _codes(report)["key"] == ("passed", "ok")
    finally:
        server.close()


def test_our_tokens_verify_in_jose(ed_issuer):
    key, did = ed_issuer
    claims = _claims(_credential(did))
    token = jwk.sign(claims, private_key=key, alg="EdDSA", kid=did_key.verification_method_id(did), typ="JWT")
    [result] = run_node("vc_jwt_sign.mjs", {"jobs": [{"op": "verify", "jwk": public_jwk(key), "alg": "EdDSA",
                                                      "token": token}]})["results"]
    assert result["verified"] is True and result["payload"]["vc"]["id"] == claims["vc"]["id"]
    other = ed25519.Ed25519PrivateKey.generate()
    [result] = run_node("vc_jwt_sign.mjs", {"jobs": [{"op": "verify", "jwk": public_jwk(other), "alg": "EdDSA",
                                                      "token": token}]})["results"]
    assert result["verified"] is False
