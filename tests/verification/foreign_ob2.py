"""Other administrations' Open Badges 2.0 platforms, published on a loopback document server in the shapes
tests/fixtures/ob2/ records (Moodle: embedded BadgeClass and Issuer, ``verify``, query-string URLs; Badgr:
assertion -> BadgeClass -> Issuer by URL; Open Badge Factory: the same chain at ``.json?v=2.0&event=`` URLs,
``hosted`` in lower case, an expiry; Credly: ``/v1/obi/v2/`` URLs, the issuer embedded in the BadgeClass as a
``Profile``, an image object, a recipient hashed without salt), plus a signed-badge issuer with its RSA key.
Shared by the verification and passport tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from badges_service.openbadges import jws, ob2

from .document_server import DocumentServer

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ob2"
MOODLE_HOST = "https://formation.ministere.example"
BADGR_HOST = "https://api.badgr.example"
OBF_HOST = "https://openbadgefactory.example"
CREDLY_HOST = "https://api.credly.example"
EMAIL = "camille.martin@ministere.example"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _path(url: str, origin: str) -> str:
    return url[len(origin):]


class ForeignPlatforms:
    def __init__(self, server: DocumentServer):
        self.server = server
        self.origin = server.origin

    def _load(self, name: str, host: str) -> dict:
        text = (FIXTURES / name).read_text(encoding="utf-8").replace(host, self.origin)
        return json.loads(text)

    def publish(self, document: dict) -> str:
        return self.server.serve(_path(document["id"], self.origin), json.dumps(document, ensure_ascii=False),
                                 content_type="application/json; charset=utf-8")

    def withdraw(self, url: str, *, reason: str | None = None) -> None:
        """The host answers 410 Gone at ``url`` (OB 2.0: how a hosted assertion is revoked), with the optional
        JSON body ``{"revoked": true, "revocationReason": ...}`` when a reason is given."""
        body = json.dumps({"revoked": True, "revocationReason": reason}) if reason else "<h1>Gone</h1>"
        self.server.serve(_path(url, self.origin), body, status=410,
                          content_type="application/json" if reason else "text/html")

    # Moodle: the hosted assertion embeds everything.
    def moodle(self) -> dict:
        assertion = self._load("moodle_hosted_assertion.json", MOODLE_HOST)
        self.publish(assertion)
        return assertion

    # Badgr: three documents, each at its URL; the issuer may publish a revocation list.
    def badgr(self, *, revoked: tuple[str, ...] = ()) -> dict:
        assertion = self._load("badgr_hosted_assertion.json", BADGR_HOST)
        badge = self._load("badgr_badge_class.json", BADGR_HOST)
        issuer = self._load("badgr_issuer.json", BADGR_HOST)
        if revoked:
            issuer["revocationList"] = f"{self.origin}/public/issuers/revocations"
            self.publish(ob2.revocation_list(list_id=issuer["revocationList"], issuer=issuer["id"],
                                             revoked=[(assertion["id"] if r == "self" else r, "Fraude à l'examen")
                                                      for r in revoked]))
        for document in (assertion, badge, issuer):
            self.publish(document)
        return assertion

    # Open Badge Factory: assertion -> BadgeClass -> Issuer, each at a query-string URL.
    def obf(self) -> dict:
        return self._chain("obf", OBF_HOST, ("hosted_assertion", "badge_class", "issuer"))

    # Credly: assertion -> BadgeClass, which embeds its issuer Profile.
    def credly(self) -> dict:
        return self._chain("credly", CREDLY_HOST, ("hosted_assertion", "badge_class"))

    def _chain(self, platform: str, host: str, names: tuple[str, ...]) -> dict:
        documents = [self._load(f"{platform}_{name}.json", host) for name in names]
        for document in documents:
            self.publish(document)
        return documents[0]

    # A signed badge: CryptographicKey, issuer Profile listing it, BadgeClass; the assertion is a JWS.
    def signed(self, *, key=_KEY, listed_key=None) -> str:
        issuer_id, key_id = f"{self.origin}/signed/issuer", f"{self.origin}/signed/key"
        pem = (listed_key or key).public_key().public_bytes(serialization.Encoding.PEM,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.publish(ob2.cryptographic_key(key_id=key_id, owner=issuer_id, public_key_pem=pem.decode()))
        self.publish(ob2.issuer_profile(profile_id=issuer_id, name="Région Exemple", url=self.origin,
                                        email="badges@region.example", public_keys=[key_id]))
        self.publish(ob2.badge_class(badge_id=f"{self.origin}/signed/badge", name="Conduite de réunion",
                                     description="Animer une réunion", image=f"{self.origin}/signed/badge.png",
                                     issuer=issuer_id, criteria_narrative="Animer trois réunions."))
        payload = ob2.assertion(assertion_id="urn:uuid:2f1c8a5e-2b8e-4d0f-9f0e-0c1b2a3d4e5f",
                                badge=f"{self.origin}/signed/badge",
                                recipient={"type": "email", "hashed": False, "identity": EMAIL},
                                issued_on="2025-09-01T08:00:00Z", verification=ob2.signed_verification(key_id))
        return jws.sign(json.dumps(payload).encode("utf-8"), private_key=key)


def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def platforms(settings, db):
    """The platforms on a loopback server the fetcher may reach (``BADGES_FETCH_ALLOWED_PRIVATE``)."""
    server = DocumentServer()
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    yield ForeignPlatforms(server)
    server.close()
