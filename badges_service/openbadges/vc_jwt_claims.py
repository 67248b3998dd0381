"""Reading a VC-JWT: its two forms (OB 3.0 §8.2 / VC Data Model 1.1 §6.3.1 claims; VC-JOSE-COSE 1.0 §3.1.1
payload), the credential its claims stand for, and the checks of those claims (``jwt_iss``, ``jwt_sub``,
``jwt_jti``, ``jwt_nbf``, ``jwt_exp``). The signature and the report are ``vc_jwt``'s."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import contexts, jws
from .eddsa_rdfc_2022 import format_datetime
from .errors import OpenBadgesError
from .jwk import VcJwtError
from .report import FAILED, PASSED, SKIPPED, Check, issuer_id_of, parse_datetime

CLOCK_SKEW = timedelta(seconds=60)  # tolerated between the issuer's clock and ours for nbf/exp
# RFC 7519 §5.1 / VC-JOSE-COSE §3.1.1: what ``typ`` and ``cty`` may say (media types, "application/" optional).
TYPES = frozenset({"jwt", "vc+jwt", "vc+ld+jwt"})
CONTENT_TYPES = frozenset({"vc", "vc+ld+json"})
FORM_CLAIMS, FORM_PAYLOAD = "vc-jwt", "vc-jose"
CLAIM_CHECKS = ("jwt_iss", "jwt_sub", "jwt_jti", "jwt_nbf", "jwt_exp")

@dataclass(frozen=True)
class Parsed:
    header: dict
    claims: dict  # the JWT payload
    credential: dict  # the credential, with the properties its claims stand for filled in (claims form)
    form: str
    decoded: jws.Decoded


def media_type(value) -> str | None:
    return value.lower().removeprefix("application/") if isinstance(value, str) else value


def numeric_date(claims: dict, name: str) -> datetime | None:
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
        nbf, exp = numeric_date(claims, "nbf"), numeric_date(claims, "exp")
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


def _same_instant(claim: datetime, value) -> bool:
    parsed = parse_datetime(value)
    return parsed is not None and int(parsed.timestamp()) == int(claim.timestamp())


def claim_checks(parsed: Parsed, credential: dict, now: datetime) -> list[Check]:
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
        nbf = numeric_date(claims, "nbf")
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
        exp = numeric_date(claims, "exp")
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
