"""The OB 2.0 verifier of the pure core, with documents served by a fake host (no database, no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from badges_service.openbadges import jws, ob2
from badges_service.openbadges.report import KeyResolutionError
from badges_service.openbadges.verify_ob2 import verify_assertion

HOST = "https://badges.univ.example"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def world(revoked=()) -> dict:
    profile = ob2.issuer_profile(profile_id=f"{HOST}/issuer", name="Université", url=HOST, email="a@univ.example",
                                 public_keys=[f"{HOST}/key"], revocation_list=f"{HOST}/revocations")
    return {
        f"{HOST}/issuer": profile,
        f"{HOST}/badge": ob2.badge_class(badge_id=f"{HOST}/badge", name="SQL", description="Requêtes",
                                         image=f"{HOST}/badge.png", issuer=f"{HOST}/issuer", criteria_narrative="x"),
        f"{HOST}/key": ob2.cryptographic_key(key_id=f"{HOST}/key", owner=f"{HOST}/issuer",
                                             public_key_pem=PEM.decode()),
        f"{HOST}/revocations": ob2.revocation_list(list_id=f"{HOST}/revocations", issuer=f"{HOST}/issuer",
                                                   revoked=[(i, "Fraude") for i in revoked]),
    }


def assertion(verification: dict, assertion_id: str = f"{HOST}/a/1", **extra) -> dict:
    return ob2.assertion(assertion_id=assertion_id, badge=f"{HOST}/badge",
                         recipient={"type": "email", "hashed": True, "salt": "s", "identity": "sha256$" + "a" * 64},
                         issued_on="2025-01-01T00:00:00Z", verification=verification, **extra)


def fetcher(documents: dict):
    def fetch(url: str) -> dict:
        if url not in documents:
            raise KeyResolutionError(f"{url} not served")
        return documents[url]
    return fetch


def codes(report) -> dict:
    return {c.name: (c.result, c.code) for c in report.checks}


def check(raw, documents, **kw):
    return verify_assertion(raw, fetch=fetcher(documents), max_bytes=100_000, now=kw.pop("now", NOW), **kw)


def test_a_hosted_assertion_matching_its_hosted_copy_is_valid():
    hosted = assertion(ob2.hosted_verification())
    report = check(hosted, {**world(), hosted["id"]: hosted})
    assert report.valid, codes(report)
    assert report.summary["format"] == "ob2-hosted" and report.summary["issuer"]["name"] == "Université"


def test_a_signed_assertion_is_valid_and_its_revocation_is_read_from_the_list():
    signed = assertion(ob2.signed_verification(f"{HOST}/key"), assertion_id="urn:uuid:1")
    token = jws.sign(json.dumps(signed).encode(), private_key=KEY)
    assert check(token, world()).valid
    report = check(token, world(revoked=["urn:uuid:1"]))
    assert report.status == "revoked" and "Fraude" in report.check("status").message


def test_a_key_owned_by_someone_else_is_refused():
    signed = assertion(ob2.signed_verification(f"{HOST}/key"), assertion_id="urn:uuid:1")
    documents = world()
    documents[f"{HOST}/key"] = {**documents[f"{HOST}/key"], "owner": "https://evil.example/issuer"}
    report = check(jws.sign(json.dumps(signed).encode(), private_key=KEY), documents)
    assert codes(report)["key"] == ("failed", "issuer_mismatch")


def test_a_key_the_issuer_no_longer_lists_is_refused():
    signed = assertion(ob2.signed_verification(f"{HOST}/key"), assertion_id="urn:uuid:1")
    documents = world()
    documents[f"{HOST}/issuer"] = {**documents[f"{HOST}/issuer"], "publicKey": [f"{HOST}/other-key"]}
    report = check(jws.sign(json.dumps(signed).encode(), private_key=KEY), documents)
    assert codes(report)["key"] == ("failed", "key_revoked")


def test_an_issuer_that_cannot_be_reached_makes_it_unverifiable_not_invalid():
    hosted = assertion(ob2.hosted_verification())
    report = check(hosted, {})
    assert report.status == "unverifiable"


def test_a_signed_badge_given_as_json_or_a_hosted_one_as_jws_is_a_schema_error():
    signed = assertion(ob2.signed_verification(f"{HOST}/key"), assertion_id="urn:uuid:1")
    assert codes(check(signed, world()))["schema"] == ("failed", "schema_invalid")
    hosted = assertion(ob2.hosted_verification())
    token = jws.sign(json.dumps(hosted).encode(), private_key=KEY)
    assert codes(check(token, world()))["schema"] == ("failed", "schema_invalid")


@pytest.mark.parametrize("missing", ["id", "recipient", "badge", "verification", "issuedOn"])
def test_each_required_property_is_required(missing):
    hosted = assertion(ob2.hosted_verification())
    del hosted[missing]
    report = check(hosted, {**world(), f"{HOST}/a/1": hosted})
    assert not report.valid and f"{missing}: required property missing" in report.check("schema").message


def test_expiry_and_a_future_issue_date():
    hosted = assertion(ob2.hosted_verification(), expires="2025-03-01T00:00:00Z")
    documents = {**world(), hosted["id"]: hosted}
    assert check(hosted, documents, now=datetime(2025, 2, 1, tzinfo=UTC)).valid
    assert check(hosted, documents).status == "expired"
    assert check(hosted, documents, now=datetime(2024, 1, 1, tzinfo=UTC)).status == "not_yet_valid"


@pytest.mark.parametrize("context", ["https://w3id.org/openbadges/v1", "https://evil.example/context",
                                     ["https://w3id.org/openbadges/v2", {"inline": "x"}], None])
def test_only_the_bundled_ob2_context_is_accepted(context):
    hosted = {**assertion(ob2.hosted_verification()), "@context": context}
    assert codes(check(hosted, world()))["context"][0] == "failed"
