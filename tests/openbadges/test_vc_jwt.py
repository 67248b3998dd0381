"""VC-JWT (badges_service/openbadges/vc_jwt.py): both forms verify into the report of named checks; every
tampering, wrong key, refused algorithm and claim that disagrees with the credential fails with its own code."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from badges_service.openbadges import contexts, did_key, jwk, jws, vc_jwt
from badges_service.openbadges.report import KeyResolutionError
from badges_service.openbadges.schema import schema_errors

from .samples import sample_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUED = int(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp())
WEB_DID = "did:web:issuer.example"


@pytest.fixture(scope="module")
def ed_key():
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def issuer_did(ed_key):
    return did_key.did_key_from_public_key(ed_key.public_key().public_bytes_raw())


def _credential(issuer_id: str, **changes) -> dict:
    credential = sample_credential()
    credential["issuer"]["id"] = issuer_id
    credential["credentialSubject"]["id"] = "did:example:camille"
    credential.update(changes)
    return credential


def _claims(credential: dict, **changes) -> dict:
    """OB 3.0 §8.2 / VC 1.1 §6.3.1: the registered claims stand for the credential's properties."""
    claims = {"vc": credential, "iss": credential["issuer"]["id"], "sub": credential["credentialSubject"]["id"],
              "jti": credential["id"], "nbf": ISSUED, "iat": ISSUED}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _verify(token: str, resolve=None, now=NOW):
    def refuse(kid):
        raise KeyResolutionError(f"{kid} is unknown here")

    return vc_jwt.verify_vc_jwt(token, resolve_key=resolve or refuse, max_bytes=256 * 1024, now=now,
                                schema_errors=schema_errors)


def _codes(report) -> dict:
    return {c.name: (c.result, c.code) for c in report.checks}


def _failed(report) -> dict:
    return {c.name: c.code for c in report.checks if c.result == "failed"}


def test_a_did_key_vc_jwt_with_claims_verifies_and_lists_each_claim_check(ed_key, issuer_did):
    token = jwk.sign(_claims(_credential(issuer_did)), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did), typ="JWT")
    report = _verify(token)
    assert report.valid, report.as_json()
    codes = _codes(report)
    assert [c.name for c in report.checks] == ["json", "context", "type", "schema", "key", "proof", "jwt_iss",
                                               "jwt_sub", "jwt_jti", "jwt_nbf", "jwt_exp", "validity", "status"]
    assert codes["proof"] == ("passed", "ok") and codes["jwt_exp"] == ("skipped", "absent")
    assert report.summary["format"] == "ob3-vc-jwt" and report.summary["jwt_form"] == "vc-jwt"


def test_the_payload_is_the_credential_form_of_vc_jose_2_0_verifies(ed_key, issuer_did):
    token = jwk.sign(_credential(issuer_did), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did), extra_header={"cty": "vc"})
    report = _verify(token)
    assert report.valid, report.as_json()
    assert _codes(report)["jwt_iss"] == ("skipped", "absent") and report.summary["jwt_form"] == "vc-jose"


def test_properties_left_out_of_vc_are_taken_from_the_claims(ed_key, issuer_did):
    """VC 1.1 §6.3.1: an issuer may drop id, issuer, dates and subject id from ``vc`` and keep only the claims."""
    credential = _credential(issuer_did, **{"@context": [contexts.VC_V1, contexts.OB_V3]})
    claims = _claims(credential, exp=ISSUED + 3600 * 24 * 365 * 3)
    stripped = copy.deepcopy(credential)
    for name in ("id", "validFrom"):
        stripped.pop(name)
    stripped["issuer"].pop("id")
    stripped["credentialSubject"].pop("id")
    claims["vc"] = stripped
    report = _verify(jwk.sign(claims, private_key=ed_key, alg="EdDSA", kid=did_key.verification_method_id(
        issuer_did)))
    assert report.summary["id"] == credential["id"] and report.summary["issuer"]["id"] == issuer_did
    assert report.summary["validFrom"] == "2025-01-02T03:04:05Z" and report.summary["validUntil"]
    assert _codes(report)["jwt_exp"] == ("passed", "ok") and _codes(report)["key"] == ("passed", "ok")


@pytest.mark.parametrize(("changes", "check", "code"), [
    ({"iss": "did:key:z6MkOther"}, "jwt_iss", "iss_mismatch"),
    ({"iss": None}, "jwt_iss", "iss_missing"),
    ({"sub": "did:example:someone-else"}, "jwt_sub", "sub_mismatch"),
    ({"jti": "urn:uuid:another"}, "jwt_jti", "jti_mismatch"),
    ({"nbf": ISSUED + 10}, "jwt_nbf", "nbf_mismatch"),
    ({"nbf": "2025-01-02"}, "jwt_nbf", "bad_nbf"),
    ({"exp": True}, "jwt_exp", "bad_exp"),
])
def test_each_claim_that_disagrees_with_the_credential_fails_its_own_check(ed_key, issuer_did, changes, check, code):
    token = jwk.sign(_claims(_credential(issuer_did), **changes), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did))
    report = _verify(token)
    assert not report.valid and _failed(report) == {check: code}, report.as_json()


