"""Web workers are replaced past a memory bound (``badges_service.recycling``), not after a count of requests:
the rule itself, and gunicorn applying it under ``make serve``'s process (production settings).

The process test needs PostgreSQL and Redis (skipped without them, except under CI): see tests/pipeline/workers.py.
"""

from __future__ import annotations

import re
import urllib.request

import pytest

from badges_service import recycling, web
from tests.ops.processes import Stack


def test_a_worker_is_due_only_past_the_bound_and_only_on_every_nth_request():
    heavy, light = (lambda: 700.0), (lambda: 300.0)
    assert recycling.due(2000, every=1000, limit_mib=512, rss=heavy) == 700.0
    assert recycling.due(2001, every=1000, limit_mib=512, rss=heavy) is None  # not a request that checks
    assert recycling.due(2000, every=1000, limit_mib=512, rss=light) is None
    assert recycling.due(2000, every=1000, limit_mib=0, rss=heavy) is None  # 0 turns the bound off


def test_the_resident_memory_read_is_this_process_s():
    with open("/proc/self/status") as status:
        vm_rss_kib = int(next(line for line in status if line.startswith("VmRSS:")).split()[1])
    assert recycling.rss_mib() == pytest.approx(vm_rss_kib / 1024, rel=0.2)


def test_granian_is_given_the_same_bound(monkeypatch):
    monkeypatch.setenv("BADGES_WEB_MAX_RSS_MB", "640")
    line = web.command("granian", host="127.0.0.1", port="8000")
    assert line[line.index("--workers-max-rss") + 1] == "640"
    monkeypatch.setenv("BADGES_WEB_MAX_RSS_MB", "0")
    assert "--workers-max-rss" not in web.command("granian", host="127.0.0.1", port="8000")


def _get_healthz(stack: Stack, times: int) -> list[int]:
    statuses = []
    for _ in range(times):
        with urllib.request.urlopen(stack.url() + "/healthz", timeout=10) as answer:
            statuses.append(answer.status)
    return statuses


@pytest.mark.worker
@pytest.mark.parametrize(("bound", "recycled"), [("1", True), ("4096", False)])
def test_gunicorn_replaces_a_worker_past_the_bound_without_failing_a_request(tmp_path, queue, db, bound, recycled):
    stack = Stack(tmp_path, queue=queue, processes=("web",), env={
        "WEB_CONCURRENCY": "1", "BADGES_WEB_MAX_RSS_MB": bound, "BADGES_WEB_RSS_CHECK_EVERY": "5"}).start()
    try:
        assert _get_healthz(stack, 12) == [200] * 12
        output = stack.output()
    finally:
        stack.stop()
    boots = len(re.findall(r"Booting worker with pid", output))
    if recycled:
        assert "Recycling: " in output and "over BADGES_WEB_MAX_RSS_MB=1." in output, output
        assert boots >= 2, output  # a fresh worker took over
    else:
        assert "Recycling" not in output and boots == 1, output
