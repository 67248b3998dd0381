"""Everything at once: a Verifiable Presentation (VC 2.0, authentication proof with challenge and domain) and a
CLR 2.0 ClrCredential, both signed by the platform (the city's key). Both verify here and in Digital Bazaar's
libraries; any change to them is refused."""

from __future__ import annotations

import copy
import json
import os

import pytest

from badges_service.openbadges import contexts
from issuers import services
from issuers.models import Issuer
from issuers.permissions import SYSTEM
from passport import exports
from tests.interop.documents import verifier_documents
from tests.interop.node import node_available, run_node
from tests.issuers.factories import AchievementFactory, CredentialFactory
from verification import services as verification


@pytest.fixture
def holdings(city, direction, learner, credential):
    """The learner's badges: one from the direction, one from the city, one revoked (left out of exports)."""
    city_badge = CredentialFactory(achievement=AchievementFactory(issuer=city, name="Prévention des risques"),
                                   recipient_email=learner.email)
    revoked = CredentialFactory(achievement=credential.achievement, recipient_email=learner.email)
    services.credential_revoke(credential=revoked, reason="Erreur", actor=SYSTEM)
    return {"valid": [credential, city_badge], "revoked": revoked}


def _ids(credentials) -> list[str]:
    return sorted(c["id"] for c in credentials)


def _expected_ids(holdings) -> list[str]:
    return sorted(f"https://badges.example.test/credentials/{c.public_id}" for c in holdings["valid"])


# --- the Verifiable Presentation ---------------------------------------------------------------


def test_the_presentation_carries_the_valid_credentials_as_issued(learner, holdings, city):
    vp = exports.presentation_export(user=learner, challenge="défi-42", domain="rh.autre-collectivite.fr")
    assert vp["type"] == ["VerifiablePresentation"]
    assert vp["holder"] == "did:web:badges.example.test:issuers:ville"
    assert _ids(vp["verifiableCredential"]) == _expected_ids(holdings)
    stored = {json.loads(c.document)["id"]: json.loads(c.document) for c in holdings["valid"]}
    assert all(stored[c["id"]] == c for c in vp["verifiableCredential"])
    proof = vp["proof"]
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
        "DataIntegrityProof", "eddsa-rdfc-2022", "authentication")
    assert (proof["challenge"], proof["domain"]) == ("défi-42", "rh.autre-collectivite.fr")
    assert proof["verificationMethod"].startswith("did:web:badges.example.test:issuers:ville#")


def test_the_presentation_verifies_here(learner, holdings):
    vp = exports.presentation_export(user=learner, challenge="c1", domain="d1")
    report = verification.presentation_verify(document=vp, challenge="c1", domain="d1")
    assert report.valid, report.as_json()
    assert [c["valid"] for c in report.summary["credentials"]] == [True, True]


def test_a_presentation_for_another_challenge_or_domain_is_refused(learner, holdings):
    vp = exports.presentation_export(user=learner, challenge="c1", domain="d1")
    assert verification.presentation_verify(document=vp, challenge="c2").check("proof").code == "wrong_challenge"
    assert verification.presentation_verify(document=vp, domain="d2").check("proof").code == "wrong_domain"


def _vp_tampers(vp: dict):
    yield "holder", lambda d: d.__setitem__("holder", "did:web:badges.example.test:issuers:drh")
    yield "dropped credential", lambda d: d["verifiableCredential"].pop()
    yield "credential name", lambda d: d["verifiableCredential"][0].__setitem__("name", "Expert en tout")
    yield "challenge", lambda d: d["proof"].__setitem__("challenge", "autre")
    yield "proof purpose", lambda d: d["proof"].__setitem__("proofPurpose", "assertionMethod")
    yield "id", lambda d: d.__setitem__("id", "urn:uuid:00000000-0000-4000-8000-000000000000")


def test_any_change_to_the_presentation_is_refused(learner, holdings):
    vp = exports.presentation_export(user=learner)
    for name, tamper in _vp_tampers(vp):
        changed = copy.deepcopy(vp)
        tamper(changed)
        assert not verification.presentation_verify(document=changed).valid, name


