"""Open Badges 3.0 credentials secured as a JSON Web Token (VC-JWT), verified into the report of named checks.

Two forms are read:

* OB 3.0 §8.2 "JSON Web Token Proof Format" = VC Data Model 1.1 §6.3.1: a JWT whose ``vc`` claim holds the
  credential, and whose registered claims stand for its properties: ``iss`` = ``issuer`` (id), ``sub`` =
  ``credentialSubject.id``, ``jti`` = ``id``, ``nbf`` = ``issuanceDate``/``validFrom``, ``exp`` =
  ``expirationDate``/``validUntil``. A property the issuer left out of ``vc`` is taken from its claim.
* VC-JOSE-COSE 1.0 §3.1.1 (VC Data Model 2.0): the payload *is* the credential (``typ`` ``vc+jwt``).

As ``jws`` (and joserfc): the algorithm allow-list is checked before anything else (``none`` and HMAC are never
accepted: a public key is not a shared secret), header and payload sizes are capped before decoding, critical
header parameters are refused. The key comes from ``kid`` (``did:key``, or a DID URL resolved by the caller's
``resolve_key``, e.g. ``did:web``) or, only when it is the issuer's own ``did:key``, from the header's ``jwk``.
The signature (``key``, ``proof``) and each claim (``jwt_iss``, ``jwt_sub``, ``jwt_jti``, ``jwt_nbf``,
``jwt_exp``) are separate named checks, followed by the shared ``validity`` and ``status`` checks.
Nothing here touches the network.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from . import contexts, did_key, jws
from .eddsa_rdfc_2022 import format_datetime
from .errors import OpenBadgesError
from .jws import MIN_RSA_BITS
from .verify import (
    FAILED,
    KEY_UNRESOLVED,
    PASSED,
    SKIPPED,
    Check,
    KeyResolutionError,
    Report,
    ReportBuilder,
    check_signing_key,
    issuer_id_of,
    parse_datetime,
    report_unreadable,
    summarise,
    verify_credential,
)

EDDSA, ES256, RS256 = "EdDSA", "ES256", "RS256"
ALGORITHMS = frozenset({EDDSA, ES256, RS256})
CLOCK_SKEW = timedelta(seconds=60)  # tolerated between the issuer's clock and ours for nbf/exp
# RFC 7519 §5.1 / VC-JOSE-COSE §3.1.1: what ``typ`` and ``cty`` may say (media types, "application/" optional).
TYPES = frozenset({"jwt", "vc+jwt", "vc+ld+jwt"})
CONTENT_TYPES = frozenset({"vc", "vc+ld+json"})
FORM_CLAIMS, FORM_PAYLOAD = "vc-jwt", "vc-jose"
CLAIM_CHECKS = ("jwt_iss", "jwt_sub", "jwt_jti", "jwt_nbf", "jwt_exp")

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


@dataclass(frozen=True)
class VerificationKey:
    public_key: PublicKey
    controller: str  # who controls the key: must be the credential's issuer
    revoked_after: datetime | None = None  # tokens issued after this instant are refused (compromised key)


KeyResolver = Callable[[str], VerificationKey]  # absolute DID URL (kid) -> key; KeyResolutionError otherwise


class VcJwtError(OpenBadgesError):
    code = "bad_vc_jwt"


@dataclass(frozen=True)
class Parsed:
    header: dict
    claims: dict  # the JWT payload
    credential: dict  # the credential, with the properties its claims stand for filled in (claims form)
    form: str
    decoded: jws.Decoded


def _media(value) -> str | None:
    return value.lower().removeprefix("application/") if isinstance(value, str) else value


def _numeric_date(claims: dict, name: str) -> datetime | None:
    """RFC 7519 §2 NumericDate; ``VcJwtError`` when present but not a number of seconds."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -(2**40) < value < 2**40:
        raise VcJwtError(f"The {name!r} claim is not a NumericDate.", code=f"bad_{name}")
    return datetime.fromtimestamp(value, UTC)


