"""A corpus of documents this service canonicalises: our credentials in every shape the builders produce
(signed and unsigned), their proof configurations, status lists, presentations, a CLR, and the 1EdTech
OB 3.0 test vector. Used to compare canonical N-Quads across implementations and code paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges_service.openbadges import bitstring_status_list, did_key, eddsa_rdfc_2022, ob3, presentations

VECTOR = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "vectors" / "ob3_linked_data_proof.json")
                    .read_text())
BASE = "https://badges.example.test"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
DID = did_key.did_key_from_public_key(KEY.public_key().public_bytes_raw())
WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _issuer(n: int) -> ob3.IssuerProfile:
    return [
        ob3.IssuerProfile(id=DID, name="Direction des ressources humaines"),
        ob3.IssuerProfile(id=f"did:web:badges.example.test:issuers:drh{n}",
                          name='Direction de l\'« Enfance » et des "Familles"',
                          url="https://www.ville-exemple.fr/drh", email="drh@ville-exemple.fr",
                          description="Crèches, écoles & centres de loisirs.\nDeuxième ligne\t(tab).",
                          image=ob3.Image(f"{BASE}/issuers/drh/image")),
    ][n % 2]


def _achievement(n: int, issuer: ob3.IssuerProfile) -> ob3.AchievementDefinition:
    alignments = (
        ob3.Alignment(target_name="Accueillir le public", target_url=f"{BASE}/frameworks/ville/competencies/ACC-1",
                      target_type="CFItem", target_code="ACC-1", target_framework="Référentiel de la Ville"),
        ob3.Alignment(target_name="Accueil (ESCO)", target_url="http://data.europa.eu/esco/skill/abc",
                      target_type="ext:ESCO", target_description="Compétence ESCO « accueil »"),
    )
    levels = ({"id": f"{BASE}/frameworks/ville/rd#1", "type": ["ResultDescription"], "name": "Niveau",
               "resultType": "RubricCriterionLevel", "requiredLevel": f"{BASE}/frameworks/ville/levels#N2",
               "rubricCriterionLevel": [
                   {"id": f"{BASE}/frameworks/ville/levels#N{i}", "type": ["RubricCriterionLevel"],
                    "name": name} for i, name in enumerate(("Notions", "Pratique", "Maîtrise"), 1)]},)
    return ob3.AchievementDefinition(
        id=f"{BASE}/achievements/a-{n}", name=["Accueil des usager·es", 'Le "bon" geste', "Ça c'est fait ✓ 🏅",
                                               "Premiers secours – PSC1"][n % 4],
        description="Accueillir, informer et orienter le public « simplement ».",
        criteria_narrative="Suivre le module.\nRéussir l'évaluation." if n % 3 else None,
        criteria_url="https://www.ville-exemple.fr/formations/psc1" if n % 3 == 0 else None,
        achievement_type=["Badge", "Certificate", "ext:ReferentMission"][n % 3],
        image=ob3.Image(f"{BASE}/achievements/a-{n}/image", "Médaille") if n % 2 else None,
        tags=(("accueil", "relation usager"), (), ("tri",))[n % 3], version="2.1" if n % 4 == 1 else None,
        human_code=f"ACC-{n}" if n % 2 == 0 else None, creator=issuer if n % 2 else None,
        alignments=alignments[: n % 3], result_descriptions=levels if n % 3 == 2 else ())


def our_credentials(count: int = 12) -> list[dict]:
    """Unsigned credentials as the builders make them, in varied shapes."""
    out = []
    for n in range(count):
        issuer = _issuer(n)
        achievement = _achievement(n, issuer)
        evidence = [ob3.Evidence(name="Mise en situation", narrative="Observé le 3 mars.", genre="Observation",
                                 url=f"https://www.ville-exemple.fr/preuves/{n}"),
                    ob3.Evidence(description='Quiz "final" réussi à 18/20')][: n % 3]
        results = ([{"type": ["Result"], "resultDescription": f"{BASE}/frameworks/ville/rd#1",
                     "achievedLevel": f"{BASE}/frameworks/ville/levels#N3"}] if n % 3 == 2 else [])
        status = (bitstring_status_list.entry(list_url=f"{BASE}/status/1", index=n * 7, purpose="revocation")
                  if n % 2 else None)
        out.append(ob3.open_badge_credential(
            credential_id=f"{BASE}/credentials/{n:08d}-0000-4000-8000-000000000000", issuer=issuer,
            achievement=achievement, identity=ob3.email_identity(f"agent{n}@ville-exemple.fr", f"sel{n}"),
            valid_from=WHEN, awarded=WHEN if n % 2 else None,
            valid_until=WHEN.replace(year=2030) if n % 4 == 3 else None,
            evidence=evidence, results=results, credential_status=status,
            subject_id=f"did:example:learner{n}" if n % 5 == 4 else None))
    return out


def signed(document: dict, *, created: datetime = WHEN, **extra) -> dict:
    return eddsa_rdfc_2022.proof_create(document, private_key=KEY, created=created,
                                        verification_method=did_key.verification_method_id(DID), **extra)


def proof_configuration(document: dict) -> dict:
    """What eddsa-rdfc-2022 canonicalises besides the document (EdDSA Cryptosuites §3.2.5)."""
    return {**{k: v for k, v in document["proof"].items() if k != "proofValue"}, "@context": document["@context"]}


def corpus() -> list[dict]:
    """Every document: unsigned and signed credentials, proof configurations, a status list, a presentation
    with a challenge, a CLR and the OB 3.0 vector with its proof configuration."""
    credentials = our_credentials()
    signed_ones = [signed(c) for c in credentials]
    status_list = bitstring_status_list.status_list_credential(
        list_url=f"{BASE}/status/1", issuer=DID, purpose="revocation", bits=bitstring_status_list.bitstring(
            131072, {3, 7, 1000}), valid_from=WHEN)
    presentation = signed(presentations.verifiable_presentation(
        presentation_id="urn:uuid:3f1b1c1e-0000-4000-8000-000000000001", holder=DID, credentials=signed_ones[:2]),
        proof_purpose="authentication", extra={"challenge": "c-1", "domain": "partner.example"})
    clr = presentations.clr_credential(credential_id=f"{BASE}/clr/1", issuer=_issuer(1).as_json(), name="Parcours",
                                       valid_from=WHEN, credentials=signed_ones[:3])
    vector_config = {**VECTOR["proof_options"], "@context": VECTOR["credential"]["@context"]}
    return [*credentials, *signed_ones, *(proof_configuration(s) for s in signed_ones[:2]),
            status_list, signed(status_list), presentation, clr, VECTOR["credential"], vector_config]
