"""Our credentials against an independent implementation: Digital Bazaar's ``@digitalbazaar/vc`` with the
``eddsa-rdfc-2022`` and ``Ed25519Signature2020`` suites (``interop/*.mjs``, offline document loader).

* Every credential ``credential_issue`` produces verifies there, with did:web and did:key issuers.
* Any one change to a signed credential makes both verifiers refuse it.
* What Digital Bazaar signs verifies here.
* Key rotation keeps old credentials verifiable everywhere; revoking a compromised key withdraws it.

Node calls are batched: one process verifies a whole list (start-up and context processing dominate).
"""

from __future__ import annotations

import copy
import json
import os
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from badges_service.openbadges import did_key, ob3
from badges_service.openbadges.eddsa_rdfc_2022 import format_datetime
from badges_service.openbadges.errors import OpenBadgesError
from badges_service.openbadges.rdfc import canonicalize
from badges_service.openbadges.report import PASSED, Report
from issuers import identifiers, services
from issuers.permissions import SYSTEM
from issuers.selectors import issuer_did_document
from tests.issuers.factories import AchievementFactory, CredentialFactory, IssuerFactory
from verification.services import credential_verify

from .documents import verifier_documents
from .node import dbz_sign, dbz_verify, node_available

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(
        not node_available() and not os.environ.get("CI"),
        reason="node or interop/node_modules missing (cd interop && npm ci)",
    ),
]


@pytest.fixture(autouse=True)
def _node_required_under_ci():
    """Under CI the independent implementation is part of the test suite: its absence is a failure."""
    if not node_available():
        pytest.fail("CI is set but node or interop/node_modules is missing (cd interop && npm ci).")


def signed(credential) -> dict:
    return json.loads(credential.document)


def did_documents(*issuers) -> dict:
    """What a did:web resolver would fetch for each issuer (its DID document and its signed status lists, which
    the credentials' ``credentialStatus`` points at), as the documents map of ``dbz_verify``."""
    return verifier_documents(*issuers)


def ours(document: dict) -> Report:
    return credential_verify(document=copy.deepcopy(document))


def explain(report: Report) -> str:
    return "; ".join(f"{c.name}:{c.code}" for c in report.checks if c.result != PASSED)


# --- every credential we issue verifies in Digital Bazaar ------------------------------------------

ACHIEVEMENTS = [
    {"name": "L'accueil « bienveillant » des usager·es", "tags": ["accueil", "relation usager"]},
    {"name": 'Le "bon" geste de tri', "description": "Trier les déchets\nau bureau\t(et ailleurs).",
     "tags": ["développement durable", "tri", "éco-gestes"]},
    {"name": "Premiers secours – niveau 1 (PSC1)", "achievement_type": "Certificate", "version": "2.1",
     "criteria_narrative": "", "criteria_url": "https://www.ville-exemple.fr/formations/psc1"},
    {"name": "Ça c'est fait : été 2025 ✓ 🏅", "image_caption": "Médaille d'été, « or »"},
    {"name": "Référent·e RGPD", "achievement_type": "ext:ReferentMission", "tags": []},
]