def _is_v1(credential: dict) -> bool:
    context = credential.get("@context")
    return isinstance(context, list) and bool(context) and context[0] == contexts.VC_V1


def _subject(credential: dict) -> dict | None:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and len(subject) == 1 else subject
    return subject if isinstance(subject, dict) else None


def _from_claims(claims: dict) -> dict:
    """VC Data Model 1.1 §6.3.1 "JWT decoding": the credential ``vc`` completed from the registered claims."""
    credential = copy.deepcopy(claims["vc"])
    v1 = _is_v1(credential)
    if "jti" in claims and "id" not in credential:
        credential["id"] = claims["jti"]
    if "iss" in claims:
        if isinstance(credential.get("issuer"), dict) and "id" not in credential["issuer"]:
            credential["issuer"]["id"] = claims["iss"]
        elif "issuer" not in credential:
            credential["issuer"] = claims["iss"]
    subject = _subject(credential)
    if "sub" in claims and subject is not None and "id" not in subject:
        subject["id"] = claims["sub"]
    start, end = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    try:
        nbf, exp = _numeric_date(claims, "nbf"), _numeric_date(claims, "exp")
    except VcJwtError:
        return credential  # the jwt_nbf / jwt_exp checks say what is wrong
    if nbf is not None and start not in credential:
        credential[start] = format_datetime(nbf)
    if exp is not None and end not in credential:
        credential[end] = format_datetime(exp)
    return credential


def parse(token: str, *, max_bytes: int) -> Parsed:
    """Decode a VC-JWT without checking its signature. ``OpenBadgesError`` when it is not one."""
    decoded, claims = jws.decode_json_object(token, max_payload_bytes=max_bytes, what="JWT")
    if isinstance(claims.get("vc"), dict):
        return Parsed(decoded.header, claims, _from_claims(claims), FORM_CLAIMS, decoded)
    if "@context" in claims and "type" in claims:
        return Parsed(decoded.header, claims, claims, FORM_PAYLOAD, decoded)
    raise VcJwtError("The JWT carries no credential: neither a 'vc' claim nor a credential payload.",
                     code="no_credential")


def is_vc_jwt(token: str, *, max_bytes: int) -> bool:
    """True when ``token`` decodes to a VC-JWT (either form), not, e.g., a signed OB 2.0 assertion."""
    try:
        parse(token, max_bytes=max_bytes)
    except OpenBadgesError:
        return False
    return True


# --- keys ----------------------------------------------------------------------------------------------------


def _b64_int(value) -> int:
    if not isinstance(value, str):
        raise VcJwtError("A JWK member is not base64url text.", code="bad_jwk")
    return int.from_bytes(jws.b64url_decode(value), "big")


def public_key_from_jwk(jwk) -> PublicKey:
    """RFC 7517 public JWK -> key: OKP/Ed25519 (RFC 8037), EC/P-256, RSA. A JWK with private parts is refused."""
    if not isinstance(jwk, dict):
        raise VcJwtError("A JWK is a JSON object.", code="bad_jwk")
    if any(name in jwk for name in ("d", "p", "q", "dp", "dq", "qi", "k")):
        raise VcJwtError("The JWK holds private or symmetric key material.", code="bad_jwk")
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(jws.b64url_decode(jwk.get("x") or ""))
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            return ec.EllipticCurvePublicNumbers(_b64_int(jwk.get("x")), _b64_int(jwk.get("y")),
                                                 ec.SECP256R1()).public_key()
        if jwk.get("kty") == "RSA":
            return rsa.RSAPublicNumbers(_b64_int(jwk.get("e")), _b64_int(jwk.get("n"))).public_key()
    except ValueError as exc:
        raise VcJwtError(f"The JWK is not a valid public key: {exc}", code="bad_jwk") from exc
    raise VcJwtError("Only OKP/Ed25519, EC/P-256 and RSA JWKs are accepted.", code="unsupported_key_type")


