"""Usage counts buffered in Redis (``indicators.usage_buffer``): no row per view, every use written once by the
flushes, whatever happens between two steps of a flush, and a direct row when Redis does not answer.

Against the real Redis of the suite (the cache is Redis when CELERY_BROKER_URL is redis://)."""

from __future__ import annotations

import datetime
import logging
import threading

import pytest
import redis as redis_py
from django.db import DatabaseError
from django.db.models import Sum
from django.utils import timezone

from indicators import usage_buffer
from indicators.models import CredentialUsage, UsageBucket, UsageFlush
from indicators.services import usage_count
from indicators.tasks import indicators_rollup_task, usage_flush_task
from indicators.usage_buffer import field_of, field_parse, inflight_set_key, pending_key, usage_flush
from issuers.models import StatusListEntry
from tests.issuers.factories import PublicCredentialFactory
from tests.verification.test_public_pages import credential_path, get_html


def _clear(redis) -> None:
    for key in redis.smembers(inflight_set_key()):
        redis.delete(key)
    redis.delete(pending_key(), inflight_set_key())


@pytest.fixture
def redis(settings, db):
    """The buffer on, over the suite's Redis, with nothing pending or in flight."""
    settings.BADGES_USAGE_BUFFER = True
    client = usage_buffer.client()
    if client is None:
        pytest.fail("needs Redis as the cache: CELERY_BROKER_URL=redis://... (or REDIS_URL)")
    _clear(client)
    yield client
    _clear(client)


@pytest.fixture
def credentials(achievement):
    return PublicCredentialFactory(achievement=achievement), PublicCredentialFactory(achievement=achievement)


def totals() -> dict[tuple[int, str, str], int]:
    """Uses in PostgreSQL per credential, kind and channel."""
    return {(r["credential_id"], r["kind"], r["channel"]): r["n"] for r in
            CredentialUsage.objects.values("credential_id", "kind", "channel").annotate(n=Sum("count"))}


def count(credential, channel: str, times: int) -> None:
    for _ in range(times):
        usage_count(credential_id=credential.id, kind="verification", channel=channel)
    usage_buffer.push()  # what the process's pusher thread does every second


def nothing_left(redis) -> bool:
    return not redis.exists(pending_key()) and not redis.smembers(inflight_set_key())


# --- the format -------------------------------------------------------------------------------------------------


def test_a_field_names_the_credential_the_kind_and_the_channel():
    assert field_of(credential_id=42, kind="verification", channel="page") == "42:verification:page"
    assert field_of(credential_id=7, kind="share", channel="") == "7:share:"
    assert field_of(credential_id=7, kind="download", channel="x" * 30) == "7:download:" + "x" * 20
    for field in ["42:verification:page", "7:share:", "9:download:a:b"]:
        assert field_of(**dict(zip(("credential_id", "kind", "channel"), field_parse(field), strict=True))) == field
    assert field_parse(b"42:verification:api") == (42, "verification", "api")
    for bad in ["", "42", "42:verification", "x:verification:page", "0:verification:page", "-3:share:link",
                "42:visit:page", "٤٢:verification:page", b"\xff:verification:page"]:
        assert field_parse(bad) is None, bad


def test_the_keys_are_under_the_cache_prefix(settings):
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert pending_key() == f"{prefix}:usage:pending" and inflight_set_key() == f"{prefix}:usage:inflight"


# --- counting and flushing --------------------------------------------------------------------------------------


def test_buffered_uses_become_rows_only_at_the_flush_with_their_exact_number(redis, credentials):
    one, two = credentials
    count(one, "page", 5)
    count(one, "api", 2)
    count(two, "page", 3)
    assert not CredentialUsage.objects.exists()
    assert redis.hgetall(pending_key()) == {f"{one.id}:verification:page".encode(): b"5",
                                            f"{one.id}:verification:api".encode(): b"2",
                                            f"{two.id}:verification:page".encode(): b"3"}

    assert usage_flush() == 10

    assert totals() == {(one.id, "verification", "page"): 5, (one.id, "verification", "api"): 2,
                        (two.id, "verification", "page"): 3}
    assert CredentialUsage.objects.count() == 3  # one row per credential, kind and channel
    assert nothing_left(redis)
    assert usage_flush() == 0 and CredentialUsage.objects.count() == 3


def test_the_public_page_counts_its_views_in_redis(client, redis, credentials):
    """The page (rendered, then served from the page cache) writes no row; the flush writes their number."""
    one, _ = credentials
    for _ in range(3):
        assert get_html(client, credential_path(one)).status_code == 200
    assert not CredentialUsage.objects.exists()
    assert usage_flush() == 3
    assert totals() == {(one.id, "verification", "page"): 3}


