"""Compact JWS with RS256 (RFC 7515 / RFC 7518 §3.3), as used by signed Open Badges 2.0 assertions."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jws as joserfc_jws
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from badges_service.openbadges import jws

VECTOR = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "rfc7515_a2_rs256.json")
                    .read_text())


def _int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def rfc_key() -> rsa.RSAPrivateKey:
    k = VECTOR["jwk"]
    public = rsa.RSAPublicNumbers(_int(k["e"]), _int(k["n"]))
    return rsa.RSAPrivateNumbers(_int(k["p"]), _int(k["q"]), _int(k["d"]), _int(k["dp"]), _int(k["dq"]),
                                 _int(k["qi"]), public).private_key()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_signing_the_rfc_7515_a2_payload_gives_the_rfc_signature_byte_for_byte():
    """RSASSA-PKCS1-v1_5 is deterministic: the RFC's key, header and payload give the RFC's JWS."""
    payload = jws.b64url_decode(VECTOR["payload_b64url"])
    assert jws.sign(payload, private_key=rfc_key()) == VECTOR["compact"]


def test_the_rfc_7515_a2_jws_verifies_with_the_rfc_public_key():
    decoded = jws.verify(VECTOR["compact"], public_key=rfc_key().public_key(), max_payload_bytes=1024)
    assert decoded.header == {"alg": "RS256"}
    assert json.loads(decoded.payload) == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}


def test_a_changed_payload_header_or_signature_is_refused(key):
    token = jws.sign(b'{"a":1}', private_key=key)
    header, payload, signature = token.split(".")
    other_payload = jws.b64url_encode(b'{"a":2}')
    other_header = jws.b64url_encode(b'{"alg":"RS256","kid":"x"}')
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    for forged in (f"{header}.{other_payload}.{signature}", f"{other_header}.{payload}.{signature}",
                   f"{header}.{payload}.{flipped}"):
        with pytest.raises(jws.JwsError) as error:
            jws.verify(forged, public_key=key.public_key(), max_payload_bytes=1024)
        assert error.value.code == "signature_invalid"


def test_another_key_is_refused(key):
    token = jws.sign(b"{}", private_key=key)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jws.JwsError, match="does not match"):
        jws.verify(token, public_key=other.public_key(), max_payload_bytes=1024)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", "PS256", "ES256", "EdDSA"])
def test_algorithms_outside_the_allow_list_are_refused_before_any_cryptography(key, alg):
    """``alg: none`` and the HS256-with-the-public-key confusion are both impossible."""
    token = jws.sign(b"{}", private_key=key)
    header = jws.b64url_encode(json.dumps({"alg": alg}).encode())
    forged = header + token[token.index("."):]
    with pytest.raises(jws.JwsError) as error:
        jws.verify(forged if alg != "none" else forged.rsplit(".", 1)[0] + ".", public_key=key.public_key(),
                   max_payload_bytes=1024)
    assert error.value.code == "alg_not_allowed"


def test_the_caller_can_narrow_the_allow_list(key):
    token = jws.sign(b"{}", private_key=key)
    with pytest.raises(jws.JwsError, match="not accepted"):
        jws.verify(token, public_key=key.public_key(), algorithms=(), max_payload_bytes=1024)


def test_unknown_critical_header_parameters_are_refused(key):
    """joserfc signs no such header itself: the token is made with a registry that knows "exp"."""
    registry = joserfc_jws.JWSRegistry(header_registry={"exp": HeaderParameter("Expiry", "int")}, algorithms=["RS256"])
    token = joserfc_jws.serialize_compact({"alg": "RS256", "crit": ["exp"], "exp": 1}, b"{}", RSAKey.import_key(key),
                                          registry=registry)
    with pytest.raises(jws.JwsError) as error:
        jws.verify(token, public_key=key.public_key(), max_payload_bytes=1024)
    assert error.value.code == "crit_unsupported"


def test_oversized_header_and_payload_are_refused_before_decoding(key):
    big_header = jws.b64url_encode(json.dumps({"alg": "RS256", "x": "a" * 5000}).encode())
    with pytest.raises(jws.JwsError) as error:
        jws.decode_unverified(f"{big_header}.e30.sig", max_payload_bytes=1024)
    assert error.value.code == "too_large"
    token = jws.sign(b'{"a":"' + b"b" * 2000 + b'"}', private_key=key)
    with pytest.raises(jws.JwsError) as error:
        jws.verify(token, public_key=key.public_key(), max_payload_bytes=1024)
    assert error.value.code == "too_large"


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "!!.e30.sig", "e30.e30.sig", "bnVsbA.e30.sig",
                                   "eyJhbGciOjF9.e30.sig"])
def test_malformed_tokens_are_refused_with_a_reason(token):
    with pytest.raises(jws.JwsError) as error:
        jws.decode_unverified(token, max_payload_bytes=1024)
    assert error.value.code in {"not_jws", "bad_header"}


def test_keys_shorter_than_2048_bits_neither_sign_nor_verify():
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(jws.JwsError, match="at least 2048"):
        jws.sign(b"{}", private_key=weak)
    strong = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jws.sign(b"{}", private_key=strong)
    with pytest.raises(jws.JwsError) as error:
        jws.verify(token, public_key=weak.public_key(), max_payload_bytes=1024)
    assert error.value.code == "bad_key"


@pytest.mark.parametrize(("header", "code"), [
    ("b64alg", "bad_header"), (["alg", "b64"], "bad_header"), ({"alg": ["RS256"]}, "bad_header"),
    ({"alg": "RS256", "crit": 5}, "bad_header"), ({"alg": "RS256", "crit": [1]}, "bad_header"),
    ({"alg": "RS256", "kid": 5}, "bad_header"), ({"alg": "RS256", "jwk": [1]}, "bad_header"),
    ({"alg": "RS256", "b64": "no"}, "crit_unsupported"), ({"alg": "RS256", "crit": "exp"}, "crit_unsupported"),
])
def test_header_members_of_the_wrong_shape_are_refused_with_a_code(key, header, code):
    """Signed by hand, so that only the header's shape is wrong: a refusal, never another exception."""
    signing_input = f"{jws.b64url_encode(json.dumps(header).encode())}.{jws.b64url_encode(b'{}')}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(jws.JwsError) as error:
        jws.verify(f"{signing_input}.{jws.b64url_encode(signature)}", public_key=key.public_key(),
                   max_payload_bytes=1024)
    assert error.value.code == code
