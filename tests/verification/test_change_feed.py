"""PostgreSQL's notifications of what a credential's page depends on (``issuers`` migration 0007), the process's
feed of them (``badges_service.change_feed``) and the memory caches it keeps true (``verification.page_cache``).

These tests commit (``transactional_db``): notifications are delivered at commit. Each write is followed by a
sentinel notification from the writing connection, so that a reader takes exactly what the write sent, in order.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges_service import change_feed
from issuers import services, status_lists
from issuers.models import Achievement, Issuer, SigningKey
from issuers.permissions import SYSTEM
from issuers.selectors import CREDENTIAL_STATE_CHANNEL
from issuers.status_models import StatusList, StatusListEntry
from tests.issuers.factories import PublicCredentialFactory
from verification import own_records, page_cache

from .test_public_pages import page_of

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="LISTEN/NOTIFY is PostgreSQL's; CI runs the suite on PostgreSQL")
SENTINEL = "sentinel"


def _connect():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def listener(transactional_db):
    conn = _connect()
    conn.execute(f'LISTEN "{CREDENTIAL_STATE_CHANNEL}"')
    yield conn
    conn.close()


def sent(listener) -> list[str]:
    """What the writes since the last call notified, up to the sentinel sent now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CREDENTIAL_STATE_CHANNEL, SENTINEL])
    payloads = []
    for notice in listener.notifies(timeout=30):
        if notice.payload == SENTINEL:
            return payloads
        payloads.append(notice.payload)
    raise AssertionError("the sentinel never came")


@pytest.fixture
def credential(transactional_db):
    return PublicCredentialFactory()


def test_a_change_of_a_credential_row_names_the_credential(listener, credential):
    sent(listener)
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    assert set(sent(listener)) >= {str(credential.public_id)}
    services.credential_visibility_set(credential=credential, public=False, actor=SYSTEM)
    assert str(credential.public_id) in sent(listener)


def test_shared_rows_send_everything_only_when_a_column_the_page_reads_changes(listener, credential):
    sent(listener)
    issuer, achievement = credential.issuer, credential.achievement
    Issuer.objects.filter(pk=issuer.pk).update(name="Autre nom")
    Achievement.objects.filter(pk=achievement.pk).update(name="Autre intitulé")
    assert sent(listener) == []  # the page shows the signed document's names: nothing to drop
    for update in (lambda: Issuer.objects.filter(pk=issuer.pk).update(slug="autre-slug"),
                   lambda: Achievement.objects.filter(pk=achievement.pk).update(slug="autre-badge"),
                   lambda: SigningKey.objects.filter(pk=credential.signing_key_id).update(status="retired"),
                   lambda: SigningKey.objects.filter(pk=credential.signing_key_id).update(
                       revoked_after=timezone.now() - timedelta(days=1))):
        update()
        assert sent(listener) == [change_feed.EVERYTHING]


def test_status_lists_send_everything_for_a_new_version_not_for_an_index_reserved(listener, credential):
    entry = StatusListEntry.objects.get(credential=credential)
    sent(listener)
    status_lists.entries_reserve(status_list=entry.status_list, count=3)  # issuance: `allocated` moves, no bit
    assert sent(listener) == []
    StatusList.objects.filter(pk=entry.status_list_id).update(version=entry.status_list.version + 1)
    assert sent(listener) == [change_feed.EVERYTHING]
    other = PublicCredentialFactory(achievement=credential.achievement)
    sent(listener)
    StatusListEntry.objects.filter(pk=entry.pk).update(credential=None)
    StatusListEntry.objects.filter(credential=other).update(credential=credential)
    assert change_feed.EVERYTHING in sent(listener)


def test_a_deleted_credential_is_named(listener, credential):
    StatusListEntry.objects.filter(credential=credential).delete()
    sent(listener)
    public_id = str(credential.public_id)
    credential.delete()
    assert sent(listener) == [public_id]


# --- the feed and the memory caches ---------------------------------------------------------------------------


def _until(predicate, what: str):
    """Wait for something another thread does (the feed's), with a generous bound for a loaded machine."""
    deadline = time.monotonic() + 30
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


@pytest.fixture
def feed_on(transactional_db, settings):
    settings.BADGES_CHANGE_FEED = True
    feed = page_cache._states.feed
    feed.start()
    _until(lambda: feed.connected, "the feed listens")
    yield feed
    feed.stop()
    assert not feed.connected


def settled(feed) -> None:
    """Wait until the feed has told its subscribers everything committed so far (a marker sent now came back)."""
    seen, marker = [], uuid.uuid4().hex
    feed.subscribe(seen.append)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CREDENTIAL_STATE_CHANNEL, marker])
    _until(lambda: marker in seen, "the marker comes back")
    feed._subscribers.remove(seen.append)


def _state_reads(queries) -> int:
    return sum("md5(c.document)" in q["sql"] for q in queries)