def test_an_expired_token_is_expired_and_a_future_one_not_yet_valid(ed_key, issuer_did):
    credential = _credential(issuer_did, validUntil="2025-03-01T00:00:00Z")
    exp = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    token = jwk.sign(_claims(credential, exp=exp), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did))
    report = _verify(token)
    assert _failed(report) == {"jwt_exp": "expired", "validity": "expired"} and report.status == "expired"
    assert _verify(token, now=datetime(2025, 2, 1, tzinfo=UTC)).valid
    report = _verify(token, now=datetime(2024, 12, 1, tzinfo=UTC))
    assert _failed(report) == {"jwt_nbf": "not_yet_valid", "validity": "not_yet_valid"}


def test_exp_missing_while_the_credential_expires_is_refused(ed_key, issuer_did):
    credential = _credential(issuer_did, validUntil="2026-03-01T00:00:00Z")
    token = jwk.sign(_claims(credential), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did))
    assert _failed(_verify(token)) == {"jwt_exp": "exp_missing"}


def _tamper_payload(token: str, edit) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(jws.b64url_decode(payload))
    edit(claims)
    return ".".join([header, jws.b64url_encode(json.dumps(claims).encode()), signature])


@pytest.mark.parametrize("edit", [
    lambda c: c["vc"]["credentialSubject"]["achievement"].update(name="Directeur général"),
    lambda c: c["vc"].update(validFrom="2020-01-01T00:00:00Z"),
    lambda c: c.update(nbf=ISSUED - 1, vc={**c["vc"], "validFrom": "2025-01-02T03:04:04Z"}),
    lambda c: c["vc"]["credentialSubject"].update(id="did:example:mallory") or c.update(sub="did:example:mallory"),
])
def test_any_change_to_the_payload_breaks_the_signature(ed_key, issuer_did, edit):
    token = jwk.sign(_claims(_credential(issuer_did)), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did))
    report = _verify(_tamper_payload(token, edit))
    assert _codes(report)["proof"] == ("failed", "signature_invalid") and report.status == "invalid"


def test_a_token_signed_by_another_key_fails(issuer_did):
    other = ed25519.Ed25519PrivateKey.generate()
    token = jwk.sign(_claims(_credential(issuer_did)), private_key=other, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did))
    assert _codes(_verify(token))["proof"] == ("failed", "signature_invalid")


def test_a_key_of_another_controller_is_not_the_issuers(ed_key, issuer_did):
    other = ed25519.Ed25519PrivateKey.generate()
    other_did = did_key.did_key_from_public_key(other.public_key().public_bytes_raw())
    token = jwk.sign(_claims(_credential(issuer_did)), private_key=other, alg="EdDSA",
                        kid=did_key.verification_method_id(other_did))
    report = _verify(token)
    assert _codes(report)["key"] == ("failed", "issuer_mismatch") and _codes(report)["proof"][0] == "skipped"


@pytest.mark.parametrize("header", [
    {"alg": "none"}, {"alg": "HS256"}, {"alg": "HS512"}, {"alg": "ES512"}, {"alg": "PS256"}, {"alg": "EDDSA"},
])
def test_refused_algorithms_fail_before_any_key_is_used(ed_key, issuer_did, header):
    token = jwk.sign(_claims(_credential(issuer_did)), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did))
    forged_header = jws.b64url_encode(json.dumps({**header, "kid": did_key.verification_method_id(issuer_did)})
                                      .encode())
    _, payload, signature = token.split(".")
    for forged in (f"{forged_header}.{payload}.", f"{forged_header}.{payload}.{signature}"):
        report = _verify(forged)
        assert _codes(report)["proof"] == ("failed", "alg_not_allowed") and _codes(report)["key"][0] == "skipped"


@pytest.mark.parametrize(("extra", "code"), [({"typ": "at+jwt"}, "bad_typ"), ({"cty": "JWT"}, "bad_cty")])
def test_header_types_are_checked(ed_key, issuer_did, extra, code):
    token = jwk.sign(_claims(_credential(issuer_did)), private_key=ed_key, alg="EdDSA",
                        kid=did_key.verification_method_id(issuer_did), extra_header=extra)
    assert _codes(_verify(token))["proof"] == ("failed", code)


