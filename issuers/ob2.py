"""Rows -> Open Badges 2.0 documents, and the OB 2.0 twin each issuance publishes.

URLs (all under ``BADGES_PUBLIC_URL``):

* hosted Assertion ``<credential url>/ob2`` (its ``id``); the signed one has ``id`` ``urn:uuid:<public id>``
  (OB 2.0 recommends a UUID for signed assertions) and is served at ``<credential url>/ob2.jws``;
* BadgeClass ``/achievements/<slug>/ob2``; issuer Profile ``/issuers/<slug>/ob2``;
* CryptographicKey ``/issuers/<slug>/ob2/keys/<fingerprint>``; RevocationList ``/issuers/<slug>/ob2/revocations``.

OB 2.0 knows no suspension: a suspended credential is on the revocation list (reason "Suspendu…") and
its hosted copy says ``revoked`` until it is reinstated, so OB 2.0 verifiers refuse it meanwhile.
"""

from __future__ import annotations

import json

from django.db.models import Q

from badges_service.errors import NotFound
from badges_service.openbadges import jws, ob2

from . import identifiers, rsa_keys
from .badge_images import achievement_image_url, issuer_image_url
from .documents import achievement_definition
from .models import Achievement, Credential, HostedAssertion, Issuer, SigningKey


def assertion_url(credential: Credential) -> str:
    return identifiers.credential_url(credential.public_id) + "/ob2"


def signed_assertion_id(credential: Credential) -> str:
    return f"urn:uuid:{credential.public_id}"


def badge_class_url(achievement: Achievement) -> str:
    return identifiers.achievement_url(achievement) + "/ob2"


def profile_url(issuer: Issuer) -> str:
    return identifiers.issuer_profile_url(issuer) + "/ob2"


def key_url(issuer: Issuer, key: SigningKey) -> str:
    return f"{profile_url(issuer)}/keys/{key.public_key_multibase}"


def revocation_list_url(issuer: Issuer) -> str:
    return f"{profile_url(issuer)}/revocations"


def _contact_email(issuer: Issuer) -> str | None:
    """OB 2.0 requires an issuer email: the issuer's own, else the nearest parent's."""
    node: Issuer | None = issuer
    while node is not None:
        if node.email:
            return node.email
        node = node.parent
    return None


def badge_class_document(achievement: Achievement) -> dict:
    definition = achievement_definition(achievement, creator=None)
    alignments = [ob2.alignment(target_name=a.target_name, target_url=a.target_url,
                                target_description=a.target_description, target_framework=a.target_framework,
                                target_code=a.target_code) for a in definition.alignments]
    return ob2.badge_class(
        badge_id=badge_class_url(achievement), name=achievement.name, description=achievement.description,
        image=achievement_image_url(achievement), issuer=profile_url(achievement.issuer),
        criteria_url=achievement.criteria_url or identifiers.achievement_url(achievement),
        criteria_narrative=achievement.criteria_narrative or None, alignments=alignments,
        tags=achievement.tags, version=achievement.version or None)


def published_rsa_keys(issuer: Issuer):
    """RS256 keys in the issuer's Profile: active and retired; a revoked (compromised) key is withdrawn."""
    return issuer.signing_keys.filter(algorithm=SigningKey.RS256).exclude(
        status=SigningKey.Status.REVOKED).order_by("created_at", "id")


def profile_document(issuer: Issuer) -> dict:
    return ob2.issuer_profile(
        profile_id=profile_url(issuer), name=issuer.name, url=issuer.url or identifiers.issuer_profile_url(issuer),
        email=_contact_email(issuer), description=issuer.description or None, image=issuer_image_url(issuer),
        public_keys=[key_url(issuer, k) for k in published_rsa_keys(issuer)],
        revocation_list=revocation_list_url(issuer))


def key_document(issuer: Issuer, fingerprint: str) -> dict:
    key = published_rsa_keys(issuer).filter(public_key_multibase=fingerprint).first()
    if key is None:
        raise NotFound("No such key.")
    return ob2.cryptographic_key(key_id=key_url(issuer, key), owner=profile_url(issuer),
                                 public_key_pem=key.public_key_pem)


