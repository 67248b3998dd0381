"""The verifier: one report of named checks for any input, never a crash, never a network fetch."""

import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import did_key, eddsa_rdfc_2022
from badges_service.openbadges.report import CHECK_ORDER
from issuers.permissions import SYSTEM
from tests.issuers.factories import CredentialFactory
from tests.openbadges.samples import sample_credential
from verification.services import credential_verify, credential_verify_raw


@pytest.fixture
def issued(db):
    credential = CredentialFactory()
    return credential, json.loads(credential.document)


def _codes(report):
    return {c.name: (c.result, c.code) for c in report.checks}


def test_a_report_always_lists_every_check_in_order(issued):
    _, document = issued
    assert [c.name for c in credential_verify(document=document).checks] == list(CHECK_ORDER)
    assert [c.name for c in credential_verify_raw(raw=b"nope").checks] == list(CHECK_ORDER)


def test_a_valid_credential_passes_every_check(issued):
    _, document = issued
    report = credential_verify(document=document)
    assert report.valid and report.status == "valid"
    assert all(result == "passed" for result, _ in _codes(report).values())


@pytest.mark.parametrize("raw, code", [
    (b"not json", "not_json"),
    (b"[1, 2]", "not_object"),
    (b"", "not_json"),
    (b"\xff\xfe\x00", "not_json"),
    (b"[" * 100000 + b"]" * 100000, "not_json"),
])
def test_unreadable_input_gives_a_precise_json_failure(db, raw, code):
    report = credential_verify_raw(raw=raw)
    assert _codes(report)["json"] == ("failed", code)
    assert not report.valid and report.status == "invalid"


def test_an_oversized_document_is_refused_before_parsing(db, settings):
    settings.BADGES_MAX_CREDENTIAL_BYTES = 1000
    report = credential_verify_raw(raw=json.dumps({"name": "x" * 2000}))
    assert _codes(report)["json"] == ("failed", "too_large")


@pytest.mark.parametrize("context, code", [
    (None, "missing_context"),
    ("https://www.w3.org/ns/credentials/v2", "missing_context"),
    (["https://example.org/ctx"], "bad_context"),
    (["https://www.w3.org/ns/credentials/v2", "https://evil.example/ob.json"], "unknown_context"),
    (["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://evil.example/#"}], "inline_context"),
    (["https://www.w3.org/ns/credentials/v2"], "missing_ob_context"),
])
def test_wrong_or_remote_contexts_are_reported_without_fetching(issued, context, code):
    _, document = issued
    document = copy.deepcopy(document)
    if context is None:
        document.pop("@context")
    else:
        document["@context"] = context
    report = credential_verify(document=document)
    assert _codes(report)["context"] == ("failed", code)
    assert _codes(report)["proof"][0] == "skipped"