@pytest.mark.parametrize(("extra", "check", "code"), [
    ({"crit": ["exp"], "exp": ISSUED}, "proof", "crit_unsupported"), ({"crit": ["kid"]}, "proof", "crit_unsupported"),
    ({"b64": False}, "json", "crit_unsupported"), ({"crit": ["b64"], "b64": False}, "json", "not_json"),
])
def test_critical_header_parameters_are_refused(ed_key, issuer_did, extra, check, code):
    """Signed by hand: joserfc makes no such token. With "b64": false (RFC 7797) the token is not read as a
    VC-JWT at all: its payload is not base64url JSON."""
    header = {"alg": "EdDSA", "kid": did_key.verification_method_id(issuer_did), **extra}
    signing_input = ".".join(jws.b64url_encode(json.dumps(part).encode())
                             for part in (header, _claims(_credential(issuer_did))))
    token = f"{signing_input}.{jws.b64url_encode(ed_key.sign(signing_input.encode()))}"
    assert _codes(_verify(token))[check] == ("failed", code)


def test_a_header_jwk_is_trusted_only_when_it_is_the_issuers_did_key(ed_key, issuer_did):
    def public_jwk(key):
        return {"kty": "OKP", "crv": "Ed25519", "x": jws.b64url_encode(key.public_key().public_bytes_raw())}

    own = jwk.sign(_claims(_credential(issuer_did)), private_key=ed_key, alg="EdDSA",
                      extra_header={"jwk": public_jwk(ed_key)})
    assert _verify(own).valid
    attacker = ed25519.Ed25519PrivateKey.generate()
    forged = jwk.sign(_claims(_credential(issuer_did)), private_key=attacker, alg="EdDSA",
                         extra_header={"jwk": public_jwk(attacker)})
    assert _codes(_verify(forged))["key"] == ("failed", "jwk_not_issuer_key")
    web = jwk.sign(_claims(_credential(WEB_DID)), private_key=attacker, alg="EdDSA",
                      extra_header={"jwk": public_jwk(attacker)})
    assert _codes(_verify(web))["key"] == ("failed", "jwk_not_issuer_key")


@pytest.mark.parametrize(("alg", "make"), [
    ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
    ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ("EdDSA", ed25519.Ed25519PrivateKey.generate),
])
def test_keys_from_the_callers_resolver_in_each_accepted_algorithm(alg, make):
    key = make()
    kid = WEB_DID + "#key-1"

    def resolve(asked):
        assert asked == kid
        return jwk.VerificationKey(key.public_key(), WEB_DID)

    token = jwk.sign(_claims(_credential(WEB_DID)), private_key=key, alg=alg, kid="#key-1")  # relative kid
    assert _verify(token, resolve).valid
    wrong_alg = {"ES256": "RS256", "RS256": "EdDSA", "EdDSA": "ES256"}[alg]
    header, payload, signature = token.split(".")
    relabelled = jws.b64url_encode(json.dumps({"alg": wrong_alg, "kid": kid}).encode())
    assert _codes(_verify(f"{relabelled}.{payload}.{signature}", resolve))["proof"] == ("failed", "alg_key_mismatch")


def test_an_unresolvable_key_is_unverifiable_not_invalid(ed_key):
    token = jwk.sign(_claims(_credential(WEB_DID)), private_key=ed_key, alg="EdDSA", kid=WEB_DID + "#k")
    report = _verify(token)
    assert _codes(report)["key"] == ("failed", "key_unresolvable") and report.status == "unverifiable"


def test_a_revoked_key_refuses_tokens_issued_after_the_compromise(ed_key):
    compromised = datetime(2025, 1, 1, tzinfo=UTC)

    def resolve(kid):
        return jwk.VerificationKey(ed_key.public_key(), WEB_DID, revoked_after=compromised)

    token = jwk.sign(_claims(_credential(WEB_DID)), private_key=ed_key, alg="EdDSA", kid=WEB_DID + "#k")
    assert _codes(_verify(token, resolve))["key"] == ("failed", "key_revoked")


@pytest.mark.parametrize(("token", "code"), [
    ("a.b", "not_jws"), ("e30.e30.", "bad_header"), ("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", "not_json"),
    ("eyJhbGciOiJFZERTQSJ9.WzFd.c2ln", "not_object"), ("eyJhbGciOiJFZERTQSJ9.e30.c2ln", "no_credential"),
])
def test_unreadable_tokens_fail_the_json_check_with_a_precise_code(token, code):
    report = _verify(token)
    assert report.checks[0].name == "json" and (report.checks[0].result, report.checks[0].code) == ("failed", code)


def test_oversized_tokens_are_refused_before_decoding(ed_key, issuer_did):
    token = jwk.sign(_claims(_credential(issuer_did), pad="x" * 5000), private_key=ed_key, alg="EdDSA")
    report = vc_jwt.verify_vc_jwt(token, resolve_key=lambda kid: None, max_bytes=1000, now=NOW)
    assert report.checks[0].code == "too_large"


def test_a_private_or_symmetric_jwk_is_refused():
    with pytest.raises(jwk.VcJwtError):
        jwk.public_key_from_jwk({"kty": "oct", "k": "c2VjcmV0"})
    with pytest.raises(jwk.VcJwtError):
        jwk.public_key_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "AAAA"})
