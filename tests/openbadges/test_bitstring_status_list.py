"""W3C Bitstring Status List v1.0: encoding, the minimum size, entries and the status check."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badges_service.openbadges import bitstring_status_list as bsl

VECTOR = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "vectors" /
                     "bitstring_status_list_minimum.json").read_text())
URL = "https://badges.example.test/issuers/x/status/1"
ISSUER = "did:web:badges.example.test:issuers:x"


def listed(indexes, purpose=bsl.REVOCATION) -> dict:
    return bsl.status_list_credential(list_url=URL, issuer=ISSUER, purpose=purpose,
                                      bits=bsl.bitstring(bsl.MIN_LENGTH, indexes),
                                      valid_from=datetime(2025, 1, 1, tzinfo=UTC))


def test_the_specification_example_decodes_to_an_empty_list_of_131072_entries():
    bits = bsl.decode(VECTOR["encodedList"])
    assert len(bits) * 8 == VECTOR["length"] == bsl.MIN_LENGTH
    assert not any(bits)


def test_encoding_is_gzip_then_multibase_base64url_without_padding_and_round_trips():
    bits = bsl.bitstring(bsl.MIN_LENGTH, {0, 7, 8, 131071})
    encoded = bsl.encode(bits)
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))) == bits
    assert bsl.decode(encoded) == bits
    assert bsl.encode(bits) == encoded  # deterministic: no timestamp in the gzip header


def test_index_zero_is_the_left_most_bit_of_the_first_byte():
    bits = bsl.bitstring(bsl.MIN_LENGTH, {0, 9})
    assert bits[:2] == b"\x80\x40"
    assert bsl.bit_at(bits, 0) and bsl.bit_at(bits, 9) and not bsl.bit_at(bits, 1)


def test_a_list_shorter_than_16kb_is_refused():
    with pytest.raises(bsl.StatusListError, match="131072"):
        bsl.bitstring(8 * 1024, set())


def test_a_gzip_bomb_is_refused():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(bsl.StatusListError, match="more than"):
        bsl.decode(bomb)


def test_an_entry_reads_its_bit_in_the_list():
    entry = bsl.entry(list_url=URL, index=42, purpose=bsl.REVOCATION)
    assert entry == {"id": f"{URL}#42", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                     "statusListIndex": "42", "statusListCredential": URL}
    assert bsl.entry_status(entry, listed({42}), credential_issuer=ISSUER) is True
    assert bsl.entry_status(entry, listed({41, 43}), credential_issuer=ISSUER) is False


def test_mismatched_purpose_issuer_list_or_index_are_errors_not_answers():
    entry = bsl.entry(list_url=URL, index=42, purpose=bsl.REVOCATION)
    with pytest.raises(bsl.StatusListError, match="purposes"):
        bsl.entry_status(entry, listed({42}, bsl.SUSPENSION), credential_issuer=ISSUER)
    with pytest.raises(bsl.StatusListError, match="another issuer"):
        bsl.entry_status(entry, listed({42}), credential_issuer="did:web:elsewhere")
    with pytest.raises(bsl.StatusListError, match="another status list"):
        bsl.entry_status({**entry, "statusListCredential": URL + "x"}, listed({42}), credential_issuer=ISSUER)
    with pytest.raises(bsl.StatusListError, match="outside"):
        bsl.entry_status({**entry, "statusListIndex": str(bsl.MIN_LENGTH)}, listed(set()), credential_issuer=ISSUER)
    with pytest.raises(bsl.StatusListError, match="digits"):
        bsl.entry_status({**entry, "statusListIndex": "-1"}, listed(set()), credential_issuer=ISSUER)


def test_the_status_list_credential_follows_section_2_2():
    document = listed({1})
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert document["credentialSubject"]["type"] == "BitstringStatusList"
    assert document["credentialSubject"]["statusPurpose"] == "revocation"
    assert document["issuer"] == ISSUER
