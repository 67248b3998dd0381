"""POST /api/v1/verify in each of its forms (JSON, VC-JWT, baked image, URL, form upload), with precise 4xx codes
for input that cannot be read; foreign issuers' did:web documents and status lists fetched from a real HTTPS
server on loopback (allowed explicitly, see test_safe_fetch.py); verifications of our credentials counted."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile

from badges_service.openbadges import bitstring_status_list as bsl
from badges_service.openbadges import did_key, did_web, eddsa_rdfc_2022, jwk
from badges_service.openbadges.multibase import ed25519_public_key_to_multibase
from indicators.models import CredentialUsage
from issuers import identifiers, services
from issuers.permissions import SYSTEM
from tests.issuers.factories import PublicCredentialFactory
from tests.openbadges.samples import sample_credential
from verification.services import credential_verify, credential_verify_raw

from .document_server import DocumentServer

VERIFY = "/api/v1/verify"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A cache of its own: documents fetched in one test are not seen by the next.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"verify-forms-{uuid.uuid4()}"}}


@pytest.fixture
def https_server(settings, tmp_path):
    server = DocumentServer(tls_dir=tmp_path)
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    settings.BADGES_FETCH_CA_FILE = str(server.ca_file)
    yield server
    server.close()


class ForeignIssuer:
    """Another city's badge service, published on the loopback HTTPS server: did:web DID document, signed
    credentials, a signed Bitstring status list."""

    def __init__(self, server: DocumentServer):
        self.server = server
        self.key = Ed25519PrivateKey.generate()
        self.did = did_web.did_web_from_url(f"{server.origin}/issuers/autre-ville")
        self.key_id = f"{self.did}#key-1"
        multibase = ed25519_public_key_to_multibase(self.key.public_key().public_bytes_raw())
        server.serve("/issuers/autre-ville/did.json",
                     json.dumps(did_web.did_document(self.did, [did_web.PublishedKey(self.key_id, multibase)])),
                     content_type="application/did+json")
        self.list_url = f"{server.origin}/status/1"
        self.revoked: set[int] = set()
        self.publish_list()

    def publish_list(self, *, signer=None) -> None:
        document = bsl.status_list_credential(list_url=self.list_url, issuer=self.did, purpose=bsl.REVOCATION,
                                              bits=bsl.bitstring(bsl.MIN_LENGTH, self.revoked),
                                              valid_from=datetime(2025, 1, 1, tzinfo=UTC))
        signed = eddsa_rdfc_2022.proof_create(document, private_key=signer or self.key,
                                              verification_method=self.key_id, created="2025-01-01T00:00:00Z")
        self.server.serve("/status/1", json.dumps(signed), content_type="application/vc")

    def credential(self, *, index: int | None = 7) -> dict:
        document = sample_credential(credential_id=f"{self.server.origin}/credentials/{uuid.uuid4()}")
        document["issuer"]["id"] = self.did
        document["credentialSubject"]["achievement"]["creator"]["id"] = self.did
        if index is not None:
            document["credentialStatus"] = bsl.entry(list_url=self.list_url, index=index, purpose=bsl.REVOCATION)
        return eddsa_rdfc_2022.proof_create(document, private_key=self.key, verification_method=self.key_id,
                                            created="2025-01-02T03:04:05Z")


@pytest.fixture
def foreign(https_server, db):
    return ForeignIssuer(https_server)


def _codes(report) -> dict:
    checks = report["checks"] if isinstance(report, dict) else [c.__dict__ for c in report.checks]
    return {c["name"]: (c["result"], c["code"]) for c in checks}


# --- foreign did:web and status lists ---------------------------------------------------------------------


def test_a_foreign_did_web_credential_verifies_with_its_fetched_key_and_status_list(foreign):
    report = credential_verify(document=foreign.credential())
    assert report.valid, report.as_json()
    assert _codes(report)["key"] == ("passed", "ok") and _codes(report)["status"] == ("passed", "ok")
    fetched = [path for path, _ in foreign.server.requests]
    assert fetched.count("/issuers/autre-ville/did.json") == 1  # cached: the list's key is the same DID's


def test_a_foreign_credential_revoked_in_its_issuers_list_is_revoked(foreign):
    foreign.revoked.add(7)
    foreign.publish_list()
    report = credential_verify(document=foreign.credential(index=7))
    assert report.status == "revoked" and _codes(report)["status"] == ("failed", "revoked")
    assert credential_verify(document=foreign.credential(index=8)).valid


def test_a_status_list_not_signed_by_the_issuer_cannot_clear_a_credential(foreign):
    foreign.publish_list(signer=Ed25519PrivateKey.generate())  # forged list
    report = credential_verify(document=foreign.credential())
    assert _codes(report)["status"] == ("failed", "status_list_invalid") and not report.valid


def test_a_status_list_that_cannot_be_had_leaves_the_status_unchecked(foreign):
    del foreign.server.routes["/status/1"]
    report = credential_verify(document=foreign.credential())
    assert _codes(report)["status"] == ("skipped", "status_unchecked") and report.valid


def test_a_forged_foreign_credential_fails_and_a_missing_did_document_is_unverifiable(foreign):
    document = foreign.credential()
    forged = copy.deepcopy(document)
    forged["credentialSubject"]["achievement"]["name"] = "Directeur général"
    assert _codes(credential_verify(document=forged))["proof"] == ("failed", "signature_invalid")
    other = copy.deepcopy(document)
    other["proof"]["verificationMethod"] = foreign.did + "#key-2"
    assert _codes(credential_verify(document=other))["key"] == ("failed", "unknown_key")
    del foreign.server.routes["/issuers/autre-ville/did.json"]
    stranger = foreign.credential()
    stranger["proof"]["verificationMethod"] = stranger["issuer"]["id"] = "did:web:127.0.0.1%3A1:nobody"
    assert credential_verify(document=stranger).status in ("unverifiable", "invalid")


def test_a_did_web_on_a_private_address_is_not_fetched(db, settings):
    settings.BADGES_FETCH_ALLOWED_PRIVATE = []
    document = sample_credential()
    document["issuer"]["id"] = "did:web:169.254.169.254"
    signed = eddsa_rdfc_2022.proof_create(document, private_key=Ed25519PrivateKey.generate(),
                                          verification_method="did:web:169.254.169.254#k",
                                          created="2025-01-02T00:00:00Z")
    report = credential_verify(document=signed)
    assert _codes(report)["key"] == ("failed", "key_unresolvable") and "link-local" in report.check("key").message


# --- the URL form --------------------------------------------------------------------------------------------


def test_a_url_is_fetched_and_what_it_holds_is_verified(client, foreign):
    url = foreign.server.serve("/credentials/1", json.dumps(foreign.credential()), content_type="application/ld+json")
    for body, content_type in [(url, "text/plain"), (url, "text/uri-list"), (json.dumps({"url": url}),
                                                                               "application/json")]:
        response = client.post(VERIFY, data=body, content_type=content_type)
        assert response.status_code == 200, response.json()
        assert response.json()["valid"] is True and response.json()["credential"]["fetched_from"] == url
    form = client.post(VERIFY, data={"url": url})
    assert form.status_code == 200 and form.json()["valid"] is True


def test_a_url_to_a_private_address_is_a_400_with_the_reason(client, db, settings):
    settings.BADGES_FETCH_ALLOWED_PRIVATE = []
    for url, code in [("http://127.0.0.1:8000/credentials/x", "address_not_public"),
                      ("http://169.254.169.254/latest/meta-data/", "address_not_public"),
                      ("http://[::ffff:127.0.0.1]/x", "address_not_public"), ("http://2130706433/x", "ambiguous_host"),
                      ("http://user:pw@example.org/x", "credentials_in_url")]:
        response = client.post(VERIFY, data=url, content_type="text/plain")
        assert response.status_code == 400, (url, response.content)
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["details"]["report"]["valid"] is False


def test_a_url_whose_document_cannot_be_had_is_a_422(client, https_server, settings):
    settings.BADGES_FETCH_MAX_BYTES = 100
    https_server.serve("/big", "{" + " " * 500 + "}")
    https_server.serve("/html", "<p>hi</p>", content_type="text/html")
    for path, code in [("/missing", "fetch_http_status"), ("/big", "fetch_too_large"), ("/html", "fetch_content_type")]:
        response = client.post(VERIFY, data=https_server.origin + path, content_type="text/plain")
        assert (response.status_code, response.json()["error"]["code"]) == (422, code)


def test_a_fetched_document_that_is_a_url_is_not_followed(client, foreign):
    inner = foreign.server.serve("/credentials/1", json.dumps(foreign.credential()))
    outer = foreign.server.serve("/pointer", inner, content_type="text/plain")
    report = credential_verify_raw(raw=outer)
    assert report.check("json").code == "not_fetched"


# --- JSON, VC-JWT, images and bad input ------------------------------------------------------------------


@pytest.fixture
def ours(achievement):
    return PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")


def test_a_vc_jwt_is_verified_by_the_api_with_its_claim_checks(client, db):
    key = Ed25519PrivateKey.generate()
    did = did_key.did_key_from_public_key(key.public_key().public_bytes_raw())
    document = sample_credential(credential_id=f"urn:uuid:{uuid.uuid4()}")
    document["issuer"]["id"] = did
    claims = {"vc": document, "iss": did, "jti": document["id"],
              "nbf": int(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp())}
    token = jwk.sign(claims, private_key=key, alg="EdDSA", kid=did_key.verification_method_id(did))
    for content_type in ("application/vc+jwt", "application/jwt", "text/plain"):
        response = client.post(VERIFY, data=token, content_type=content_type)
        assert response.status_code == 200 and response.json()["valid"] is True, response.json()
        assert response.json()["credential"]["format"] == "ob3-vc-jwt"
        assert {"jwt_iss", "jwt_nbf"} <= {c["name"] for c in response.json()["checks"]}
    none = token.split(".")
    response = client.post(VERIFY, data=f"eyJhbGciOiJub25lIn0.{none[1]}.", content_type="application/jwt")
    assert response.status_code == 200 and _codes(response.json())["proof"] == ("failed", "alg_not_allowed")


def test_a_baked_image_can_be_uploaded_as_a_form_file(client, ours):
    png = client.get(f"/credentials/{ours.public_id}/baked.png").content
    response = client.post(VERIFY, data={"file": SimpleUploadedFile("badge.png", png, content_type="image/png")})
    assert response.status_code == 200 and response.json()["valid"] is True
    svg = client.get(f"/credentials/{ours.public_id}/baked.svg").content
    response = client.post(VERIFY, data={"file": SimpleUploadedFile("b.svg", svg, content_type="image/svg+xml")})
    assert response.status_code == 200 and response.json()["credential"]["baked"]["image"] == "svg"


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b"{oops", "application/json", 400, "not_json"),
    (b"[1, 2]", "application/json", 400, "not_object"),
    (b"", "application/json", 400, "not_json"),
    (b"\x89PNG\r\n\x1a\nbroken", "image/png", 400, None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 400, "no_baked_credential"),
    (b"<x/>", "application/xml", 415, "unsupported_media_type"),
    (b"a=b", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b"x" * (300 * 1024), "application/json", 413, "too_large"),
    (b"x" * (5 * 1024 * 1024), "image/png", 413, "too_large"),
])
def test_unreadable_input_is_a_precise_4xx_with_the_report(client, db, body, content_type, status, code):
    response = client.post(VERIFY, data=body, content_type=content_type)
    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == (code or error["code"])
    if status == 400 or (status == 413 and content_type != "image/png"):  # read, then refused: with the report
        assert error["details"]["report"]["checks"][0]["name"] == "json"


def test_a_form_upload_without_input_is_a_400(client, db):
    response = client.post(VERIFY, data={"other": "x"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "missing_input")


# --- counting verifications of our credentials ------------------------------------------------------------


def test_each_verification_of_our_credential_is_counted_once_with_its_channel(client, ours):
    document = ours.document
    client.post(VERIFY, data=document, content_type="application/json")
    client.post(VERIFY, data=identifiers.credential_url(ours.public_id) + "/ob2", content_type="text/plain")
    client.get(f"/credentials/{ours.public_id}", HTTP_ACCEPT="text/html")
    client.get(f"/credentials/{ours.public_id}", HTTP_ACCEPT="application/ld+json")  # a download, not a verification
    usages = CredentialUsage.objects.filter(credential=ours, kind="verification")
    assert sorted(usages.values_list("channel", flat=True)) == ["api", "api", "page"]
    services.credential_revoke(credential=ours, reason="Erreur", actor=SYSTEM)
    assert client.post(VERIFY, data=document, content_type="application/json").json()["status"] == "revoked"
    assert usages.count() == 4  # a revoked credential's verification counts too


def test_foreign_and_unreadable_input_is_not_counted_and_a_counting_failure_does_not_fail_verification(
        client, ours, monkeypatch):
    client.post(VERIFY, data=b"{oops", content_type="application/json")
    assert not CredentialUsage.objects.exists()

    def broken(**kwargs):
        raise RuntimeError("indicators down")

    monkeypatch.setattr("indicators.services.usage_record", broken)
    response = client.post(VERIFY, data=ours.document, content_type="application/json")
    assert response.status_code == 200 and response.json()["valid"] is True
    assert client.get(f"/credentials/{ours.public_id}", HTTP_ACCEPT="text/html").status_code == 200


def test_the_schema_documents_every_form_of_the_verify_body(client, db):
    document = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    operation = document["paths"]["/api/v1/verify"]["post"]
    assert set(operation["requestBody"]["content"]) >= {
        "application/json", "application/ld+json", "application/vc+jwt", "application/jwt", "text/plain",
        "text/uri-list", "image/png", "image/svg+xml", "multipart/form-data"}
    assert {"200", "400", "413", "415", "422", "429"} <= set(operation["responses"])
    assert "SSRF" in operation["description"]