def test_every_credential_we_issue_verifies_in_digital_bazaar(db, settings):
    """Ten credentials from two issuers, with accents, quotes, guillemets, emoji, evidence, an expiry date
    and tags, six under did:web and four under did:key: all verify in Digital Bazaar and here."""
    issuers = [
        IssuerFactory(),
        IssuerFactory(name='Direction de l\'« Enfance » et des "Familles"',
                      description="Crèches, écoles & centres de loisirs. <b>Pas</b> du HTML."),
    ]
    achievements = [AchievementFactory(issuer=issuers[i % 2], **spec) for i, spec in enumerate(ACHIEVEMENTS)]
    evidence = [
        ob3.Evidence(name="Mise en situation « accueil »", narrative="Observé par l'encadrant·e le 3 mars.",
                     genre="Observation", url="https://www.ville-exemple.fr/preuves/42"),
        ob3.Evidence(description='Quiz "final" réussi à 18/20'),
    ]
    in_a_year = timezone.now() + timedelta(days=365)
    options = [{}, {"evidence": evidence}, {"valid_until": in_a_year}, {"evidence": evidence[:1], "valid_until":
               in_a_year}, {"recipient_email": "  Camille.O'Neil+badges@Ville-Exemple.FR "}]

    credentials = [CredentialFactory(achievement=achievements[i % 5], **options[i % 5]) for i in range(6)]
    settings.BADGES_DID_METHOD = "key"
    credentials += [CredentialFactory(achievement=achievements[(i + 2) % 5], **options[(i + 3) % 5])
                    for i in range(4)]
    documents = [signed(c) for c in credentials]

    assert [d["issuer"]["id"].split(":")[1] for d in documents] == ["web"] * 6 + ["key"] * 4
    assert any("evidence" in d for d in documents) and any("validUntil" in d for d in documents)
    for document in documents:
        report = ours(document)
        assert report.valid, explain(report)
    results = dbz_verify(documents, did_documents(*issuers))
    refused = {d["credentialSubject"]["achievement"]["name"]: r["error"]
               for d, r in zip(documents, results, strict=True) if not r["verified"]}
    assert refused == {}


# --- any one change is refused by both verifiers ------------------------------------------------------

Path = tuple[str | int, ...]


def nodes(value, path: Path = ()) -> Iterator[tuple[Path, object]]:
    """Every (path, value) in a JSON document, containers included, depth first."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from nodes(child, (*path, index))


def at(document: dict, path: Path):
    for step in path:
        document = document[step]
    return document


def replaced(document: dict, path: Path, value) -> dict:
    copied = copy.deepcopy(document)
    at(copied, path[:-1])[path[-1]] = value
    return copied


def removed(document: dict, path: Path) -> dict:
    copied = copy.deepcopy(document)
    del at(copied, path[:-1])[path[-1]]
    return copied


def changed_leaf(value):
    """A different value of the same JSON type; dates stay valid dates, so the change is a plausible forgery."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value + "x"
    return format_datetime(moment + timedelta(seconds=1))


def tampered_copies(document: dict, *, other_issuer_did: str, other_key_id: str) -> dict[str, dict]:
    """name -> a copy of ``document`` with exactly one change, generated by walking the document."""
    copies: dict[str, dict] = {}
    for path, value in nodes(document):
        name = "/".join(map(str, path))
        if isinstance(value, dict):
            # A term no context defines (JSON-LD would drop it, so both verifiers must refuse it).
            copies[f"add {name}/tamperedProperty"] = replaced(document, (*path, "tamperedProperty"), "x")
        elif not isinstance(value, list):
            copies[f"change {name}"] = replaced(document, path, changed_leaf(value))
        if path:
            copies[f"remove {name}"] = removed(document, path)

    proof = document["proof"]
    subject = ("credentialSubject", "achievement")
    created = datetime.fromisoformat(proof["created"].replace("Z", "+00:00"))
    middle = len(proof["proofValue"]) // 2
    flipped = "2" if proof["proofValue"][middle] != "2" else "3"  # both base58 digits
    own_did_key = did_key.PREFIX + proof["verificationMethod"].split("#")[1]  # the signing key, as a did:key
    targeted = {
        # Terms the contexts do define: the signed data changes, safe mode does not fire.
        "add description (defined term) at the root": replaced(document, ("description",), "Ajoutée."),
        "add humanCode (defined term) to the achievement": replaced(document, (*subject, "humanCode"), "X1"),
        "add expires (defined term) to the proof": replaced(document, ("proof", "expires"), "2099-01-01T00:00:00Z"),
        "accents decomposed (NFD) in the achievement name": replaced(
            document, (*subject, "name"), unicodedata.normalize("NFD", at(document, (*subject, "name")))),
        "issuer id swapped for another issuer of ours": replaced(document, ("issuer", "id"), other_issuer_did),
        "issuer id swapped for the did:key of the same key": replaced(document, ("issuer", "id"), own_did_key),
        "issuer as a bare id string": replaced(document, ("issuer",), document["issuer"]["id"]),
        "proof created one day later": replaced(document, ("proof", "created"),
                                                format_datetime(created + timedelta(days=1))),
        "proof created one day earlier": replaced(document, ("proof", "created"),
                                                  format_datetime(created - timedelta(days=1))),
        "proof verificationMethod: another issuer's key": replaced(
            document, ("proof", "verificationMethod"), other_key_id),
        "proof verificationMethod: same key under did:key": replaced(
            document, ("proof", "verificationMethod"), did_key.verification_method_id(own_did_key)),
        "proof proofValue: one character changed": replaced(
            document, ("proof", "proofValue"),
            proof["proofValue"][:middle] + flipped + proof["proofValue"][middle + 1:]),
        "proof cryptosuite eddsa-jcs-2022": replaced(document, ("proof", "cryptosuite"), "eddsa-jcs-2022"),
        "proof cryptosuite ecdsa-rdfc-2019": replaced(document, ("proof", "cryptosuite"), "ecdsa-rdfc-2019"),
        "proof type Ed25519Signature2020": replaced(document, ("proof", "type"), "Ed25519Signature2020"),
        "proofPurpose authentication": replaced(document, ("proof", "proofPurpose"), "authentication"),
    }
    assert not set(targeted) & set(copies)
    return {**copies, **targeted}


