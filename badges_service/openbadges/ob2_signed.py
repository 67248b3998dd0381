"""Signed verification of an Open Badges 2.0 assertion (OB 2.0 "Signed verification"): the
``verification.creator`` CryptographicKey is owned by the BadgeClass's issuer and still listed by it (and not
revoked before the assertion was issued), and the compact JWS is signed with it in RS256 (``jws``). The ``key``
and ``proof`` checks of ``verify_ob2``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from . import jws
from .errors import OpenBadgesError
from .ob2_reading import Fetch
from .report import (
    FAILED,
    KEY_UNRESOLVED,
    PASSED,
    SKIPPED,
    KeyResolutionError,
    ReportBuilder,
    as_list,
    id_of,
    parse_datetime,
)

KeyRevokedAfter = Callable[[str], datetime | None]  # key URL -> when it was revoked, or None


def check_signed(run: ReportBuilder, assertion: dict, token: str, issuer: dict, issuer_id: str | None, fetch: Fetch,
            key_revoked_after: KeyRevokedAfter | None) -> None:
    creator = id_of(assertion["verification"].get("creator"))
    try:
        if not isinstance(creator, str):
            raise KeyResolutionError("verification.creator must be the signing key's URL.", code="no_creator")
        key = fetch(creator)
        if "CryptographicKey" not in as_list(key.get("type")) or not isinstance(key.get("publicKeyPem"), str):
            raise KeyResolutionError(f"{creator} is not a CryptographicKey with a publicKeyPem.", code="bad_key")
        public_key = load_pem_public_key(key["publicKeyPem"].encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        run.add("key", FAILED, "bad_key", f"The key is not a PEM public key: {exc}")
        run.add("proof", SKIPPED, "skipped", "No usable key.")
        return
    except OpenBadgesError as exc:
        run.add("key", FAILED, exc.code, str(exc))
        run.add("proof", SKIPPED, "skipped", KEY_UNRESOLVED)
        return
    if id_of(key.get("owner")) != issuer_id:
        run.add("key", FAILED, "issuer_mismatch", f"The key is owned by {key.get('owner')!r}, not by the issuer "
                f"{issuer_id!r}.")
        run.add("proof", SKIPPED, "skipped", "The key does not belong to the issuer.")
        return
    listed = as_list(issuer.get("publicKey")) if issuer.get("publicKey") else [creator]
    revoked_after = key_revoked_after(creator) if key_revoked_after else None
    issued = parse_datetime(assertion.get("issuedOn"))
    if creator not in [id_of(k) for k in listed] or (revoked_after and (issued is None or issued > revoked_after)):
        run.add("key", FAILED, "key_revoked", f"The issuer no longer lists the key {creator}.")
        run.add("proof", SKIPPED, "skipped", "The key is revoked.")
        return
    run.add("key", PASSED, "ok", f"Key {creator} belongs to the issuer.")
    try:
        jws.verify(token, public_key=public_key, algorithms=(jws.RS256,), max_payload_bytes=len(token))
    except OpenBadgesError as exc:
        run.add("proof", FAILED, exc.code, str(exc))
        return
    run.add("proof", PASSED, "ok", "Valid RS256 signature (JWS).")
