"""gunicorn's threaded worker (``gthread``), taking no more than its share of the open connections.

The workers of a gunicorn server accept from one listening socket, and the kernel wakes them all for each new
connection: whichever runs first takes it. When many connections open at once (a load balancer's pool of
keep-alive connections, a burst of visitors, wrk's hundred), one worker may take most of them, and then serves
them alone on one core while the other workers sit idle, for as long as the connections stay open. Measured on
the 2-core machine (``bench/public_page.py``): in about one run in four, one of three workers held every
connection, and the server answered 1,400-2,200 requests/s instead of 4,000-7,900.

Here each worker publishes how many connections it holds in a table shared by the workers (``Table``, made by
the master before the first fork) and stops accepting while it holds ``slack`` more than the least loaded of
its live peers; the connection then waits in the listen backlog for a peer, which the kernel has woken too. A
peer that has not written for ``STALE_SECONDS`` (stopping, or stuck until the master's time-out replaces it) is
left out, so a worker never waits on one that cannot accept. gunicorn's own bound (``worker_connections``) still
applies on top.
"""

from __future__ import annotations

import time
from multiprocessing.sharedctypes import RawArray

from gunicorn.workers.gthread import ThreadWorker

STALE_SECONDS = 3.0  # an idle worker still writes once a second (its event loop wakes every second)


class Table:
    """The connections each worker holds and when it last said so, one slot per live worker (shared memory)."""

    def __init__(self, slots: int):
        self.counts = RawArray("i", slots)
        self.seen = RawArray("d", slots)  # time.monotonic(): one clock for every process of the machine

    def free_slot(self, taken: set[int]) -> int:
        return next(slot for slot in range(len(self.counts)) if slot not in taken)

    def reset(self, slot: int) -> None:
        self.counts[slot], self.seen[slot] = 0, 0.0

    def publish(self, slot: int, count: int, now: float) -> None:
        self.counts[slot], self.seen[slot] = count, now

    def least_of_peers(self, slot: int, now: float) -> int | None:
        """The fewest connections a live peer of ``slot`` holds, or None if it has no live peer."""
        live = [self.counts[i] for i in range(len(self.counts))
                if i != slot and now - self.seen[i] < STALE_SECONDS]
        return min(live) if live else None


def may_accept(held: int, least_of_peers: int | None, *, slack: int, bound: int) -> bool:
    """Whether a worker holding ``held`` connections takes another one."""
    if held >= bound:
        return False
    return least_of_peers is None or held < least_of_peers + slack


table: Table | None = None  # set in the master (gunicorn_conf.on_starting), inherited by each forked worker


class BalancedThreadWorker(ThreadWorker):
    """``gthread`` whose bound on connections is, at each turn of its event loop, the share ``may_accept`` gives."""

    slot: int | None = None  # set by the master before the fork (gunicorn_conf.pre_fork)

    @property
    def worker_connections(self) -> int:
        if table is None or self.slot is None:
            return self._bound
        now = time.monotonic()
        table.publish(self.slot, self.nr_conns, now)
        # gthread accepts while nr_conns < worker_connections: answer nr_conns + 1 to accept, nr_conns to stop.
        accept = may_accept(self.nr_conns, table.least_of_peers(self.slot, now), slack=self.cfg.threads,
                            bound=self._bound)
        return self.nr_conns + 1 if accept else self.nr_conns

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._bound = value  # gunicorn's --worker-connections
