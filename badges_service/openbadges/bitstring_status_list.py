"""W3C Bitstring Status List v1.0: the list, its entries and the credential that publishes it.

* §2.1 ``BitstringStatusListEntry``: what a credential carries (list URL, index, purpose).
* §2.2 ``BitstringStatusListCredential``: ``encodedList`` is the multibase base64url (``u``, no padding)
  of the GZIP-compressed bitstring, which "MUST be at least 16KB" (131,072 entries) uncompressed, so
  that one credential hides among many (§6.1 herd privacy; indexes are allocated at random by callers).
* §3.1-§3.2 generation and expansion: index 0 is the left-most bit of the first byte.
* §3.3 validation: the purposes of entry and list must match; an index outside the list is an error.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from datetime import datetime

from . import contexts
from .eddsa_rdfc_2022 import format_datetime
from .errors import OpenBadgesError

MIN_LENGTH = 131_072  # bits: 16 KiB
MAX_DECODED_BYTES = 16 * 1024 * 1024  # a 128 Mbit list is far beyond any real one: refuse gzip bombs
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusList"
CREDENTIAL_TYPE = "BitstringStatusListCredential"
REVOCATION, SUSPENSION = "revocation", "suspension"
PURPOSES = (REVOCATION, SUSPENSION)


class StatusListError(OpenBadgesError):
    code = "bad_status_list"


def bitstring(length: int, set_indexes) -> bytes:
    """``length`` bits (a multiple of 8, at least MIN_LENGTH) with the given indexes set."""
    if length < MIN_LENGTH or length % 8:
        raise StatusListError(f"A status list has at least {MIN_LENGTH} entries, a multiple of 8.")
    bits = bytearray(length // 8)
    for index in set_indexes:
        if not 0 <= index < length:
            raise StatusListError(f"Index {index} is outside a list of {length} entries.")
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encode(bits: bytes) -> str:
    """§3.1: GZIP, then multibase base64url without padding. ``mtime=0`` keeps the output deterministic."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).rstrip(b"=").decode("ascii")


def decode(encoded_list: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """§3.2: the bitstring of an ``encodedList``. The decompressed size is capped (a gzip bomb is refused)."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (starting with 'u').")
    body = encoded_list[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError("encodedList is not base64url.") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container
    try:
        bits = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListError("encodedList is not GZIP data.") from exc
    if len(bits) > max_bytes:
        raise StatusListError(f"The status list expands to more than {max_bytes} bytes.")
    if not inflater.eof:
        raise StatusListError("encodedList is truncated.")
    return bits


def bit_at(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"statusListIndex {index} is outside the list ({len(bits) * 8} entries).",
                              code="status_index_out_of_range")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(*, list_url: str, index: int, purpose: str) -> dict:
    """§2.1: the ``credentialStatus`` object a credential carries."""
    return {"id": f"{list_url}#{index}", "type": ENTRY_TYPE, "statusPurpose": purpose,
            "statusListIndex": str(index), "statusListCredential": list_url}


def status_list_credential(*, list_url: str, issuer: str, purpose: str, bits: bytes, valid_from: datetime,
                           valid_until: datetime | None = None) -> dict:
    """§2.2: an unsigned ``BitstringStatusListCredential`` (VC Data Model 2.0)."""
    if purpose not in PURPOSES:
        raise StatusListError(f"Unknown status purpose {purpose!r}.")
    if len(bits) * 8 < MIN_LENGTH:
        raise StatusListError(f"A status list has at least {MIN_LENGTH} entries.")
    document = {
        "@context": [contexts.VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {"id": f"{list_url}#list", "type": LIST_TYPE, "statusPurpose": purpose,
                              "encodedList": encode(bits)},
    }
    if valid_until is not None:
        document["validUntil"] = format_datetime(valid_until)
    return document


def entries_of(credential: dict) -> list[dict]:
    """The credential's ``BitstringStatusListEntry`` objects (``credentialStatus`` may be one or a list)."""
    status = credential.get("credentialStatus")
    items = status if isinstance(status, list) else [status] if status is not None else []
    return [s for s in items if isinstance(s, dict) and s.get("type") == ENTRY_TYPE]


def entry_index(status_entry: dict) -> int:
    raw = status_entry.get("statusListIndex")
    if not isinstance(raw, str) or not raw.isdigit() or len(raw) > 12:
        raise StatusListError("statusListIndex must be a string of digits.", code="bad_status_entry")
    return int(raw)


def entry_status(status_entry: dict, list_credential: dict, *, credential_issuer: str | None) -> bool:
    """§3.3: is the entry's bit set in ``list_credential`` (whose proof the caller has already checked)?"""
    if status_entry.get("type") != ENTRY_TYPE or status_entry.get("statusPurpose") not in PURPOSES:
        raise StatusListError("Not a revocation or suspension BitstringStatusListEntry.", code="bad_status_entry")
    if status_entry.get("statusListCredential") != list_credential.get("id"):
        raise StatusListError("The entry points at another status list.", code="bad_status_entry")
    types = list_credential.get("type") or []
    subject = list_credential.get("credentialSubject")
    if CREDENTIAL_TYPE not in types or not isinstance(subject, dict) or subject.get("type") != LIST_TYPE:
        raise StatusListError("Not a BitstringStatusListCredential.")
    if subject.get("statusPurpose") != status_entry["statusPurpose"]:
        raise StatusListError("The status purposes of the entry and the list differ.", code="status_purpose_mismatch")
    list_issuer = list_credential.get("issuer")
    list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
    if credential_issuer is not None and list_issuer != credential_issuer:
        raise StatusListError("The status list has another issuer than the credential.", code="status_issuer_mismatch")
    bits = decode(subject.get("encodedList"))
    if len(bits) * 8 < MIN_LENGTH:
        raise StatusListError(f"The status list has fewer than {MIN_LENGTH} entries.")
    return bit_at(bits, entry_index(status_entry))
