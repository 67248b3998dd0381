"""Verify one EdDSA VC-JWT: the core's path against three maintained Python JOSE libraries, in the same run.

Each row does what the verifier does for a token whose issuer key is known as a public JWK (a did:key or a
did:web verification method): import the key, split and decode the compact JWS with ``EdDSA`` as the only
accepted algorithm, check the Ed25519 signature, and read the claims as a JSON object. No claim rules: they are
the same Open Badges code whichever library checks the signature.

    .venv/bin/python bench/jose_libraries.py [--iterations 2000] [--repeats 5]

Rows: ``core`` is ``badges_service.openbadges`` (``jwk.public_key_from_jwk``, ``jws.decode_json_object``,
``jws.verify_signature``); ``joserfc``, ``PyJWT`` and ``jwcrypto`` each decode and verify with their own
API (claim checks off). Printed: median microseconds per verification, and each library's time over the core's.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from badges_service.openbadges import did_key, jwk, jws  # noqa: E402
from tests.openbadges.samples import sample_credential  # noqa: E402

MAX_BYTES = 256 * 1024
WARMUP = 50


def _token_and_jwk() -> tuple[str, dict]:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes_raw()
    did = did_key.did_key_from_public_key(raw)
    credential = sample_credential()
    claims = {"vc": credential, "iss": did, "sub": "did:example:camille", "jti": credential["id"],
              "nbf": 1735787045, "iat": 1735787045}
    token = jwk.sign(claims, private_key=private, alg="EdDSA", kid=did_key.verification_method_id(did))
    return token, {"kty": "OKP", "crv": "Ed25519", "x": jws.b64url_encode(raw)}


def core(token: str, public_jwk: dict) -> dict:
    key = jwk.public_key_from_jwk(public_jwk)
    decoded, claims = jws.decode_json_object(token, max_payload_bytes=MAX_BYTES, what="JWT")
    jws.verify_signature(decoded, key, algorithms=("EdDSA",))
    return claims


def with_joserfc(token: str, public_jwk: dict) -> dict:
    from joserfc import jwt
    from joserfc.jwk import OKPKey

    return jwt.decode(token, OKPKey.import_key(public_jwk), algorithms=["EdDSA"]).claims


def with_pyjwt(token: str, public_jwk: dict) -> dict:
    import jwt

    return jwt.decode(token, jwt.PyJWK(public_jwk, algorithm="EdDSA").key, algorithms=["EdDSA"],
                      options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
                               "verify_iss": False})


def with_jwcrypto(token: str, public_jwk: dict) -> dict:
    from jwcrypto import jwk as jwcrypto_jwk
    from jwcrypto import jwt as jwcrypto_jwt

    verified = jwcrypto_jwt.JWT(jwt=token, key=jwcrypto_jwk.JWK(**public_jwk), algs=["EdDSA"], check_claims=False)
    return json.loads(verified.claims)


def _median_us(run: Callable[[str, dict], dict], token: str, public_jwk: dict, iterations: int,
               repeats: int) -> float:
    for _ in range(WARMUP):
        run(token, public_jwk)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            run(token, public_jwk)
        samples.append((time.perf_counter() - start) / iterations * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")  # joserfc warns that RFC 9864 deprecates "EdDSA"; VC-JWT still uses it
    token, public_jwk = _token_and_jwk()
    rows = {"core": core, "joserfc": with_joserfc, "PyJWT": with_pyjwt, "jwcrypto": with_jwcrypto}
    claims = {name: run(token, public_jwk) for name, run in rows.items()}
    assert all(c == claims["core"] for c in claims.values()), "the libraries disagree on the claims"
    from importlib.metadata import version

    versions = {"joserfc": version("joserfc"), "PyJWT": version("PyJWT"), "jwcrypto": version("jwcrypto")}
    print(f"EdDSA VC-JWT verification, token {len(token)} bytes; Python {platform.python_version()}, "
          f"cryptography {version('cryptography')}; {args.iterations} x {args.repeats}")
    timings = {name: _median_us(run, token, public_jwk, args.iterations, args.repeats) for name, run in rows.items()}
    print(f"{'row':<10} {'us/verification':>16} {'x core':>8}")
    for name, us in timings.items():
        label = name if name == "core" else f"{name} {versions[name]}"
        print(f"{label:<18} {us:>8.0f} {us / timings['core']:>8.2f}")


if __name__ == "__main__":
    main()
