"""Status lists: every credential gets a random entry in a list of at least 131,072, published signed."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError

from badges_service.openbadges import bitstring_status_list as bsl
from badges_service.openbadges.schema import schema_errors
from issuers import selectors, services, status_lists
from issuers.models import StatusList, StatusListEntry
from issuers.permissions import SYSTEM
from tests.issuers.factories import CredentialFactory


def published_bits(status_list: StatusList) -> bytes:
    document = json.loads(selectors.status_list_document(status_list=status_list))
    return bsl.decode(document["credentialSubject"]["encodedList"])


def test_a_credential_carries_one_revocation_entry_that_the_ob3_schema_accepts(achievement):
    """OB 3.0 allows one credentialStatus (CredentialStatus [0..1]): the revocation entry."""
    credential = CredentialFactory(achievement=achievement)
    document = json.loads(credential.document)
    status = document["credentialStatus"]
    assert isinstance(status, dict)
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    entry = credential.status_entry
    assert status == bsl.entry(list_url=status_lists.list_url(entry.status_list), index=entry.index,
                               purpose="revocation")
    assert schema_errors(document) == []


def test_indexes_are_drawn_at_random_in_a_list_of_at_least_131072_entries(achievement):
    credentials = [CredentialFactory(achievement=achievement) for _ in range(12)]
    indexes = [c.status_entry.index for c in credentials]
    [status_list] = StatusList.objects.all()
    assert status_list.size >= 131_072 and status_list.allocated == 12
    assert len(set(indexes)) == 12
    assert indexes != sorted(indexes)  # not sequential (probability of a sorted draw: 1/12!)
    assert max(indexes) - min(indexes) > 1000


def test_an_index_is_unique_within_its_list(achievement):
    credential = CredentialFactory(achievement=achievement)
    with pytest.raises(IntegrityError):
        StatusListEntry.objects.create(status_list=credential.status_entry.status_list,
                                       index=credential.status_entry.index)


def test_a_half_full_list_makes_way_for_a_new_one(achievement):
    first = CredentialFactory(achievement=achievement).status_entry.status_list
    StatusList.objects.filter(pk=first.pk).update(allocated=bsl.MIN_LENGTH // 2)
    second = CredentialFactory(achievement=achievement).status_entry.status_list
    assert second != first and second.controller == first.controller


def test_revocation_sets_the_bit_and_the_signed_list_is_regenerated_only_when_it_changed(achievement):
    credential, other = CredentialFactory(achievement=achievement), CredentialFactory(achievement=achievement)
    status_list = credential.status_entry.status_list
    before = selectors.status_list_document(status_list=status_list)
    assert selectors.status_list_document(status_list=status_list) == before  # same version: the stored bytes
    assert not any(published_bits(status_list))

    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)

    after = selectors.status_list_document(status_list=status_list)
    assert after != before
    bits = published_bits(status_list)
    assert bsl.bit_at(bits, credential.status_entry.index)
    assert not bsl.bit_at(bits, other.status_entry.index)
    assert sum(bin(b).count("1") for b in bits) == 1


def test_suspension_does_not_set_the_revocation_bit(achievement):
    credential = CredentialFactory(achievement=achievement)
    services.credential_suspend(credential=credential, reason="Contrôle en cours", actor=SYSTEM)
    assert not any(published_bits(credential.status_entry.status_list))


def test_issuance_signs_a_list_only_when_it_makes_it(achievement):
    """A new list is signed once, all bits clear, when made (a GET never signs); the credentials issued on it
    afterwards change no bit and sign nothing."""
    CredentialFactory(achievement=achievement)
    first = StatusList.objects.get()
    assert first.document and first.document_version == first.version
    CredentialFactory(achievement=achievement)
    again = StatusList.objects.get()
    assert (again.document, again.document_version) == (first.document, first.document_version)


def test_under_did_key_each_signing_key_has_its_own_lists(achievement, settings):
    """A status list's issuer must be the credential's: with did:key that is the key itself."""
    settings.BADGES_DID_METHOD = "key"
    before = CredentialFactory(achievement=achievement)
    services.key_rotate(issuer=achievement.issuer, actor=SYSTEM)
    after = CredentialFactory(achievement=achievement)
    lists = {before.status_entry.status_list, after.status_entry.status_list}
    assert len(lists) == 2
    services.credential_revoke(credential=before, reason="x", actor=SYSTEM)
    document = json.loads(selectors.status_list_document(status_list=before.status_entry.status_list))
    assert document["issuer"] == json.loads(before.document)["issuer"]["id"]
    assert document["proof"]["verificationMethod"].startswith(document["issuer"])


def test_the_reservation_statement_names_the_entry_table():
    assert f'"{StatusListEntry._meta.db_table}"' == status_lists._TABLE


def test_a_taken_index_is_drawn_again(achievement, monkeypatch):
    first = CredentialFactory(achievement=achievement).status_entry
    draws = iter([first.index, first.index, first.index + 1 if first.index + 1 < first.status_list.size else 0])
    monkeypatch.setattr(status_lists.secrets, "randbelow", lambda n: next(draws))
    second = CredentialFactory(achievement=achievement).status_entry
    assert second.index != first.index and second.status_list == first.status_list
    assert StatusList.objects.get(pk=first.status_list.pk).allocated == 2


def test_a_get_of_a_status_list_never_writes_the_write_that_changes_it_signs_it(db, client):
    """Regression: a GET of a stale list re-signed and UPDATEd it inside the read path. Now revocation signs
    the list in its own transaction, and the GET only reads the stored copy."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from issuers.models import StatusList

    credential = CredentialFactory()
    status_list = StatusList.objects.get(entries__credential=credential)
    assert status_list.document and status_list.document_version == status_list.version  # signed when made
    services.credential_revoke(credential=credential, reason="erreur", actor=SYSTEM)
    status_list.refresh_from_db()
    assert status_list.document_version == status_list.version
    url = f"/issuers/{status_list.issuer.slug}/status/{status_list.public_id}"
    with CaptureQueriesContext(connection) as queries:
        served = client.get(url).content.decode()
    assert served == status_list.document
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_lists_left_stale_by_an_older_version_are_signed_by_the_command(db):
    from io import StringIO

    from django.core.management import call_command

    from issuers.models import StatusList

    credential = CredentialFactory()
    StatusList.objects.filter(entries__credential=credential).update(document="", document_version=0)
    out = StringIO()
    call_command("status_lists_sign", stdout=out)
    assert "1 status list(s) signed." in out.getvalue()
    assert StatusList.objects.get(entries__credential=credential).document
