"""Open Badges 3.0 credentials secured as a JSON Web Token (VC-JWT), verified into the report of named checks.

Two forms are read:

* OB 3.0 §8.2 "JSON Web Token Proof Format" = VC Data Model 1.1 §6.3.1: a JWT whose ``vc`` claim holds the
  credential, and whose registered claims stand for its properties: ``iss`` = ``issuer`` (id), ``sub`` =
  ``credentialSubject.id``, ``jti`` = ``id``, ``nbf`` = ``issuanceDate``/``validFrom``, ``exp`` =
  ``expirationDate``/``validUntil``. A property the issuer left out of ``vc`` is taken from its claim.
* VC-JOSE-COSE 1.0 §3.1.1 (VC Data Model 2.0): the payload *is* the credential (``typ`` ``vc+jwt``).

Through ``jws`` (joserfc): the algorithm allow-list is checked before anything else (``none`` and HMAC are never
accepted: a public key is not a shared secret), header and payload sizes are capped before decoding, critical
header parameters are refused. The key comes from ``kid`` (``did:key``, or a DID URL resolved by the caller's
``resolve_key``, e.g. ``did:web``) or, only when it is the issuer's own ``did:key``, from the header's ``jwk``.
The signature (``key``, ``proof``) and each claim (``jwt_iss``, ``jwt_sub``, ``jwt_jti``, ``jwt_nbf``,
``jwt_exp``) are separate named checks, followed by the shared ``validity`` and ``status`` checks.
Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from . import did_key, jws
from .errors import OpenBadgesError
from .jwk import (  # noqa: F401 (EDDSA, ES256, RS256, PublicKey: the VC-JWT names callers use)
    ALGORITHMS,
    EDDSA,
    ES256,
    RS256,
    KeyResolver,
    PublicKey,
    VcJwtError,
    VerificationKey,
    did_key_resolver,
    public_key_from_jwk,
    same_public_key,
    sign,
)
from .report import (
    FAILED,
    KEY_UNRESOLVED,
    PASSED,
    SKIPPED,
    Check,
    KeyResolutionError,
    Report,
    ReportBuilder,
    issuer_id_of,
    report_unreadable,
    summarise,
)
from .vc_jwt_claims import (
    CLAIM_CHECKS,
    CONTENT_TYPES,
    FORM_CLAIMS,
    FORM_PAYLOAD,
    TYPES,
    Parsed,
    claim_checks,
    is_vc_jwt,
    media_type,
    numeric_date,
    parse,
)
from .verify_ob3 import check_signing_key, verify_credential

# --- checks --------------------------------------------------------------------------------------------------


def _header_problem(header: dict, form: str) -> tuple[str, str] | None:
    try:
        jws.check_header(header, ALGORITHMS)  # the allow-list, and the header's registered parameters
    except OpenBadgesError as exc:
        return exc.code, str(exc)
    if "crit" in header:  # no VC-JWT extension is understood here
        return "crit_unsupported", "The JWT header has critical parameters this verifier does not understand."
    typ, cty = media_type(header.get("typ")), media_type(header.get("cty"))
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
        if not same_public_key(public_key_from_jwk(header["jwk"]), own.public_key):
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
        issued = numeric_date(parsed.claims, "iat") or numeric_date(parsed.claims, "nbf")
    except VcJwtError:
        issued = None
    if not check_signing_key(run, key, controller_id=issuer_id, signed_at=issued,
                             key_label=parsed.header.get("kid") or issuer_id):
        return False
    try:
        jws.verify_signature(parsed.decoded, key.public_key, algorithms=ALGORITHMS)
    except OpenBadgesError as exc:
        run.add("proof", FAILED, exc.code, str(exc))
        return False
    run.add("proof", PASSED, "ok", f"Valid {parsed.header['alg']} signature (VC-JWT).")
    return True


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
            run.report.checks.extend(claim_checks(parsed, document, now))
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
           "sign", "verify_vc_jwt"]