def test_a_credential_changed_inside_a_re_signed_presentation_is_still_refused(learner, holdings):
    """The platform's signature does not vouch for what the issuers signed: each credential is checked."""
    vp = exports.presentation_export(user=learner)
    unsigned = {k: v for k, v in vp.items() if k != "proof"}
    unsigned["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Expert en tout"
    issuer, key, _ = exports._platform_signer()
    resigned = exports._sign(unsigned, issuer, key, exports.timezone.now(), purpose="authentication",
                             extra={"challenge": "c", "domain": "d"})
    report = verification.presentation_verify(document=resigned)
    assert report.check("proof").result == "passed"
    assert report.check("credentials").code == "credential_invalid" and not report.valid


# --- the CLR 2.0 ClrCredential ----------------------------------------------------------------


def test_the_clr_lists_the_valid_credentials_and_their_achievements(learner, holdings, city):
    clr = exports.clr_export(user=learner)
    assert clr["@context"] == [contexts.VC_V2, contexts.CLR_V2, contexts.OB_V3]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"]["id"] == "did:web:badges.example.test:issuers:ville"
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert _ids(subject["verifiableCredential"]) == _expected_ids(holdings)
    assert sorted(a["name"] for a in subject["achievement"]) == ["Accueil des usagers", "Prévention des risques"]
    assert subject["identifier"][0]["identityType"] == "emailAddress"
    assert learner.email not in json.dumps(clr)  # the learner is named by a salted hash only
    assert clr["proof"]["proofPurpose"] == "assertionMethod"


def test_the_clr_verifies_here(learner, holdings):
    report = verification.clr_verify(document=exports.clr_export(user=learner))
    assert report.valid, report.as_json()


def test_any_change_to_the_clr_is_refused(learner, holdings):
    clr = exports.clr_export(user=learner)
    tampers = {
        "name": lambda d: d.__setitem__("name", "Diplôme d'ingénieur"),
        "issuer": lambda d: d["issuer"].__setitem__("id", "did:web:badges.example.test:issuers:drh"),
        "achievement": lambda d: d["credentialSubject"]["achievement"][0].__setitem__("name", "Expert"),
        "dropped credential": lambda d: d["credentialSubject"]["verifiableCredential"].pop(),
        "validFrom": lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        "type": lambda d: d.__setitem__("type", ["VerifiableCredential", "OpenBadgeCredential"]),
    }
    for name, tamper in tampers.items():
        changed = copy.deepcopy(clr)
        tamper(changed)
        assert not verification.clr_verify(document=changed).valid, name


def test_without_a_city_issuer_the_exports_are_unavailable(client, learner, credential, city):
    Issuer.objects.filter(pk=city.pk).update(kind=Issuer.Kind.DIRECTION)
    client.force_login(learner)
    assert client.get("/passeport/export/presentation.json").status_code == 503
    assert client.get("/passeport/export/clr.json").status_code == 503


def test_the_export_downloads_are_signed_documents(client, learner, holdings):
    client.force_login(learner)
    response = client.get("/passeport/export/presentation.json?challenge=abc&domain=partenaire.fr")
    assert response["Content-Disposition"].startswith("attachment")
    vp = json.loads(response.content)
    assert verification.presentation_verify(document=vp, challenge="abc", domain="partenaire.fr").valid
    clr = json.loads(client.get("/passeport/export/clr.json").content)
    assert verification.clr_verify(document=clr).valid


def test_a_partner_verifies_both_exports_through_the_verification_api(client, learner, holdings):
    """Another civil service receives the exports and checks them with POST /api/v1/verify."""
    client.force_login(learner)
    vp = client.get("/passeport/export/presentation.json?challenge=abc&domain=partenaire.fr").content
    clr = client.get("/passeport/export/clr.json").content
    client.logout()

    def verify(body: bytes, query: str = "") -> dict:
        answer = client.post(f"/api/v1/verify{query}", data=body, content_type="application/json")
        assert answer.status_code == 200
        return answer.json()

    checked = verify(vp, "?challenge=abc&domain=partenaire.fr")
    assert checked["valid"] is True and checked["credential"]["format"] == "vp"
    assert len(checked["credential"]["credentials"]) == len(holdings["valid"])
    assert verify(vp, "?challenge=autre")["valid"] is False  # the proof answers another verifier's challenge
    assert verify(clr)["valid"] is True and verify(clr)["credential"]["format"] == "clr"
    changed = json.loads(clr)
    changed["name"] = "Relevé modifié"
    assert verify(json.dumps(changed).encode())["valid"] is False


def test_another_learner_exports_only_their_own_credentials(client, other_learner, holdings):
    client.force_login(other_learner)
    vp = json.loads(client.get("/passeport/export/presentation.json").content)
    assert vp["verifiableCredential"] == []


def test_the_clr_context_is_the_bundled_copy_from_pypi():
    entry = contexts.index()[contexts.CLR_V2]
    assert entry["sha256"] == "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6"
    assert "openbadgeslib==4.6.3" in entry["source"]
    assert "ClrSubject" in contexts.context_document(contexts.CLR_V2)["@context"]


# --- in Digital Bazaar's libraries -------------------------------------------------------------

def needs_node(test):
    return pytest.mark.interop(pytest.mark.skipif(
        not node_available() and not os.environ.get("CI"),
        reason="node or interop/node_modules missing (cd interop && npm ci)")(test))


def _dbz(city, direction, **payload) -> dict:
    if not node_available():
        pytest.fail("CI is set but node or interop/node_modules is missing (cd interop && npm ci).")
    documents = verifier_documents(city, direction)
    # No npm package ships the CLR context: the verifier gets our bundled copy (bytes from PyPI), as a loader
    # serving a pinned copy would.
    documents[contexts.CLR_V2] = contexts.context_document(contexts.CLR_V2)
    return run_node("verify_presentation.mjs", {**payload, "documents": documents})


@needs_node
def test_both_exports_verify_in_digital_bazaar(learner, holdings, city, direction):
    vp = exports.presentation_export(user=learner, challenge="défi", domain="partenaire.fr")
    clr = exports.clr_export(user=learner)
    out = _dbz(city, direction, presentation=vp, challenge="défi", domain="partenaire.fr", clr=clr)
    assert out["presentation"]["verified"], out["presentation"]
    assert out["presentation"]["credentials"] == [True, True]
    assert out["clr"]["verified"], out["clr"]
    assert out["clr"]["credentials"] == [True, True]


@needs_node
def test_digital_bazaar_refuses_changed_exports_and_a_wrong_challenge(learner, holdings, city, direction):
    vp = exports.presentation_export(user=learner, challenge="défi", domain="partenaire.fr")
    clr = exports.clr_export(user=learner)
    wrong_challenge = _dbz(city, direction, presentation=vp, challenge="autre", domain="partenaire.fr")
    assert not wrong_challenge["presentation"]["verified"]
    changed_vp, changed_clr = copy.deepcopy(vp), copy.deepcopy(clr)
    changed_vp["verifiableCredential"].pop()
    changed_clr["name"] = "Diplôme d'ingénieur"
    out = _dbz(city, direction, presentation=changed_vp, challenge="défi", domain="partenaire.fr", clr=changed_clr)
    assert not out["presentation"]["verified"]
    assert not out["clr"]["verified"]
