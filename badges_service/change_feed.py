"""Notifications of changed rows from PostgreSQL (``LISTEN``/``NOTIFY``), for caches held in a process's memory.

A table whose rows a process keeps in memory gets a trigger (in its app's migrations) that sends
``pg_notify(channel, payload)`` when a row that matters changes: PostgreSQL delivers it when the writing
transaction commits, whoever wrote (a service, the admin, a bulk ``UPDATE``, a database console). Each process
that reads a channel holds one ``ChangeFeed``: a daemon thread with its own connection, started on first use
(after a fork: gunicorn imports the application in each worker), that calls its subscribers with each payload.

What a subscriber may rely on:

* ``connected`` is true only while the thread listens. Before its first ``LISTEN``, after a lost connection and
  until the next ``LISTEN`` succeeds, it is false: a cache must then not answer from memory (notifications
  may have been missed), and read the database as if it held nothing.
* Every (re)connection and every loss calls the subscribers with ``EVERYTHING``, so they drop what they hold:
  what changed while nobody listened is unknown.
* The connection is checked every ``PING_SECONDS`` when no notification comes (a ``SELECT 1``), so a silently
  dead connection is noticed within seconds, not at the next notification.

Where there is no PostgreSQL (SQLite in development) or ``BADGES_CHANGE_FEED`` is false (the test settings: a
test's writes are never committed, so no notification would come), a feed never connects, and caches that
depend on it read the database every time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

EVERYTHING = "*"  # the payload that means "forget everything" (also what a trigger sends for a whole table)
PING_SECONDS = 5.0
RETRY_SECONDS = (0.5, 1, 2, 5)

_feeds: dict[str, ChangeFeed] = {}
_feeds_lock = threading.Lock()


def enabled(alias: str = "default") -> bool:
    """The setting is on and the database is PostgreSQL (read from the settings: no connection is touched)."""
    return (bool(getattr(settings, "BADGES_CHANGE_FEED", False))
            and "postgresql" in settings.DATABASES[alias].get("ENGINE", ""))


class ChangeFeed:
    """The notifications of one channel in this process."""

    def __init__(self, channel: str, *, alias: str = "default"):
        self.channel, self.alias = channel, alias
        self.connected = False
        self._subscribers: list[Callable[[str], None]] = []
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection = None

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(payload)`` for each notification, and with ``EVERYTHING`` on every (re)connection or loss."""
        with self._lock:
            if callback not in self._subscribers:
                self._subscribers.append(callback)

    def start(self) -> bool:
        """Start listening in this process if not yet done (cheap when started); whether it listens now."""
        if self._pid == os.getpid():
            return self.connected
        with self._lock:
            if self._pid != os.getpid():  # first use in this process (or the first after a fork)
                self.connected, self._pid = False, os.getpid()
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._run, name=f"change-feed-{self.channel}", daemon=True)
                self._thread.start()
        return self.connected

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening (tests; a process that exits needs nothing: the thread is a daemon)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            if self.connected:  # wake it from its wait rather than wait for the next ping
                with contextlib.suppress(Exception), self._connect() as waker:
                    waker.execute("SELECT pg_notify(%s, %s)", [self.channel, EVERYTHING])
            thread.join(timeout)
        self._pid, self._thread = None, None

    def _tell(self, payload: str) -> None:
        for callback in list(self._subscribers):
            try:
                callback(payload)
            except Exception:
                logger.exception("A change-feed subscriber failed (channel %s)", self.channel)

    def _lost(self) -> None:
        self.connected = False
        self._tell(EVERYTHING)
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken
                self._connection.close()
            self._connection = None

    def _connect(self):
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.pop("cursor_factory", None)  # Django's; a plain psycopg connection needs none
        params.pop("context", None)
        connection = psycopg.connect(**params, autocommit=True)
        connection.execute(f'LISTEN "{self.channel}"')
        return connection

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._connection = self._connect()
                # Listening from here on: what changed before is unknown, so every subscriber forgets it all.
                self._tell(EVERYTHING)
                self.connected, failures = True, 0
                logger.info("Listening to %s", self.channel)
                while not self._stop.is_set():
                    for notice in self._connection.notifies(timeout=PING_SECONDS):
                        self._tell(notice.payload or EVERYTHING)
                        if self._stop.is_set():
                            break
                    self._connection.execute("SELECT 1")  # a dead connection raises here, within PING_SECONDS
            except Exception:
                if not self._stop.is_set():
                    logger.warning("The change feed %s lost its connection; memory caches read the database "
                                   "until it is back", self.channel, exc_info=failures == 0)
                failures += 1
            finally:
                self._lost()
            self._stop.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1] if failures else 0)


def feed(channel: str, *, alias: str = "default") -> ChangeFeed:
    """The process's feed of ``channel`` (made on first call, not started)."""
    with _feeds_lock:
        if channel not in _feeds:
            _feeds[channel] = ChangeFeed(channel, alias=alias)
        return _feeds[channel]


class MemoryCache:
    """A bounded map in this process's memory, answered from only while ``feed`` listens, whose entries the
    feed's notifications drop (a payload names a key; ``EVERYTHING`` empties it).

    A reader that misses takes a ``token()`` before reading the database and ``put``s what it read with it: the
    value is kept only if no notification came in between (one may have been about the row just read, from a
    transaction that committed after the read began). Entries older than ``max_age`` seconds are read again
    anyway: a bound on the harm of a notification that a future trigger forgets to send.
    """

    def __init__(self, channel: str, *, max_entries: int, max_age: float = 300.0, alias: str = "default"):
        self.feed = feed(channel, alias=alias)
        self.max_entries, self.max_age = max_entries, max_age
        self._data: dict[str, tuple[float, object]] = {}
        self._epoch = 0
        self._lock = threading.Lock()
        self.feed.subscribe(self._changed)

    def usable(self) -> bool:
        return enabled(self.feed.alias) and self.feed.start()

    def get(self, key: str):
        """The value kept for ``key``, or None (a miss, or the feed is not listening)."""
        if not self.usable():
            return None
        kept = self._data.get(key)
        if kept is None or time.monotonic() - kept[0] > self.max_age:
            return None
        return kept[1]

    def token(self) -> int:
        return self._epoch

    def put(self, key: str, value, token: int) -> None:
        with self._lock:
            if token != self._epoch or not self.feed.connected:
                return
            if key not in self._data and len(self._data) >= self.max_entries:
                del self._data[next(iter(self._data))]  # the oldest entry
            self._data[key] = (time.monotonic(), value)

    def get_or_read(self, key: str, read):
        """The value kept for ``key``, or else ``read()``'s, kept when it is not None (with the token taken before
        the read, so that a notification meanwhile leaves it out)."""
        value = self.get(key)
        if value is None:
            token = self.token()
            value = read()
            if value is not None:
                self.put(key, value, token)
        return value

    def _changed(self, payload: str) -> None:
        with self._lock:
            self._epoch += 1
            if payload == EVERYTHING:
                self._data.clear()
            else:
                self._data.pop(payload, None)
