"""The web process's threaded workers share out the connections (``badges_service.balanced_worker``): the rule,
and gunicorn applying it under ``make serve``'s process, checked from outside by which process holds each socket.

The process test needs PostgreSQL and Redis (skipped without them, except under CI): see tests/pipeline/workers.py.
"""

from __future__ import annotations

import http.client
import os
import time
from pathlib import Path

import pytest

from badges_service import balanced_worker, web
from badges_service.balanced_worker import Table, may_accept
from tests.ops.processes import Stack, _descendants


def test_a_worker_takes_a_connection_while_it_holds_fewer_than_its_least_loaded_peer_plus_the_slack():
    assert may_accept(5, 2, slack=4, bound=1000)
    assert not may_accept(6, 2, slack=4, bound=1000)
    assert may_accept(50, None, slack=4, bound=1000)  # no live peer: gunicorn's bound only
    assert not may_accept(1000, None, slack=4, bound=1000)
    assert not may_accept(3, 10, slack=4, bound=3)  # gunicorn's bound still applies


def test_a_peer_that_has_not_written_lately_is_left_out():
    table = Table(slots=4)
    now = time.monotonic()
    table.publish(0, 9, now)
    table.publish(1, 2, now - balanced_worker.STALE_SECONDS - 1)  # stuck or gone: not waited for
    table.publish(2, 5, now - 0.5)
    assert table.least_of_peers(0, now) == 5
    assert table.least_of_peers(2, now) == 9
    table.reset(2)
    assert table.least_of_peers(0, now) is None
    assert table.free_slot({0, 2}) == 1


def test_gunicorn_runs_the_balanced_worker():
    line = web.command("gunicorn", host="127.0.0.1", port="8000")
    assert line[line.index("--worker-class") + 1] == "badges_service.balanced_worker.BalancedThreadWorker"


def _established_sockets_by_process(pids: list[int], port: int) -> dict[int, int]:
    """How many established TCP connections on ``port`` each process holds (its fds matched to /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # local port, ESTABLISHED
            inodes.add(fields[9])
    held = {}
    for pid in pids:
        count = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd) if fd.is_symlink() else ""
            count += target.startswith("socket:[") and target[8:-1] in inodes
        held[pid] = count
    return held


@pytest.mark.worker
def test_three_workers_each_hold_a_third_of_nine_keep_alive_connections(tmp_path, queue, db):
    # One thread per worker: a worker takes a connection only while it holds no more than the least loaded peer,
    # so nine connections opened one after the other end three per worker. Left to the kernel, the first worker
    # awake takes each one: three each happens about once in twelve.
    stack = Stack(tmp_path, queue=queue, processes=("web",), env={"WEB_CONCURRENCY": "3", "WEB_THREADS": "1"}).start()
    connections = []
    try:
        workers = []  # the children of gunicorn's master (the web process itself: badges_service.web execs it)
        deadline = time.monotonic() + 30
        while len(workers) < 3 and time.monotonic() < deadline:
            workers = _descendants(stack.pid("web.1"))
            time.sleep(0.2)
        time.sleep(1.5)  # every worker has written its slot once
        for _ in range(9):
            connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
            connections.append(connection)  # kept open: gunicorn keeps it alive
            time.sleep(0.1)  # the worker that answered has published its count
        held = _established_sockets_by_process(workers, stack.port)
    finally:
        for connection in connections:
            connection.close()
        stack.stop()
    assert sorted(held.values()) == [3, 3, 3], (held, stack.output())
