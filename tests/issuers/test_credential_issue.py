"""credential_issue: one service builds, signs and stores an OB 3.0 credential."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from badges_service.errors import ApplicationError
from badges_service.openbadges import ob3
from issuers import identifiers, services
from issuers.models import Credential
from issuers.permissions import SYSTEM
from verification.services import credential_verify


def test_issued_credential_verifies_and_is_stored_exactly_as_signed(achievement):
    credential = services.credential_issue(achievement=achievement, recipient_email="Camille@Ville-Exemple.fr",
                                           actor=SYSTEM)
    document = json.loads(credential.document)
    assert credential_verify(document=document).valid
    assert json.dumps(document, ensure_ascii=False, separators=(",", ":")) == credential.document
    assert Credential.objects.get(pk=credential.pk).document == credential.document


def test_credential_id_issuer_and_achievement_are_stable_public_urls(achievement):
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    document = json.loads(credential.document)
    assert document["id"] == identifiers.credential_url(credential.public_id)
    assert document["credentialSubject"]["achievement"]["id"] == identifiers.achievement_url(achievement)
    assert document["issuer"]["id"] == identifiers.issuer_did_web(achievement.issuer)
    assert document["proof"]["verificationMethod"].startswith(document["issuer"]["id"] + "#")


def test_the_email_is_stored_normalised_and_never_appears_in_the_credential(achievement):
    credential = services.credential_issue(achievement=achievement, recipient_email=" Camille@Ville-Exemple.FR ",
                                           actor=SYSTEM)
    assert credential.recipient_email == "camille@ville-exemple.fr"
    assert "camille" not in credential.document.lower()
    identity = json.loads(credential.document)["credentialSubject"]["identifier"][0]
    assert ob3.email_identity_matches(identity, "camille@ville-exemple.fr")


def test_each_credential_gets_its_own_salt(achievement):
    one = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    two = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    ids = [json.loads(c.document)["credentialSubject"]["identifier"][0] for c in (one, two)]
    assert ids[0]["salt"] != ids[1]["salt"] and ids[0]["identityHash"] != ids[1]["identityHash"]


def test_valid_until_and_evidence_are_embedded(achievement):
    until = timezone.now() + timedelta(days=365)
    credential = services.credential_issue(
        achievement=achievement, recipient_email="a@ville-exemple.fr", valid_until=until,
        evidence=[ob3.Evidence(name="Module Accueil", narrative="Terminé avec 17/20")], actor=SYSTEM)
    document = json.loads(credential.document)
    assert document["validUntil"].startswith(str(until.year))
    assert document["evidence"][0]["narrative"] == "Terminé avec 17/20"
    assert credential_verify(document=document).valid


def test_a_past_valid_until_is_refused(achievement):
    with pytest.raises(ApplicationError) as exc:
        services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr",
                                  valid_until=timezone.now() - timedelta(days=1), actor=SYSTEM)
    assert exc.value.code == "bad_validity"
    assert not Credential.objects.exists()


def test_an_invalid_email_is_refused_and_nothing_is_stored(achievement):
    with pytest.raises(ApplicationError):
        services.credential_issue(achievement=achievement, recipient_email="pas-un-email", actor=SYSTEM)
    assert not Credential.objects.exists()


def test_editing_the_achievement_does_not_change_issued_credentials(achievement):
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    before = credential.document
    services.achievement_update(achievement=achievement, name="Nouveau nom", actor=SYSTEM)
    credential.refresh_from_db()
    assert credential.document == before
    assert credential_verify(document=json.loads(before)).valid


def test_did_key_mode_issues_with_a_did_key_issuer(achievement, settings):
    settings.BADGES_DID_METHOD = "key"
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    document = json.loads(credential.document)
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    assert document["proof"]["verificationMethod"].split("#")[0] == document["issuer"]["id"]
    assert credential_verify(document=document).valid