def _raw(public_key: PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def did_key_resolver(kid: str) -> VerificationKey:
    """``did:key`` (Ed25519) needs no network: the key is the identifier."""
    try:
        raw = did_key.public_key_from_did_key(kid)
    except OpenBadgesError as exc:
        raise KeyResolutionError(f"Bad did:key: {exc}", code="bad_did") from exc
    return VerificationKey(ed25519.Ed25519PublicKey.from_public_bytes(raw), kid.partition("#")[0])


def _signature_verify(alg: str, public_key: PublicKey, signature: bytes, signing_input: bytes) -> None:
    """RFC 7518 §3.3 (RS256), §3.4 (ES256: R || S, 32 bytes each), RFC 8037 §3.1 (EdDSA with Ed25519)."""
    try:
        if alg == EDDSA and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, signing_input)
        elif alg == ES256 and isinstance(public_key, ec.EllipticCurvePublicKey) \
                and isinstance(public_key.curve, ec.SECP256R1):
            if len(signature) != 64:
                raise VcJwtError("An ES256 signature is 64 bytes (R || S).", code="signature_invalid")
            der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                             int.from_bytes(signature[32:], "big"))
            public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == RS256 and isinstance(public_key, rsa.RSAPublicKey):
            if public_key.key_size < MIN_RSA_BITS:
                raise VcJwtError(f"RSA keys have at least {MIN_RSA_BITS} bits.", code="weak_key")
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise VcJwtError(f"The key is not a {alg} key.", code="alg_key_mismatch")
    except InvalidSignature as exc:
        raise VcJwtError("The JWT signature does not match.", code="signature_invalid") from exc


signature_verify = _signature_verify  # for other JOSE checks of the core (OpenID4VCI key proofs)


def sign(payload: dict, *, private_key, alg: str, kid: str | None = None, typ: str = "vc+jwt",
         extra_header: dict | None = None) -> str:
    """A compact JWS of ``payload`` (tests and tools; the service issues Data Integrity proofs)."""
    header = {"alg": alg, "typ": typ, **({"kid": kid} if kid else {}), **(extra_header or {})}
    signing_input = jws.signing_input(header, json.dumps(payload, separators=(",", ":")).encode()).encode("ascii")
    if alg == EDDSA:
        signature = private_key.sign(signing_input)
    elif alg == ES256:
        r, s = utils.decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == RS256:
        signature = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise VcJwtError(f"{alg} is not an accepted algorithm.", code="alg_not_allowed")
    return f"{signing_input.decode('ascii')}.{jws.b64url_encode(signature)}"


# --- checks --------------------------------------------------------------------------------------------------


def _header_problem(header: dict, form: str) -> tuple[str, str] | None:
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        return "alg_not_allowed", f"JWT algorithm {alg!r} is not accepted (accepted: {', '.join(sorted(ALGORITHMS))})."
    if "crit" in header or header.get("b64") is False:
        return "crit_unsupported", "The JWT header has critical parameters this verifier does not understand."
    typ, cty = _media(header.get("typ")), _media(header.get("cty"))
    if typ is not None and typ not in TYPES:
        return "bad_typ", f"typ {header['typ']!r} is not a VC-JWT type (vc+jwt, or JWT)."
    if form == FORM_PAYLOAD and typ == "jwt":
        return "bad_typ", "A credential payload is typed vc+jwt, not JWT."
    if cty is not None and cty not in CONTENT_TYPES:
        return "bad_cty", f"cty {header['cty']!r} is not a credential (vc); nested JWTs are not accepted."
    return None