# Nothing may be removable without changing the signed graph. (An earlier version embedded the issuer
# profile twice, as ``issuer`` and as the achievement's ``creator``: JSON-LD merged both copies into one
# node, so a property removed from one copy went unnoticed. Credentials no longer embed ``creator``.)
SAME_SIGNED_GRAPH: set[str] = set()


def same_signed_graph(document: dict, original: dict) -> bool:
    if document.get("proof") != original["proof"]:
        return False
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        return canonicalize(unsecured) == canonicalize({k: v for k, v in original.items() if k != "proof"})
    except OpenBadgesError:
        return False


def test_any_one_change_to_a_signed_credential_is_refused_by_both_verifiers(db):
    """Every leaf changed, every property and array element removed, an undefined property added to every
    object, and targeted forgeries (defined terms added, issuer swapped, proof fields changed): Digital
    Bazaar refuses each copy, and so does our verifier, at the proof step or before it."""
    other_issuer = IssuerFactory(name="Direction des Sports")
    achievement = AchievementFactory(name="L'« accueil » \"difficile\" à l'été", tags=["accueil", "été"],
                                     version="1.0")
    credential = CredentialFactory(
        achievement=achievement, valid_until=timezone.now() + timedelta(days=30),
        evidence=[ob3.Evidence(name="Preuve « terrain »", narrative="Observée.", url="https://ex.org/e/1")])
    document = signed(credential)
    other_key = services.signing_key_active(issuer=other_issuer)
    copies = tampered_copies(
        document, other_issuer_did=identifiers.issuer_did_web(other_issuer),
        other_key_id=identifiers.verification_method_id(other_issuer, other_key))
    assert len(copies) > 120  # the walk found the whole document
    invisible = {name for name, tampered in copies.items() if same_signed_graph(tampered, document)}
    assert invisible == SAME_SIGNED_GRAPH

    names = list(copies)
    [original, *results] = dbz_verify([document, *copies.values()], did_documents(achievement.issuer, other_issuer))
    assert original["verified"], original["error"]
    accepted_by_dbz = {name for name, r in zip(names, results, strict=True) if r["verified"]}
    reports = {name: ours(tampered) for name, tampered in copies.items()}
    accepted_by_ours = {name for name, r in reports.items() if r.valid or r.check("proof").result == PASSED}
    assert accepted_by_dbz == SAME_SIGNED_GRAPH
    assert accepted_by_ours == SAME_SIGNED_GRAPH


# --- what Digital Bazaar signs verifies here ----------------------------------------------------------