def test_uses_counted_during_a_flush_go_to_the_next_one(redis, credentials, monkeypatch):
    """The flush takes the pending hash at once: a use counted after it (here between the take and the write)
    starts a new pending hash, written by the next flush, neither lost nor written twice."""
    one, two = credentials
    count(one, "page", 4)
    real_write = usage_buffer._write

    def write_while_views_go_on(key, counts):
        count(one, "page", 1)
        count(two, "api", 2)
        return real_write(key, counts)

    monkeypatch.setattr(usage_buffer, "_write", write_while_views_go_on)
    assert usage_flush() == 4
    assert totals() == {(one.id, "verification", "page"): 4}
    monkeypatch.setattr(usage_buffer, "_write", real_write)
    assert usage_flush() == 3
    assert totals() == {(one.id, "verification", "page"): 5, (two.id, "verification", "api"): 2}
    assert nothing_left(redis)


def test_no_use_is_lost_or_doubled_while_views_and_flushes_run_at_once(redis, credentials):
    """Another thread counts as fast as Redis answers while this one flushes again and again."""
    one, two = credentials
    views = 3000

    def viewer():
        for i in range(views):
            usage_buffer.usage_buffer_add(credential_id=(one, two)[i % 2].id, kind="verification", channel="page")

    thread = threading.Thread(target=viewer)
    thread.start()
    flushed = 0
    while thread.is_alive():
        flushed += usage_flush()
    thread.join()
    flushed += usage_flush()
    assert flushed == views
    assert totals() == {(one.id, "verification", "page"): views // 2, (two.id, "verification", "page"): views // 2}
    assert CredentialUsage.objects.count() > 2  # several flushes took part


class Died(Exception):
    """The flusher's process dies here."""


def _dies(*args, **kwargs):
    raise Died


@pytest.mark.parametrize(("step", "written"), [
    ("_write", False),  # after the take, before the transaction
    ("_record", False),  # in the transaction, the rows inserted, before the commit
    ("_forget", True),  # after the commit, before the in-flight key is deleted
])
def test_a_flush_that_dies_at_any_step_loses_no_use_and_writes_none_twice(redis, credentials, monkeypatch,
                                                                        step, written):
    one, two = credentials
    count(one, "page", 6)
    count(two, "page", 1)
    real = getattr(usage_buffer, step)
    monkeypatch.setattr(usage_buffer, step, _dies)
    with pytest.raises(Died):
        usage_flush()
    assert totals() == ({(one.id, "verification", "page"): 6, (two.id, "verification", "page"): 1} if written
                        else {})
    assert len(redis.smembers(inflight_set_key())) == 1 and not redis.exists(pending_key())
    count(one, "page", 2)  # the views go on while the flusher restarts

    monkeypatch.setattr(usage_buffer, step, real)
    assert usage_flush() == (2 if written else 9)

    assert totals() == {(one.id, "verification", "page"): 8, (two.id, "verification", "page"): 1}
    assert nothing_left(redis)
    assert usage_flush() == 0


def test_a_batch_the_database_refuses_stays_in_flight_for_the_next_flush(redis, credentials, monkeypatch, caplog):
    one, _ = credentials
    count(one, "api", 3)
    real_record = usage_buffer._record

    def refused(key):
        raise DatabaseError("the database said no")

    monkeypatch.setattr(usage_buffer, "_record", refused)
    with caplog.at_level(logging.ERROR, logger="indicators.usage_buffer"):
        assert usage_flush() == 0
    assert "could not be written" in caplog.text
    assert not CredentialUsage.objects.exists() and len(redis.smembers(inflight_set_key())) == 1
    monkeypatch.setattr(usage_buffer, "_record", real_record)
    assert usage_flush() == 3
    assert totals() == {(one.id, "verification", "api"): 3}


def test_malformed_fields_are_left_out_with_a_log_line(redis, credentials, caplog):
    one, _ = credentials
    count(one, "page", 2)
    redis.hset(pending_key(), mapping={"junk": 3, "12x:verification:page": 1, f"{one.id}:visit:page": 4,
                                       f"{one.id}:share:link": "many", f"{one.id}:download:png": -2,
                                       b"\xff\xfe": 1, f"{one.id}:share:": 5})
    with caplog.at_level(logging.WARNING, logger="indicators.usage_buffer"):
        assert usage_flush() == 7
    assert totals() == {(one.id, "verification", "page"): 2, (one.id, "share", ""): 5}
    assert caplog.text.count("is not a count, left out") == 6
    assert nothing_left(redis)


def test_the_uses_of_a_deleted_credential_are_left_out(redis, credentials, caplog):
    one, two = credentials
    count(one, "page", 2)
    count(two, "page", 3)
    gone = two.id
    StatusListEntry.objects.filter(credential=two).delete()  # no service deletes a credential: by hand
    two.delete()
    with caplog.at_level(logging.INFO, logger="indicators.usage_buffer"):
        assert usage_flush() == 2
    assert totals() == {(one.id, "verification", "page"): 2}
    assert f"credential {gone} no longer exists" in caplog.text
    assert nothing_left(redis)


def test_a_flush_record_goes_a_day_later_once_its_key_is_no_longer_in_flight(redis):
    old = timezone.now() - datetime.timedelta(days=2)
    for key in ("done-long-ago", "done-recently", "still-in-flight"):
        UsageFlush.objects.create(key=key)
    UsageFlush.objects.filter(key__in=["done-long-ago", "still-in-flight"]).update(at=old)
    redis.sadd(inflight_set_key(), "still-in-flight")  # its hash is gone: the flush only forgets it
    usage_flush()
    assert set(UsageFlush.objects.values_list("key", flat=True)) == {"done-recently", "still-in-flight"}


# --- without the buffer, or without Redis -----------------------------------------------------------------------


def test_when_redis_does_not_answer_the_uses_are_written_to_the_database_by_the_push(
        redis, credentials, monkeypatch, caplog):
    one, _ = credentials
    monkeypatch.setattr(usage_buffer, "client", lambda: redis_py.Redis(host="127.0.0.1", port=1))  # nothing there
    with caplog.at_level(logging.WARNING, logger="indicators.usage_buffer"):
        count(one, "page", 2)
    assert totals() == {(one.id, "verification", "page"): 2}
    assert CredentialUsage.objects.get().count == 2  # one row for the push, not one per use
    assert "could not be moved to Redis" in caplog.text


def test_when_neither_answers_the_uses_wait_in_memory_for_the_next_push(redis, credentials, monkeypatch):
    one, _ = credentials
    for _ in range(3):
        usage_count(credential_id=one.id, kind="verification", channel="page")
    monkeypatch.setattr(usage_buffer, "client", lambda: redis_py.Redis(host="127.0.0.1", port=1))
    monkeypatch.setattr(CredentialUsage.objects, "bulk_create", lambda rows: (_ for _ in ()).throw(DatabaseError()))
    with pytest.raises(DatabaseError):
        usage_buffer.push()
    monkeypatch.undo()
    assert usage_buffer.push() == 3 and usage_flush() == 3
    assert totals() == {(one.id, "verification", "page"): 3}


def test_the_uses_of_several_threads_all_reach_redis_once(redis, credentials):
    one, _ = credentials

    def views():
        for _ in range(500):
            usage_count(credential_id=one.id, kind="verification", channel="page")

    threads = [threading.Thread(target=views) for _ in range(4)]
    for thread in threads:
        thread.start()
    pushed = 0
    while any(t.is_alive() for t in threads):
        pushed += usage_buffer.push()
    for thread in threads:
        thread.join()
    pushed += usage_buffer.push()
    # The process's own pusher thread (started by an earlier test's count) may have moved some of them: what
    # matters is that Redis holds each use once, and nothing is left behind.
    assert 0 < pushed <= 2000 and not usage_buffer._local
    assert int(redis.hget(pending_key(), field_of(credential_id=one.id, kind="verification", channel="page"))) == 2000


def test_without_redis_as_the_cache_the_use_is_written_at_once(settings, credentials):
    settings.BADGES_USAGE_BUFFER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    one, _ = credentials
    count(one, "api", 1)
    assert totals() == {(one.id, "verification", "api"): 1}
    assert usage_flush() == 0


def test_with_the_buffer_off_the_use_is_written_at_once(redis, settings, credentials):
    settings.BADGES_USAGE_BUFFER = False
    one, _ = credentials
    count(one, "page", 1)
    assert totals() == {(one.id, "verification", "page"): 1}
    assert not redis.exists(pending_key())


# --- the tasks --------------------------------------------------------------------------------------------------


def test_the_beat_schedule_flushes_every_ten_seconds(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == usage_flush_task.name]
    assert len(entries) == 1 and entries[0]["schedule"] <= 10
    assert usage_flush_task.name == "indicators.tasks.usage_flush_task"


def test_the_flush_task_writes_the_buffer(redis, credentials):
    one, _ = credentials
    count(one, "page", 2)
    assert usage_flush_task() == 2
    assert totals() == {(one.id, "verification", "page"): 2}


def test_the_rollup_flushes_the_buffer_first(redis, credentials):
    one, _ = credentials
    count(one, "page", 4)
    assert indicators_rollup_task()["usages"] == 4
    assert sum(UsageBucket.objects.filter(grain="d").values_list("count", flat=True)) == 4


def test_the_rollup_runs_when_the_buffer_cannot_be_flushed(redis, credentials, monkeypatch):
    one, _ = credentials
    count(one, "page", 4)
    monkeypatch.setattr(usage_buffer, "client", lambda: redis_py.Redis(host="127.0.0.1", port=1))
    assert indicators_rollup_task() == {"credentials": 2, "usages": 0}