def _key_for(parsed: Parsed, issuer_id, resolve_key: KeyResolver) -> VerificationKey:
    header = parsed.header
    kid = header.get("kid")
    if kid is not None:
        if not isinstance(kid, str) or not kid or len(kid) > 2048:
            raise KeyResolutionError("The JWT's kid is not a usable identifier.", code="bad_kid")
        if kid.startswith("#") and isinstance(issuer_id, str):
            kid = issuer_id + kid  # relative to the issuer's DID
        if kid.startswith(did_key.PREFIX):
            return did_key_resolver(kid)
        return resolve_key(kid)
    if "jwk" in header:
        if not isinstance(issuer_id, str) or not issuer_id.startswith(did_key.PREFIX):
            raise KeyResolutionError("A key given in the JWT header is trusted only when it is the issuer's own "
                                     "did:key.", code="jwk_not_issuer_key")
        own = did_key_resolver(issuer_id)
        if _raw(public_key_from_jwk(header["jwk"])) != _raw(own.public_key):
            raise KeyResolutionError("The key in the JWT header is not the issuer's did:key.",
                                     code="jwk_not_issuer_key")
        return own
    if isinstance(issuer_id, str) and issuer_id.startswith(did_key.PREFIX):
        return did_key_resolver(issuer_id)
    raise KeyResolutionError("The JWT names no key (kid).", code="no_kid")


def _key_and_signature(run: ReportBuilder, parsed: Parsed, issuer_id, resolve_key: KeyResolver) -> bool:
    problem = _header_problem(parsed.header, parsed.form)
    if problem:
        run.add("key", SKIPPED, "skipped", "The JWT header is refused.")
        run.add("proof", FAILED, *problem)
        return False
    try:
        key = _key_for(parsed, issuer_id, resolve_key)
    except KeyResolutionError as exc:
        run.add("key", FAILED, exc.code, str(exc))
        run.add("proof", SKIPPED, "skipped", KEY_UNRESOLVED)
        return False
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, str(exc))
        run.add("proof", SKIPPED, "skipped", "No usable key.")
        return False
    try:
        issued = _numeric_date(parsed.claims, "iat") or _numeric_date(parsed.claims, "nbf")
    except VcJwtError:
        issued = None
    if not check_signing_key(run, key, controller_id=issuer_id, signed_at=issued,
                             key_label=parsed.header.get("kid") or issuer_id):
        return False
    try:
        _signature_verify(parsed.header["alg"], key.public_key, parsed.decoded.signature, parsed.decoded.signing_input)
    except VcJwtError as exc:
        run.add("proof", FAILED, exc.code, str(exc))
        return False
    run.add("proof", PASSED, "ok", f"Valid {parsed.header['alg']} signature (VC-JWT).")
    return True


def _same_instant(claim: datetime, value) -> bool:
    parsed = parse_datetime(value)
    return parsed is not None and int(parsed.timestamp()) == int(claim.timestamp())


