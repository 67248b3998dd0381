"""Usage counts buffered in Redis and written to PostgreSQL in batches: the one module that knows their format.

Every view of a public credential page and every call of the verification API counts one use. A row per use
costs a commit (0.5 to 1 ms of PostgreSQL) on the busiest page, and even a HINCRBY per use costs a Redis round
trip (about 0.1 ms of the web process's CPU). So a use is counted in the process's memory; a thread per process
moves the counts to Redis every ``PUSH_SECONDS`` (one pipeline of HINCRBY, ``push``), and at exit; and
``usage_flush`` (Celery beat, every 10 s) writes them as ``CredentialUsage`` rows, one per credential, kind and
channel with the number of uses in ``count``.

Redis format (a script that counts in Redis must write the same):

* ``pending_key()``: a hash, ``<cache KEY_PREFIX>:usage:pending``. One field per credential, kind and channel,
  ``field_of()``: ``"<credential id>:<kind>:<channel>"`` (``"42:verification:page"``, the channel may be empty:
  ``"42:share:"``); the value is the number of uses.
* A flush takes the whole hash at once: it renames it to ``<prefix>:usage:inflight:<uuid>`` and adds that name
  to the set ``<prefix>:usage:inflight`` in one Lua script, so a use counted meanwhile goes to a new pending
  hash, neither lost nor taken twice.

Exactly once, whichever step a flusher dies at:

1. take (rename and add to the set, atomic). A death just after leaves an in-flight key named in the set: the
   next flush writes it, as it writes every key named there;
2. write, in one PostgreSQL transaction, the rows and a ``UsageFlush`` row naming the in-flight key. A death
   before the commit writes nothing, and the key is still in flight;
3. delete the key and its name in the set (one MULTI). A death before it leaves a key that a ``UsageFlush``
   names: the next flush only deletes it.

Two flushes at once are serialised in step 2 by a PostgreSQL advisory lock, under which the ``UsageFlush`` row
is looked for. ``UsageFlush`` rows are deleted a day later once their key is gone from the set.

Redis keeps these counts in memory only: a Redis restart loses the uses counted since the last flush (about
ten seconds of views), and a web process killed outright (SIGKILL, a crash) the uses of its last second; never
anything else.
"""

from __future__ import annotations

import atexit
import datetime
import logging
import os
import threading
import time
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from issuers.models import Credential

from .models import CredentialUsage, UsageFlush

logger = logging.getLogger(__name__)

KINDS = frozenset(CredentialUsage.Kind.values)
CHANNEL_LENGTH = CredentialUsage._meta.get_field("channel").max_length
FLUSH_LOCK = 0x75736167_65666C75  # the pg_advisory_xact_lock of step 2 ("usageflu"): any constant will do
KEEP_RECORDS = datetime.timedelta(days=1)

# KEYS: pending hash, in-flight key to create, set of in-flight keys. 1 if there was something to take.
TAKE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], KEYS[2])
return 1
"""


# --- the format ----------------------------------------------------------------------------------------------


def _prefix() -> str:
    return settings.CACHES["default"].get("KEY_PREFIX", "")


def pending_key() -> str:
    """The hash of the uses counted since the last flush."""
    return f"{_prefix()}:usage:pending"


def inflight_set_key() -> str:
    """The set naming every in-flight key (taken by a flush, not yet deleted)."""
    return f"{_prefix()}:usage:inflight"


def field_of(*, credential_id: int, kind: str, channel: str) -> str:
    """The field of ``pending_key()`` that counts the uses of one credential in one kind and channel."""
    return f"{int(credential_id)}:{kind}:{channel[:CHANNEL_LENGTH]}"


def field_parse(field: bytes | str) -> tuple[int, str, str] | None:
    """``(credential_id, kind, channel)`` of a field written by ``field_of``; None if it is not one."""
    if isinstance(field, bytes):
        try:
            field = field.decode()
        except UnicodeDecodeError:
            return None
    parts = field.split(":", 2)
    if len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit() or parts[1] not in KINDS:
        return None
    credential_id = int(parts[0])
    return (credential_id, parts[1], parts[2][:CHANNEL_LENGTH]) if credential_id > 0 else None


def client():
    """The redis-py client of the default cache (sharing its connection pool), or None if it is not Redis."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    return cache._cache.get_client(write=True)


# --- counting ------------------------------------------------------------------------------------------------


def usage_buffer_add(*, credential_id: int, kind: str, channel: str = "", n: int = 1) -> bool:
    """Count ``n`` uses: in this process's memory, moved to Redis within ``PUSH_SECONDS`` (``push``); False
    (nothing counted) if the cache is not Redis."""
    if client() is None:
        return False
    field = field_of(credential_id=credential_id, kind=kind, channel=channel)
    with _local_lock:
        _local[field] = _local.get(field, 0) + n
    _pusher_start()
    return True


PUSH_SECONDS = 1.0
_local: dict[str, int] = {}  # field -> uses counted in this process and not yet in Redis
_local_lock = threading.Lock()
_pusher: tuple[int, threading.Thread] | None = None  # (pid, thread): one per process, started after a fork too


