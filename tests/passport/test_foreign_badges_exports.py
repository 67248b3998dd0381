"""The OB 3.0 API and the VP/CLR exports carry the city's credentials only, unless the learner includes a
badge from elsewhere; it is then carried as it was, with its own proof, and keeps verifying on its own."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learners.models import ForeignBadge
from obapi.selectors import owner_credentials_page
from passport import exports
from tests.verification.document_server import DocumentServer
from tests.verification.test_verify_api_forms import ForeignIssuer
from verification import services as verification

ADD = "/passeport/ailleurs/ajouter"


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"foreign-exports-{uuid.uuid4()}"}}


@pytest.fixture
def other_city(settings, tmp_path, db):
    server = DocumentServer(tls_dir=tmp_path)
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [server.allowance]
    settings.BADGES_FETCH_CA_FILE = str(server.ca_file)
    yield ForeignIssuer(server)
    server.close()


@pytest.fixture
def added(client, settings, learner, other_city, platforms, city, credential):
    """Two badges from elsewhere: another city's OB 3.0 credential (did:web), a Moodle OB 2.0 assertion."""
    settings.BADGES_FETCH_ALLOWED_PRIVATE = [other_city.server.allowance, platforms.server.allowance]
    client.force_login(learner)
    ob3 = other_city.credential()
    client.post(ADD, {"file": SimpleUploadedFile("badge.json", json.dumps(ob3).encode(), "application/json")})
    client.post(ADD, {"url": platforms.moodle()["id"]})
    badges = {b.format: b for b in ForeignBadge.objects.filter(user=learner)}
    assert set(badges) == {"ob3", "ob2-hosted"}
    return {"ob3": badges["ob3"], "ob2": badges["ob2-hosted"], "document": ob3}


def _ids(documents) -> set[str]:
    return {d["id"] for d in documents}


def test_without_the_learners_choice_only_the_citys_credentials_are_exported(learner, added, credential):
    own = json.loads(credential.document)["id"]
    assert _ids(exports.presentation_export(user=learner)["verifiableCredential"]) == {own}
    assert _ids(exports.clr_export(user=learner)["credentialSubject"]["verifiableCredential"]) == {own}
    page = owner_credentials_page(user=learner, offset=0, limit=10)
    assert [item.credential_id for item in page.items] == [own]


def test_an_included_foreign_credential_travels_as_it_was_and_verifies(client, learner, added, credential):
    for badge in (added["ob3"], added["ob2"]):
        answer = client.post(f"/passeport/ailleurs/{badge.public_id}/exports", {"include": "1"})
        assert answer.status_code == 302
    vp = exports.presentation_export(user=learner, challenge="c", domain="d")
    carried = {c["id"]: c for c in vp["verifiableCredential"]}
    assert carried[added["document"]["id"]] == added["document"]  # byte for byte the same claims and proof
    assert added["ob2"].credential_id not in carried  # an OB 2.0 assertion is not a Verifiable Credential
    report = verification.presentation_verify(document=vp, challenge="c", domain="d")
    assert report.valid, report.as_json()
    clr = exports.clr_export(user=learner)
    assert added["document"] in clr["credentialSubject"]["verifiableCredential"]
    page = owner_credentials_page(user=learner, offset=0, limit=10)
    listed = {item.credential_id: item for item in page.items}
    assert json.loads(listed[added["document"]["id"]].text) == added["document"]
    client.post(f"/passeport/ailleurs/{added['ob3'].public_id}/exports", {"include": "0"})
    assert added["document"]["id"] not in _ids(exports.presentation_export(user=learner)["verifiableCredential"])


def test_a_foreign_badge_no_longer_valid_is_not_exported_even_if_included(client, learner, added):
    client.post(f"/passeport/ailleurs/{added['ob3'].public_id}/exports", {"include": "1"})
    ForeignBadge.objects.filter(pk=added["ob3"].pk).update(status="revoked")
    assert added["document"]["id"] not in _ids(exports.presentation_export(user=learner)["verifiableCredential"])
