"""OB 2.0 documents read through the bundled OB 2.0 context: every spelling the context allows is accepted,
as 1EdTech's validator (which compacts its input against the context) accepts it; real producers' shapes
(Moodle's, Badgr's: tests/fixtures/ob2/) verify."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyld import jsonld

from badges_service.openbadges import contexts, ob2_jsonld
from badges_service.openbadges.ob2_reading import recipient_matches
from badges_service.openbadges.report import KeyResolutionError
from badges_service.openbadges.verify_ob2 import verify_assertion

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ob2"
NOW = datetime(2026, 1, 10, tzinfo=UTC)
CONTEXT = contexts.context_document(contexts.OB_V2)["@context"]
PREFIXES = {k: v for k, v in CONTEXT.items() if isinstance(v, str) and v.endswith(("#", "/"))}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def expanded_iri(term: str) -> str:
    value = CONTEXT[term]
    iri = value if isinstance(value, str) else value["@id"]
    while iri in CONTEXT and iri != term:  # an alias of another term ("verify": "verification")
        term, value = iri, CONTEXT[iri]
        iri = value if isinstance(value, str) else value["@id"]
    prefix, _, rest = iri.partition(":")
    return PREFIXES[prefix] + rest if prefix in PREFIXES else iri


PROPERTY_TERMS = sorted(t for t, v in CONTEXT.items() if isinstance(v, dict) or (t[0].islower() and t not in PREFIXES
                        and t not in ("id", "type", "validation", "validatesType", "validationFrame",
                                      "validationSchema", "hosted", "signed")))


def fetcher(documents: dict):
    def fetch(url: str) -> dict:
        if url not in documents:
            raise KeyResolutionError(f"{url} not served")
        return copy.deepcopy(documents[url])
    return fetch


def codes(report) -> dict:
    return {c.name: (c.result, c.code) for c in report.checks}


def test_the_context_defines_verify_as_an_alias_of_verification():
    assert CONTEXT["verify"] == "verification" and expanded_iri("verify") == expanded_iri("verification")


def sample(term: str):
    kind = CONTEXT[term].get("@type") if isinstance(CONTEXT[term], dict) else None
    return {"xsd:dateTime": "2025-01-01T00:00:00Z", "xsd:boolean": True}.get(kind, "https://example.org/x")


@pytest.mark.parametrize("term", PROPERTY_TERMS)
def test_each_property_written_with_absolute_iris_reads_as_a_term_with_the_same_meaning(term):
    """The expanded form (absolute IRIs, typed values) is a spelling the context allows for every term."""
    expanded = jsonld.expand({"@context": contexts.OB_V2, "id": "urn:uuid:1", term: sample(term)},
                             {"documentLoader": contexts.document_loader})
    assert expanded_iri(term) in expanded[0]
    compacted = ob2_jsonld.compact({"@context": contexts.OB_V2, **expanded[0]})
    names = [k for k in compacted if k not in ("@context", "id")]
    assert len(names) == 1 and expanded_iri(names[0]) == expanded_iri(term)
    assert compacted[names[0]] == sample(term)


@pytest.mark.parametrize(("spelling", "term"), [("verify", "verification"), ("obi:verify", "verification"),
                                                 ("https://w3id.org/openbadges#narrative", "narrative"),
                                                 ("schema:name", "name"), ("obi:uid", "uid")])
def test_aliases_and_compact_iris_read_as_the_context_terms(spelling, term):
    compacted = ob2_jsonld.compact({"@context": contexts.OB_V2, spelling: {"type": "hosted"}
                                    if term == "verification" else "https://example.org/x"})
    assert list(compacted) == ["@context", term]


@pytest.mark.parametrize("alias", ["hosted", "HostedBadge", "obi:HostedBadge"])
def test_hosted_type_spellings_all_mean_hosted_badge(alias):
    compacted = ob2_jsonld.compact({"@context": contexts.OB_V2, "verify": {"type": alias}})
    assert expanded_iri(compacted["verification"]["type"]) == expanded_iri("HostedBadge")


def test_an_embedded_object_with_another_context_is_refused_but_an_extension_context_is_ignored():
    with pytest.raises(ob2_jsonld.Ob2DocumentError):
        ob2_jsonld.compact({"@context": contexts.OB_V2, "badge": {"@context": {"name": "http://evil.example/n"},
                                                                   "name": "x"}})
    compacted = ob2_jsonld.compact(fixture("badgr_hosted_assertion.json"))
    assert compacted["extensions:recipientProfile"]["name"] == "Camille Martin"


def test_a_moodle_assertion_verifies_as_a_local_copy_of_its_hosted_original():
    """BadgeClass and Issuer embedded, ``verify`` instead of ``verification``, query-string URLs, a data: PNG."""
    moodle = fixture("moodle_hosted_assertion.json")
    report = verify_assertion(moodle, fetch=fetcher({moodle["id"]: moodle}), max_bytes=200_000, now=NOW)
    assert report.valid, codes(report)
    assert report.summary["issuer"]["name"].startswith("Ministère de l'Exemple")
    assert report.summary["achievement"]["alignment"][0]["targetUrl"].startswith("http://data.europa.eu/esco/")
    assert report.documents["achievement"]["image"].startswith("data:image/png;base64,")


def test_a_moodle_copy_with_a_changed_name_recipient_or_date_is_altered_and_the_original_is_shown():
    original = fixture("moodle_hosted_assertion.json")
    altered = copy.deepcopy(original)
    altered["badge"]["name"] = "Expert du handicap"
    altered["recipient"]["identity"] = "sha256$" + "0" * 64
    altered["issuedOn"] = "2019-01-01T00:00:00+01:00"
    report = verify_assertion(altered, fetch=fetcher({original["id"]: original}), max_bytes=200_000, now=NOW)
    assert report.status == "altered" and not report.valid
    assert report.check("proof").code == "altered"
    for field in ("badge.name", "recipient.identity", "issuedOn"):
        assert field in report.check("proof").message
    assert report.summary["name"] == original["badge"]["name"]  # the hosted original is what is shown
    assert report.summary["validFrom"] == original["issuedOn"]


def test_a_badgr_hosted_assertion_verifies_through_its_badge_class_and_issuer():
    documents = {d["id"]: d for d in map(fixture, ["badgr_hosted_assertion.json", "badgr_badge_class.json",
                                                   "badgr_issuer.json"])}
    assertion = fixture("badgr_hosted_assertion.json")
    report = verify_assertion(assertion, fetch=fetcher(documents), max_bytes=200_000, now=NOW,
                              recipient_email="Camille.Martin@ministere.example")
    assert report.valid, codes(report)
    assert codes(report)["recipient"] == ("passed", "ok")
    assert report.summary["achievement"]["alignment"][0]["targetCode"] == "TAB-2"
    other = verify_assertion(assertion, fetch=fetcher(documents), max_bytes=200_000, now=NOW,
                             recipient_email="someone.else@ministere.example")
    assert codes(other)["recipient"] == ("failed", "recipient_mismatch") and not other.valid


def test_an_assertion_cannot_allow_its_own_foreign_origin_only_the_issuer_profile_can():
    documents = {d["id"]: d for d in map(fixture, ["badgr_badge_class.json", "badgr_issuer.json"])}
    forged = {**fixture("badgr_hosted_assertion.json"), "id": "https://evil.example/public/assertions/1",
              "verification": {"type": "HostedBadge", "allowedOrigins": ["evil.example"]}}
    documents[forged["id"]] = forged
    assert codes(verify_assertion(forged, fetch=fetcher(documents), max_bytes=200_000, now=NOW))["key"] == \
        ("failed", "origin_mismatch")
    issuer = documents["https://api.badgr.example/public/issuers/TPjkApBgS7CILthN5tFXdQ"]
    issuer["verification"] = {"type": "hosted", "allowedOrigins": ["evil.example"]}
    assert verify_assertion(forged, fetch=fetcher(documents), max_bytes=200_000, now=NOW).valid


@pytest.mark.parametrize(("recipient", "email", "matches"), [
    ({"hashed": False, "identity": "A@b.example"}, "a@B.example", True),
    ({"hashed": True, "salt": "s", "identity": "md5$" + __import__("hashlib").md5(b"a@b.examples").hexdigest()},
     "a@b.example", True),
    ({"hashed": True, "identity": "sha1$abc"}, "a@b.example", False),
])
def test_recipient_identity_objects_hashed_or_not(recipient, email, matches):
    assert recipient_matches(recipient, email) is matches