def _public_reason(credential: Credential) -> str:
    if credential.revoked_at:
        return credential.revocation_reason or "Révoqué"
    return "Suspendu" + (f" : {credential.suspension_reason}" if credential.suspension_reason else "")


def revocation_list_document(issuer: Issuer) -> dict:
    withdrawn = (Credential.objects.filter(issuer=issuer)
                 .filter(Q(revoked_at__isnull=False) | Q(suspended_at__isnull=False)).order_by("issued_at", "id"))
    revoked = []
    for credential in withdrawn:
        reason = _public_reason(credential)
        revoked += [(assertion_url(credential), reason), (signed_assertion_id(credential), reason)]
    return ob2.revocation_list(list_id=revocation_list_url(issuer), issuer=profile_url(issuer), revoked=revoked)


def _signed_assertion_token(*, credential: Credential, document: dict, key: SigningKey) -> str:
    signed = ob2.assertion_from_ob3(document, assertion_id=signed_assertion_id(credential),
                                    badge_url=badge_class_url(credential.achievement),
                                    verification=ob2.signed_verification(key_url(credential.issuer, key)))
    return jws.sign(json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                    private_key=rsa_keys.rsa_private_key(key))


def assertion_build(*, credential: Credential, document: dict, key: SigningKey, sign: bool = True) -> HostedAssertion:
    """The hosted and signed OB 2.0 assertions of a credential (``document``: its signed OB 3.0), not saved.
    ``key``: the issuer's active RS256 key. With ``sign=False`` the signed one is left for its first request
    (``hosted_assertion``): most are never asked for, and RS256 is most of what a twin costs."""
    hosted = ob2.assertion_from_ob3(document, assertion_id=assertion_url(credential),
                                    badge_url=badge_class_url(credential.achievement),
                                    verification=ob2.hosted_verification())
    token = _signed_assertion_token(credential=credential, document=document, key=key) if sign else ""
    return HostedAssertion(credential=credential, document=json.dumps(hosted, ensure_ascii=False,
                                                                      separators=(",", ":")),
                           jws=token, signing_key=key)


def assertion_publish(*, credential: Credential, document: dict) -> HostedAssertion:
    """Make and store the OB 2.0 twin of a credential issued before OB 2.0 publishing."""
    assertion = assertion_build(credential=credential, document=document,
                                key=rsa_keys.rsa_key_active(issuer=credential.issuer))
    assertion.save(force_insert=True)
    return assertion


def _assertion_sign(assertion: HostedAssertion, credential: Credential) -> HostedAssertion:
    """Sign a twin stored unsigned, with the key chosen at issuance (the active one if that key has been revoked
    since). RS256 (PKCS #1 v1.5) is deterministic: two first requests at once store the same token."""
    key = assertion.signing_key
    if key.status == SigningKey.Status.REVOKED:
        key = rsa_keys.rsa_key_active(issuer=credential.issuer)
    token = _signed_assertion_token(credential=credential, document=json.loads(credential.document), key=key)
    HostedAssertion.objects.filter(pk=assertion.pk, jws="").update(jws=token, signing_key=key)
    assertion.refresh_from_db(fields=["jws", "signing_key"])
    return assertion


def hosted_assertion(credential: Credential) -> HostedAssertion:
    """The credential's OB 2.0 twin, signed: credentials issued before OB 2.0 publishing get theirs on first
    request, and the signed assertion of a twin issued unsigned is made then too."""
    existing = HostedAssertion.objects.select_related("signing_key").filter(credential=credential).first()
    if existing is None:
        return assertion_publish(credential=credential, document=json.loads(credential.document))
    return existing if existing.jws else _assertion_sign(existing, credential)


def hosted_assertion_document(credential: Credential) -> dict:
    """The hosted assertion as served: as stored, plus ``revoked`` while revoked or suspended (OB 2.0 §Revocation)."""
    document = json.loads(hosted_assertion(credential).document)
    if credential.revoked_at or credential.suspended_at:
        document["revoked"] = True
        document["revocationReason"] = _public_reason(credential)
    return document
