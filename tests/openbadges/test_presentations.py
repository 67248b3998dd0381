"""Presentations and ClrCredentials are checked with the same key, proof and validity steps as single credentials
(``verify.check_key_and_proof``, ``verify.check_validity``): pure core, no database."""

from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import did_key, eddsa_rdfc_2022, presentations
from badges_service.openbadges.report import CHECK_ORDER, PASSED, KeyResolutionError, Report, ReportBuilder, ResolvedKey

from .samples import sample_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = datetime(2025, 5, 1, tzinfo=UTC)
HOLDER_KEY, OTHER_KEY = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()


def _did(key: Ed25519PrivateKey) -> str:
    return did_key.did_key_from_public_key(key.public_key().public_bytes_raw())


def _resolve(revoked_after: datetime | None = None):
    def resolve(method: str) -> ResolvedKey:
        if not method.startswith(did_key.PREFIX):
            raise KeyResolutionError(f"Unknown key {method}.")
        return ResolvedKey(did_key.public_key_from_did_key(method), method.partition("#")[0], revoked_after)
    return resolve


def _valid_credential(_document: dict) -> Report:
    run = ReportBuilder()
    for name in CHECK_ORDER:
        run.add(name, PASSED, "ok", "Stub.")
    return run.report


def _signed(document: dict, key: Ed25519PrivateKey, *, purpose: str, extra: dict | None = None) -> dict:
    return eddsa_rdfc_2022.proof_create(document, private_key=key, verification_method=did_key.verification_method_id(
        _did(key)), created=CREATED, proof_purpose=purpose, extra=extra)


def _presentation(*, holder_key=HOLDER_KEY, signing_key=HOLDER_KEY) -> dict:
    unsigned = presentations.verifiable_presentation(presentation_id="urn:uuid:7d1e", holder=_did(holder_key),
                                                     credentials=[sample_credential()])
    return _signed(unsigned, signing_key, purpose=presentations.AUTHENTICATION,
                   extra={"challenge": "c1", "domain": "partenaire.fr"})


def _clr(**changes) -> dict:
    unsigned = presentations.clr_credential(
        credential_id="urn:uuid:9c2f", issuer={"id": _did(HOLDER_KEY), "type": ["Profile"], "name": "Ville"},
        name="Relevé", valid_from=CREATED, credentials=[sample_credential()])
    for name, value in changes.items():
        if value is None:
            unsigned.pop(name)
        else:
            unsigned[name] = value
    return _signed(unsigned, HOLDER_KEY, purpose=presentations.ASSERTION_METHOD)


def _check(report: Report, name: str) -> tuple[str, str]:
    check = report.check(name)
    return check.result, check.code


def test_a_presentation_signed_by_its_holder_for_the_expected_challenge_verifies():
    report = presentations.verify_presentation(_presentation(), resolve_key=_resolve(),
                                               verify_credential=_valid_credential, challenge="c1",
                                               domain="partenaire.fr")
    assert report.valid, report.as_json()
    assert report.check("key").message == f"Key {did_key.verification_method_id(_did(HOLDER_KEY))} belongs to " \
                                          "the holder."


def test_a_presentation_signed_with_a_key_its_holder_does_not_control_is_refused():
    report = presentations.verify_presentation(_presentation(signing_key=OTHER_KEY), resolve_key=_resolve(),
                                               verify_credential=_valid_credential)
    assert _check(report, "key") == ("failed", "signer_mismatch")
    assert _check(report, "proof") == ("skipped", "skipped") and not report.valid


def test_a_presentation_signed_after_its_key_was_revoked_is_refused():
    report = presentations.verify_presentation(_presentation(), resolve_key=_resolve(revoked_after=NOW.replace(
        month=4)), verify_credential=_valid_credential)
    assert _check(report, "key") == ("failed", "key_revoked") and not report.valid


def test_a_clr_within_its_validity_period_verifies():
    report = presentations.verify_clr(_clr(), resolve_key=_resolve(), verify_credential=_valid_credential, now=NOW)
    assert report.valid, report.as_json()


def test_a_clr_without_a_valid_from_or_with_an_unreadable_valid_until_fails_its_validity_check():
    for changes in ({"validFrom": None}, {"validUntil": "next year"}):
        report = presentations.verify_clr(_clr(**changes), resolve_key=_resolve(),
                                          verify_credential=_valid_credential, now=NOW)
        assert _check(report, "proof") == ("passed", "ok")
        assert _check(report, "validity") == ("failed", "bad_date"), changes


def test_an_expired_clr_fails_its_validity_check():
    report = presentations.verify_clr(_clr(validUntil="2025-05-15T00:00:00Z"), resolve_key=_resolve(),
                                      verify_credential=_valid_credential, now=NOW)
    assert _check(report, "validity") == ("failed", "expired") and not report.valid