def unsigned_credential() -> dict:
    """An OB 3.0 credential from our builders; ``dbz_sign`` replaces the issuer id with its did:key."""
    issuer = ob3.IssuerProfile(id="did:key:replaced-by-dbz-sign", name="Université « Extérieure »",
                               url="https://univ.example.org")
    achievement = ob3.AchievementDefinition(
        id="https://univ.example.org/achievements/sql", name="Requêtes SQL : l'essentiel",
        description='Écrire des requêtes "SELECT" simples.', criteria_narrative="Réussir l'examen.",
        tags=("données", "SQL"))
    now = timezone.now()
    return ob3.open_badge_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}", issuer=issuer, achievement=achievement,
        identity=ob3.email_identity("etudiant@univ.example.org", "sel"), valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=365), evidence=[ob3.Evidence(narrative="Examen du 12 juin.")])


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_credential_signed_by_digital_bazaar_verifies_here_and_a_tampered_copy_does_not(db, suite):
    out = dbz_sign(unsigned_credential(), suite=suite)
    document = out["credential"]
    assert document["issuer"]["id"] == out["didDocument"]["id"]
    assert document["issuer"]["id"].startswith("did:key:z6Mk")

    report = ours(document)
    assert report.valid, explain(report)
    assert report.status == "valid"
    assert suite in report.check("proof").message

    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["name"] = "Requêtes SQL : l'expert"
    report = ours(tampered)
    assert not report.valid
    assert report.check("proof").code == "signature_invalid"


# --- key rotation and revocation ----------------------------------------------------------------------


def test_rotated_key_keeps_verifying_in_both_until_revoked(achievement):
    """After a rotation the DID document lists the retired key, so what it signed verifies everywhere.
    Revoking it as compromised withdraws it from the DID document (Digital Bazaar refuses all it signed)
    while this service still accepts what it signed before the compromise date."""
    issuer = achievement.issuer
    now = timezone.now()
    early = CredentialFactory(achievement=achievement, now=now - timedelta(days=2))
    late = CredentialFactory(achievement=achievement, now=now - timedelta(days=1))
    old_key = early.signing_key
    services.key_rotate(issuer=issuer, actor=SYSTEM)
    new = CredentialFactory(achievement=achievement)
    assert late.signing_key == old_key != new.signing_key
    credentials = [early, late, new]
    documents = [signed(c) for c in credentials]
    listed = issuer_did_document(issuer=issuer)["assertionMethod"]
    assert [d["proof"]["verificationMethod"] for d in documents[1:]] == listed

    assert [r["verified"] for r in dbz_verify(documents, did_documents(issuer))] == [True, True, True]
    assert [ours(d).valid for d in documents] == [True, True, True]

    services.key_revoke(key=old_key, compromised_since=now - timedelta(days=1, hours=12), actor=SYSTEM)

    assert issuer_did_document(issuer=issuer)["assertionMethod"] == [documents[2]["proof"]["verificationMethod"]]
    results = dbz_verify(documents, did_documents(issuer))
    assert [r["verified"] for r in results] == [False, False, True]
    assert documents[0]["proof"]["verificationMethod"] in results[0]["error"]
    early_report, late_report, new_report = (ours(d) for d in documents)
    assert early_report.valid, explain(early_report)  # signed before the compromise
    assert late_report.check("key").code == "key_revoked"
    assert not late_report.valid
    assert new_report.valid


def test_revoked_did_key_is_refused_here_but_stays_valid_for_other_verifiers(achievement, settings):
    """A did:key cannot be withdrawn: Digital Bazaar resolves it from the identifier itself, so only this
    service, which knows the key was revoked, refuses the credential. This is why did:web is the default."""
    settings.BADGES_DID_METHOD = "key"
    credential = CredentialFactory(achievement=achievement)
    services.key_revoke(key=credential.signing_key, compromised_since=credential.issued_at - timedelta(hours=1),
                        actor=SYSTEM)
    document = signed(credential)

    assert ours(document).check("key").code == "key_revoked"
    [result] = dbz_verify([document], verifier_documents(achievement.issuer))  # its status list, signed by the key
    assert result["verified"] is True, result["error"]