def push() -> int:
    """Move this process's counts to the pending hash in Redis (one round trip); the uses moved. If Redis does
    not answer, they are written to PostgreSQL as rows at once (a logged warning); if that fails too, they stay
    in memory for the next push, and the error propagates."""
    global _local
    with _local_lock:
        taken, _local = _local, {}
    if not taken:
        return 0
    try:
        pipe = client().pipeline(transaction=False)
        for field, n in taken.items():
            pipe.hincrby(pending_key(), field, n)
        pipe.execute()
    except Exception:
        logger.warning("Usage counts could not be moved to Redis: written to the database instead", exc_info=True)
        try:
            CredentialUsage.objects.bulk_create(_rows("memory", taken))
        except Exception:
            with _local_lock:
                for field, n in taken.items():
                    _local[field] = _local.get(field, 0) + n
            raise
    return sum(taken.values())


def _push_forever() -> None:
    while True:
        time.sleep(PUSH_SECONDS)
        try:
            push()
        except Exception:
            logger.warning("Usage counts could be written neither to Redis nor to the database; kept in memory "
                           "for the next try", exc_info=True)
        finally:
            connections.close_all()  # this thread's database connection, if the fallback opened one


def _pusher_start() -> None:
    global _pusher
    if _pusher is not None and _pusher[0] == os.getpid():
        return
    with _local_lock:
        if _pusher is None or _pusher[0] != os.getpid():
            thread = threading.Thread(target=_push_forever, name="usage-counts-push", daemon=True)
            _pusher = (os.getpid(), thread)
            thread.start()


@atexit.register
def _push_at_exit() -> None:
    """A process that stops (gunicorn recycling a worker, a deployment) hands its last counts to Redis."""
    if _local:
        try:
            push()
        except Exception:
            logger.warning("Usage counts of an exiting process could not be moved to Redis", exc_info=True)


# --- flushing ------------------------------------------------------------------------------------------------


def _take(redis) -> None:
    """Step 1: move the pending hash to a new in-flight key, if there is anything pending."""
    inflight = f"{inflight_set_key()}:{uuid.uuid4().hex}"
    redis.register_script(TAKE)(keys=[pending_key(), inflight, inflight_set_key()])


def _rows(key: str, counts: dict) -> list[CredentialUsage]:
    """The rows for the fields of one in-flight hash; malformed fields and deleted credentials are left out."""
    uses: dict[tuple[int, str, str], int] = defaultdict(int)
    for field, value in counts.items():
        parsed = field_parse(field)
        try:
            n = int(value)
        except ValueError:
            n = 0
        if parsed is None or n <= 0:
            logger.warning("Usage buffer %s: field %r = %r is not a count, left out", key, field, value)
            continue
        uses[parsed] += n
    existing = set(Credential.objects.filter(id__in={c for c, _, _ in uses}).values_list("id", flat=True))
    for gone in sorted({c for c, _, _ in uses} - existing):
        logger.info("Usage buffer %s: credential %s no longer exists, its uses are left out", key, gone)
    return [CredentialUsage(credential_id=c, kind=kind, channel=channel, count=n)
            for (c, kind, channel), n in sorted(uses.items()) if c in existing]


def _lock() -> None:
    if connection.vendor == "postgresql":  # SQLite has one writer at a time
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FLUSH_LOCK])


def _record(key: str) -> None:
    UsageFlush.objects.create(key=key)


def _write(key: str, counts: dict) -> int:
    """Step 2: the rows of one in-flight hash and its ``UsageFlush``, in one transaction; the uses written
    (0 if a flush already wrote this key)."""
    with transaction.atomic():
        _lock()
        if UsageFlush.objects.filter(key=key).exists():
            return 0
        rows = _rows(key, counts)
        CredentialUsage.objects.bulk_create(rows, batch_size=1000)
        _record(key)
    return sum(row.count for row in rows)


def _forget(redis, key: str) -> None:
    """Step 3: the in-flight key and its name in the set, together."""
    pipe = redis.pipeline(transaction=True)
    pipe.delete(key)
    pipe.srem(inflight_set_key(), key)
    pipe.execute()


def usage_flush() -> int:
    """Write the uses counted in Redis as ``CredentialUsage`` rows, with those a previous flush left in flight;
    the number of uses written. Safe to run concurrently, and again after a flush died at any step."""
    redis = client()
    if redis is None:
        return 0
    push()  # this process's own counts first (a test, or a beat task that runs in a web process)
    _take(redis)
    inflight = {k.decode() if isinstance(k, bytes) else k for k in redis.smembers(inflight_set_key())}
    written = 0
    for key in sorted(inflight):
        counts = redis.hgetall(key)
        if counts:
            try:
                written += _write(key, counts)
            except DatabaseError:  # left in flight: the next flush tries again, the other keys go on
                logger.exception("Usage buffer %s could not be written", key)
                continue
        _forget(redis, key)
    # A record may go once its key is gone from the set (names are never reused) and no flush can still be
    # about to write that key: a day is far longer than a flush.
    old = UsageFlush.objects.filter(at__lt=timezone.now() - KEEP_RECORDS).exclude(key__in=inflight)
    old.delete()
    return written