def test_an_unknown_proof_suite_is_named(issued):
    _, document = issued
    document = copy.deepcopy(document)
    document["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert _codes(credential_verify(document=document))["proof"] == ("failed", "unsupported_suite")


def test_a_missing_proof_is_reported(issued):
    _, document = issued
    document = copy.deepcopy(document)
    document.pop("proof")
    assert _codes(credential_verify(document=document))["proof"] == ("failed", "no_proof")


def test_missing_fields_are_reported_by_the_schema_check(issued):
    _, document = issued
    document = copy.deepcopy(document)
    document["credentialSubject"]["achievement"].pop("criteria")
    report = credential_verify(document=document)
    assert _codes(report)["schema"] == ("failed", "schema_invalid")
    assert "criteria" in report.check("schema").message
    assert not report.valid


def test_a_tampered_credential_fails_the_proof_check(issued):
    _, document = issued
    document = copy.deepcopy(document)
    document["credentialSubject"]["achievement"]["name"] = "Expertise reconnue"
    report = credential_verify(document=document)
    assert _codes(report)["proof"] == ("failed", "signature_invalid")
    assert report.status == "invalid"


def test_a_foreign_did_web_key_is_unresolvable_not_forged(issued):
    _, document = issued
    document = copy.deepcopy(document)
    document["issuer"]["id"] = "did:web:other-city.example"
    document["proof"]["verificationMethod"] = "did:web:other-city.example#key-1"
    report = credential_verify(document=document)
    assert _codes(report)["key"] == ("failed", "key_unresolvable")
    assert _codes(report)["proof"][0] == "skipped"
    assert report.status == "unverifiable"


def test_a_key_of_another_issuer_does_not_match_the_issuer(issued, db):
    from issuers import identifiers
    from tests.issuers.factories import IssuerFactory

    _, document = issued
    other = IssuerFactory()
    key = other.signing_keys.get()
    document = copy.deepcopy(document)
    document["proof"]["verificationMethod"] = identifiers.verification_method_id(other, key)
    assert _codes(credential_verify(document=document))["key"] == ("failed", "issuer_mismatch")


def test_a_foreign_did_key_credential_verifies_offline(db):
    private = Ed25519PrivateKey.generate()
    did = did_key.did_key_from_public_key(private.public_key().public_bytes_raw())
    document = sample_credential(credential_id="urn:uuid:2f2b5d0e-0c4e-4b43-9d1b-3b8c4c1f8a11")
    document["issuer"]["id"] = did
    signed = eddsa_rdfc_2022.proof_create(document, private_key=private,
                                          verification_method=did_key.verification_method_id(did),
                                          created="2025-01-02T03:04:05Z")
    report = credential_verify(document=signed)
    assert report.valid, report.as_json()


def test_expired_and_not_yet_valid_credentials_say_so(issued):
    from datetime import UTC, datetime

    _, document = issued
    report = credential_verify(document=document, now=datetime(2000, 1, 1, tzinfo=UTC))
    assert _codes(report)["validity"] == ("failed", "not_yet_valid") and report.status == "not_yet_valid"
    report = credential_verify(document=document, now=datetime(2999, 1, 1, tzinfo=UTC))
    assert report.valid  # no validUntil: never expires


def test_a_revoked_credential_reports_revoked_with_reason(issued):
    from issuers import services

    credential, document = issued
    services.credential_revoke(credential=credential, reason="Délivré par erreur", actor=SYSTEM)
    report = credential_verify(document=document)
    assert _codes(report)["status"] == ("failed", "revoked")
    assert "Délivré par erreur" in report.check("status").message
    assert report.status == "revoked"


def test_the_verify_api_returns_the_report_and_a_precise_400_for_unreadable_input(client, issued):
    _, document = issued
    ok = client.post("/api/v1/verify", data=json.dumps(document), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["valid"] is True and ok.json()["status"] == "valid"
    bad = client.post("/api/v1/verify", data=b"{oops", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "not_json"
    assert bad.json()["error"]["details"]["report"]["checks"][0]["code"] == "not_json"


def test_an_altered_copy_signed_with_a_stolen_key_is_not_what_was_issued(issued):
    """A compromised key can sign an altered copy back-dated before the revocation: the key check passes,
    but the service's record of what it issued under that id does not match."""
    from datetime import timedelta

    from badges_service import key_encryption
    from issuers import services

    credential, document = issued
    stolen = key_encryption.decrypt_private_key(credential.signing_key.private_key_encrypted)
    services.key_revoke(key=credential.signing_key, compromised_since=credential.issued_at + timedelta(minutes=1),
                        actor=SYSTEM)
    forged = {k: v for k, v in copy.deepcopy(document).items() if k != "proof"}
    forged["credentialSubject"]["achievement"]["name"] = "Directeur général"
    forged = eddsa_rdfc_2022.proof_create(forged, private_key=stolen,
                                          verification_method=document["proof"]["verificationMethod"],
                                          created=document["proof"]["created"])
    report = credential_verify(document=forged)
    assert _codes(report)["proof"] == ("passed", "ok")
    assert _codes(report)["status"] == ("failed", "not_as_issued")
    assert not report.valid
    assert credential_verify(document=document).valid  # the genuine one, signed before the compromise


def test_our_credential_is_found_by_its_id_in_any_case_through_the_unique_index(issued):
    """The status check finds the credential by the URL's UUID whatever its case, and reads it by equality on
    ``public_id`` (a case-insensitive text comparison cannot use the index: a full scan per verification)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    credential, document = issued
    public_id = str(credential.public_id)
    upper = json.loads(json.dumps(document).replace(public_id, public_id.upper()))
    with CaptureQueriesContext(connection) as queries:
        report = credential_verify(document=document)
    assert report.valid
    assert not any("UPPER(" in q["sql"].upper() or " LIKE " in q["sql"].upper() for q in queries)
    # The same id upper-cased is still this credential (its proof then fails, but it is not "unknown").
    assert _codes(credential_verify(document=upper))["status"][1] != "unknown_credential"


def test_our_did_web_keys_are_resolved_under_their_own_issuer_only(issued):
    from badges_service.openbadges.report import KeyResolutionError
    from issuers import identifiers
    from tests.issuers.factories import IssuerFactory
    from verification.key_resolution import resolve_key

    credential, _ = issued
    did, multibase = identifiers.issuer_did_web(credential.issuer), credential.signing_key.public_key_multibase
    assert resolve_key(f"{did}#{multibase}").controller == did
    other = identifiers.issuer_did_web(IssuerFactory())
    with pytest.raises(KeyResolutionError) as unknown:
        resolve_key(f"{other}#{multibase}")  # a key of ours, under another of our issuers
    assert unknown.value.code == "unknown_key"
    with pytest.raises(KeyResolutionError, match="is not an issuer of this service"):
        resolve_key(f"{did.rsplit(':', 1)[0]}:inconnu#{multibase}")
