"""The OB 2.0 twin of every credential, and the issuers' RSA keys (RS256) that sign it."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.utils import timezone

from badges_service.openbadges import jws
from competencies.models import Competency, ProficiencyLevel
from issuers import ob2, rsa_keys, services
from issuers.alignments import alignment_set
from issuers.models import SigningKey
from issuers.permissions import SYSTEM
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, CredentialFactory, IssuerFactory


def rsa_keys_of(issuer):
    return SigningKey.objects.filter(issuer=issuer, algorithm="RS256")


def test_issuance_publishes_a_hosted_and_a_signed_assertion_with_the_required_fields(achievement):
    credential = CredentialFactory(achievement=achievement)
    ob3 = json.loads(credential.document)
    hosted = json.loads(credential.ob2.document)
    assert hosted["@context"] == "https://w3id.org/openbadges/v2"
    assert {"id", "type", "recipient", "badge", "verification", "issuedOn"} <= set(hosted)
    assert hosted["id"] == ob2.assertion_url(credential) and hosted["verification"] == {"type": "HostedBadge"}
    identity = ob3["credentialSubject"]["identifier"][0]
    assert hosted["recipient"] == {"type": "email", "hashed": True, "salt": identity["salt"],
                                   "identity": identity["identityHash"]}
    assert hosted["issuedOn"] == ob3["validFrom"]

    key = rsa_keys_of(achievement.issuer).get(status="active")
    decoded = jws.verify(ob2.hosted_assertion(credential).jws,
                         public_key=load_pem_public_key(key.public_key_pem.encode()), max_payload_bytes=100_000)
    signed = json.loads(decoded.payload)
    assert signed["id"] == f"urn:uuid:{credential.public_id}"
    assert signed["verification"] == {"type": "SignedBadge", "creator": ob2.key_url(achievement.issuer, key)}
    assert {k: v for k, v in signed.items() if k not in ("id", "verification")} == \
        {k: v for k, v in hosted.items() if k not in ("id", "verification")}


def test_the_badge_class_has_the_required_fields_and_the_competency_alignments(achievement):
    framework = small_framework()
    alignment_set(achievement=achievement, competency=Competency.objects.get(code="CMP-REL-01"),
                  level=ProficiencyLevel.objects.get(framework=framework, code="N2"), actor=SYSTEM)
    badge = ob2.badge_class_document(achievement)
    assert {"name", "description", "image", "criteria", "issuer"} <= set(badge)
    assert badge["issuer"] == ob2.profile_url(achievement.issuer)
    assert any(a["targetUrl"].endswith("/competencies/CMP-REL-01") and a["targetName"] for a in badge["alignment"])


def test_the_issuer_profile_lists_email_keys_and_revocation_list(achievement):
    CredentialFactory(achievement=achievement)
    profile = ob2.profile_document(achievement.issuer)
    assert {"name", "url", "email", "publicKey", "revocationList"} <= set(profile)
    [key_url] = profile["publicKey"]
    fingerprint = key_url.rsplit("/", 1)[1]
    key = ob2.key_document(achievement.issuer, fingerprint)
    assert key["type"] == "CryptographicKey" and key["owner"] == profile["id"]
    assert key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_an_issuer_without_email_uses_its_parents(db):
    parent = IssuerFactory(email="ville@ville-exemple.fr")
    child = IssuerFactory(parent=parent, email="")
    assert ob2.profile_document(child)["email"] == "ville@ville-exemple.fr"


def test_the_rsa_private_key_is_encrypted_at_rest(achievement):
    CredentialFactory(achievement=achievement)
    key = rsa_keys_of(achievement.issuer).get()
    stored = bytes(key.private_key_encrypted)
    assert b"PRIVATE KEY" not in stored and stored.startswith(b"gAAAA")  # a Fernet token
    assert rsa_keys.rsa_private_key(key).key_size == 2048


def test_rotation_retires_the_rsa_key_with_the_ed25519_one_and_old_signatures_keep_verifying(achievement):
    credential = CredentialFactory(achievement=achievement)
    old = rsa_keys_of(achievement.issuer).get()
    services.key_rotate(issuer=achievement.issuer, actor=SYSTEM)
    old.refresh_from_db()
    assert old.status == "retired"
    new = rsa_keys_of(achievement.issuer).get(status="active")
    assert SigningKey.objects.filter(issuer=achievement.issuer, status="active").count() == 2
    assert ob2.profile_document(achievement.issuer)["publicKey"] == [
        ob2.key_url(achievement.issuer, old), ob2.key_url(achievement.issuer, new)]
    assert credential.ob2.signing_key == old
    later = CredentialFactory(achievement=achievement)
    assert later.ob2.signing_key == new


def test_a_revoked_rsa_key_is_withdrawn_and_replaced(achievement):
    CredentialFactory(achievement=achievement)
    key = rsa_keys_of(achievement.issuer).get()
    services.key_revoke(key=key, compromised_since=timezone.now(), actor=SYSTEM)
    assert rsa_keys_of(achievement.issuer).filter(status="active").exclude(pk=key.pk).exists()
    assert ob2.key_url(achievement.issuer, key) not in ob2.profile_document(achievement.issuer)["publicKey"]
    with pytest.raises(Exception, match="No such key"):
        ob2.key_document(achievement.issuer, key.public_key_multibase)
    # The Ed25519 key is untouched: the DID document still lists it.
    assert SigningKey.objects.filter(issuer=achievement.issuer, algorithm="Ed25519", status="active").count() == 1


def test_a_credential_issued_before_ob2_publishing_gets_its_twin_on_first_request(achievement):
    credential = CredentialFactory(achievement=achievement)
    credential.ob2.delete()
    credential.refresh_from_db()
    hosted = ob2.hosted_assertion_document(credential)
    assert hosted["id"] == ob2.assertion_url(credential)


def test_the_signed_assertion_is_made_on_its_first_request_and_kept(achievement):
    """Issuance stores the hosted twin; RS256 signing waits for the first request of the signed one, which
    every later request then gets unchanged."""
    credential = CredentialFactory(achievement=achievement)
    assert credential.ob2.jws == ""
    first = ob2.hosted_assertion(credential).jws
    credential.ob2.refresh_from_db()
    assert credential.ob2.jws == first and first.count(".") == 2
    assert ob2.hosted_assertion(credential).jws == first


def test_a_twin_left_unsigned_is_signed_with_the_key_of_its_issuance_after_a_rotation(achievement):
    credential = CredentialFactory(achievement=achievement)
    old = rsa_keys_of(achievement.issuer).get()
    services.key_rotate(issuer=achievement.issuer, actor=SYSTEM)
    token = ob2.hosted_assertion(credential).jws
    jws.verify(token, public_key=load_pem_public_key(old.public_key_pem.encode()), max_payload_bytes=100_000)
    assert json.loads(jws.verify(token, public_key=load_pem_public_key(old.public_key_pem.encode()),
                                 max_payload_bytes=100_000).payload)["verification"]["creator"] == \
        ob2.key_url(achievement.issuer, old)


def test_a_twin_left_unsigned_whose_key_was_revoked_is_signed_with_the_active_key(achievement):
    credential = CredentialFactory(achievement=achievement)
    revoked = rsa_keys_of(achievement.issuer).get()
    services.key_revoke(key=revoked, compromised_since=timezone.now(), actor=SYSTEM)
    active = rsa_keys_of(achievement.issuer).get(status="active")
    token = ob2.hosted_assertion(credential).jws
    decoded = jws.verify(token, public_key=load_pem_public_key(active.public_key_pem.encode()),
                         max_payload_bytes=100_000)
    assert json.loads(decoded.payload)["verification"]["creator"] == ob2.key_url(achievement.issuer, active)
    assert ob2.hosted_assertion(credential).signing_key == active


def test_the_revocation_list_names_revoked_and_suspended_credentials_with_their_public_reason(db):
    achievement = AchievementFactory()
    revoked, suspended, fine = (CredentialFactory(achievement=achievement) for _ in range(3))
    services.credential_revoke(credential=revoked, reason="Délivré par erreur", actor=SYSTEM)
    services.credential_suspend(credential=suspended, reason="Vérification en cours", actor=SYSTEM)
    listed = ob2.revocation_list_document(achievement.issuer)["revokedAssertions"]
    assert {"id": ob2.assertion_url(revoked), "revocationReason": "Délivré par erreur"} in listed
    assert {"id": f"urn:uuid:{revoked.public_id}", "revocationReason": "Délivré par erreur"} in listed
    assert {"id": ob2.assertion_url(suspended), "revocationReason": "Suspendu : Vérification en cours"} in listed
    assert not any(fine.public_id.hex in item["id"].replace("-", "") for item in listed)
    assert ob2.hosted_assertion_document(revoked)["revoked"] is True
    services.credential_reinstate(credential=suspended, actor=SYSTEM)
    assert "revoked" not in ob2.hosted_assertion_document(suspended)
