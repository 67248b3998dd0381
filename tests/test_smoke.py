import json

from tests.issuers.factories import CredentialFactory
from verification.services import credential_verify


def test_a_fresh_credential_verifies(db):
    credential = CredentialFactory()
    assert credential_verify(document=json.loads(credential.document)).valid