def test_the_state_is_read_once_then_from_memory_and_a_revocation_drops_it(feed_on, credential):
    key = str(credential.public_id)
    settled(feed_on)  # the credential's own creation notified too
    with CaptureQueriesContext(connection) as first:
        before = page_cache.state_get(public_id=credential.public_id)
    with CaptureQueriesContext(connection) as second:
        again = page_cache.state_get(public_id=credential.public_id)
    assert (_state_reads(first), _state_reads(second)) == (1, 0) and again == before
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    _until(lambda: page_cache._states.get(key) is None, "the revocation drops the state")
    after = page_cache.state_get(public_id=credential.public_id)
    assert after.fingerprint != before.fingerprint


def test_the_public_document_is_kept_and_dropped_when_made_private(feed_on, credential):
    uid = credential.public_id
    settled(feed_on)
    assert page_cache.public_document(public_id=uid) == credential.document
    with CaptureQueriesContext(connection) as queries:
        assert page_cache.public_document(public_id=uid) == credential.document
    assert len(queries) == 0
    services.credential_visibility_set(credential=credential, public=False, actor=SYSTEM)
    _until(lambda: page_cache._documents.get(str(uid)) is None, "the change drops the document")
    assert page_cache.public_document(public_id=uid) is None


def test_a_revoked_credential_shows_revoked_at_once_through_the_lane(feed_on, credential, client):
    path = f"/credentials/{credential.public_id}"
    settled(feed_on)
    assert page_of(client.get(path, HTTP_ACCEPT="text/html")).banner_status == "valid"
    client.get(path, HTTP_ACCEPT="text/html")  # from memory and the page cache
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    _until(lambda: page_cache._states.get(str(credential.public_id)) is None, "the revocation reaches the feed")
    assert page_of(client.get(path, HTTP_ACCEPT="text/html")).banner_status == "revoked"


def test_a_lost_connection_empties_the_caches_and_they_are_not_used_until_it_is_back(feed_on, credential):
    key = str(credential.public_id)
    settled(feed_on)
    page_cache.state_get(public_id=credential.public_id)
    assert page_cache._states.get(key) is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE %s AND pid <> "
                       "pg_backend_pid()", [f'%LISTEN "{CREDENTIAL_STATE_CHANNEL}"%'])
        assert cursor.fetchone() is not None
    _until(lambda: not feed_on.connected or page_cache._states._data.get(key) is None, "the loss is noticed")
    assert page_cache._states._data.get(key) is None  # emptied: what changed meanwhile is unknown
    _until(lambda: feed_on.connected, "the feed listens again")
    settled(feed_on)
    page_cache.state_get(public_id=credential.public_id)
    assert page_cache._states.get(key) is not None


def test_a_value_read_while_a_notification_came_is_not_kept(settings, monkeypatch):
    cache = change_feed.MemoryCache(f"test-{uuid.uuid4().hex[:8]}", max_entries=2)
    monkeypatch.setattr(cache, "usable", lambda: True)
    cache.feed.connected = True
    token = cache.token()
    cache._changed("another-key")  # a notification between the read and the keeping
    cache.put("key", "stale", token)
    assert cache.get("key") is None
    cache.put("key", "fresh", cache.token())
    assert cache.get("key") == "fresh"
    cache.put("b", 2, cache.token())
    cache.put("c", 3, cache.token())  # bounded: the oldest goes
    assert cache.get("key") is None and cache.get("c") == 3
    cache._changed(change_feed.EVERYTHING)
    assert cache.get("c") is None


def test_without_the_setting_or_postgresql_nothing_listens(settings, db):
    settings.BADGES_CHANGE_FEED = False
    assert not change_feed.enabled()
    cache = change_feed.MemoryCache(f"test-{uuid.uuid4().hex[:8]}", max_entries=2)
    assert not cache.usable() and cache.feed._thread is None


def _verify(client, credential) -> dict:
    response = client.post("/api/v1/verify", data=credential.document, content_type="application/json")
    assert response.status_code == 200
    return response.json()


def _checks(report: dict) -> dict[str, str]:
    return {c["name"]: c["code"] for c in report["checks"]}


def test_the_verification_api_reads_our_records_once_then_sees_a_revocation_at_once(feed_on, credential, client):
    settled(feed_on)
    assert _verify(client, credential)["valid"]
    with CaptureQueriesContext(connection) as again:
        assert _verify(client, credential)["valid"]
    reads = [q["sql"] for q in again.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert reads == []  # record, status list, key and the count's id: from memory (verification.own_records)
    services.credential_revoke(credential=credential, reason="Erreur de saisie", actor=SYSTEM)
    _until(lambda: page_cache._states.feed.connected and not own_records._lists._data, "the revocation is heard")
    report = _verify(client, credential)
    assert not report["valid"] and _checks(report)["status"] == "revoked"


def test_a_key_revoked_after_a_verification_is_seen_by_the_next(feed_on, credential, client):
    settled(feed_on)
    assert _verify(client, credential)["valid"]
    assert own_records._keys._data  # the issuer's did:web key, kept
    services.key_revoke(key=credential.signing_key, compromised_since=credential.issued_at - timedelta(days=1),
                        actor=SYSTEM)
    _until(lambda: not own_records._keys._data, "the key's revocation drops it")
    report = _verify(client, credential)
    assert not report["valid"] and _checks(report)["proof"] != "ok"