def _claim_checks(parsed: Parsed, credential: dict, now: datetime) -> list[Check]:
    claims, required = parsed.claims, parsed.form == FORM_CLAIMS
    v1 = _is_v1(credential)
    start, end = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    checks = []

    def add(name: str, result: str, code: str, message: str) -> None:
        checks.append(Check(name, result, code, message))

    issuer_id = issuer_id_of(credential)
    if "iss" in claims:
        ok = claims["iss"] == issuer_id
        add("jwt_iss", PASSED if ok else FAILED, "ok" if ok else "iss_mismatch",
            "iss is the credential's issuer." if ok else f"iss {claims['iss']!r} is not the issuer {issuer_id!r}.")
    else:
        add("jwt_iss", FAILED if required else SKIPPED, "iss_missing" if required else "absent",
            "The JWT has no iss claim." if required else "No iss claim (the payload is the credential).")

    subject = _subject(credential)
    subject_id = subject.get("id") if subject else None
    if "sub" in claims or subject_id is not None:
        ok = claims.get("sub", subject_id) == subject_id
        add("jwt_sub", PASSED if ok else FAILED, "ok" if ok else "sub_mismatch",
            "sub is the credential subject's id." if ok
            else f"sub {claims.get('sub')!r} is not the credential subject {subject_id!r}.")
    else:
        add("jwt_sub", SKIPPED, "absent", "Neither sub nor a credential subject id.")

    if "jti" in claims or "id" in credential:
        ok = claims.get("jti", credential.get("id")) == credential.get("id")
        add("jwt_jti", PASSED if ok else FAILED, "ok" if ok else "jti_mismatch",
            "jti is the credential's id." if ok
            else f"jti {claims.get('jti')!r} is not the id {credential.get('id')!r}.")
    else:
        add("jwt_jti", SKIPPED, "absent", "Neither jti nor a credential id.")

    try:
        nbf = _numeric_date(claims, "nbf")
    except VcJwtError as exc:
        add("jwt_nbf", FAILED, exc.code, str(exc))
    else:
        if nbf is None:
            add("jwt_nbf", SKIPPED, "absent", "No nbf claim.")
        elif start in credential and not _same_instant(nbf, credential[start]):
            add("jwt_nbf", FAILED, "nbf_mismatch",
                f"nbf ({format_datetime(nbf)}) is not {start} ({credential[start]}).")
        elif nbf > now + CLOCK_SKEW:
            add("jwt_nbf", FAILED, "not_yet_valid", f"Not valid before {format_datetime(nbf)}.")
        else:
            add("jwt_nbf", PASSED, "ok", f"Valid since {format_datetime(nbf)}.")

    try:
        exp = _numeric_date(claims, "exp")
    except VcJwtError as exc:
        add("jwt_exp", FAILED, exc.code, str(exc))
    else:
        if exp is None and end in credential and required:
            add("jwt_exp", FAILED, "exp_missing", f"The credential has {end} but the JWT has no exp claim.")
        elif exp is None:
            add("jwt_exp", SKIPPED, "absent", "No exp claim.")
        elif end in credential and not _same_instant(exp, credential[end]):
            add("jwt_exp", FAILED, "exp_mismatch", f"exp ({format_datetime(exp)}) is not {end} ({credential[end]}).")
        elif exp <= now - CLOCK_SKEW:
            add("jwt_exp", FAILED, "expired", f"Expired on {format_datetime(exp)}.")
        else:
            add("jwt_exp", PASSED, "ok", f"Valid until {format_datetime(exp)}.")
    return checks


def verify_vc_jwt(token: str, *, resolve_key: KeyResolver, max_bytes: int, now: datetime | None = None,
                  check_status: Callable[[dict], Check | None] | None = None,
                  schema_errors: Callable[[dict], list[str]] | None = None) -> Report:
    """Verify a VC-JWT. Never raises for bad input: problems become failed checks."""
    now = now or datetime.now(UTC)
    try:
        parsed = parse(token, max_bytes=max_bytes)
    except OpenBadgesError as exc:
        return report_unreadable(exc)
    credential = parsed.credential
    issuer_id = issuer_id_of(credential)

    def key_and_proof(run: ReportBuilder, document: dict) -> None:
        if _key_and_signature(run, parsed, issuer_id, resolve_key):
            run.report.checks.extend(_claim_checks(parsed, document, now))
        else:
            for name in CLAIM_CHECKS:
                run.add(name, SKIPPED, "skipped", "The signature was not verified, so its claims were not checked.")

    report = verify_credential(credential, resolve_key=lambda _: None, now=now, check_status=check_status,
                               schema_errors=schema_errors, key_and_proof=key_and_proof)
    report.checks[0] = Check("json", PASSED, "ok", "A VC-JWT: " + (
        "JWT claims with the credential in 'vc'." if parsed.form == FORM_CLAIMS
        else "the JWT payload is the credential."))
    report.summary = {**summarise(credential), "format": "ob3-vc-jwt", "jwt_form": parsed.form}
    return report


__all__ = ["ALGORITHMS", "VerificationKey", "did_key_resolver", "is_vc_jwt", "parse", "public_key_from_jwk",
           "sign", "signature_verify", "verify_vc_jwt"]
