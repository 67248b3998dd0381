"""Drills on the Procfile's processes (production settings, real PostgreSQL and Redis):

* a database outage during intake: 503 with Retry-After while it lasts (never a 500, never a false 202), and
  afterwards the same processes go on by themselves and process everything accepted;
* past one machine: two worker groups with distinct node names and two web processes share a campaign; one
  whole worker group is SIGKILLed in the middle; every event ends processed exactly once.

Needs PostgreSQL server binaries (for a private server), PostgreSQL and Redis (skipped without them, except
under CI): see tests/pipeline/workers.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from issuers.models import Credential
from pipeline.models import Award, InboundEvent
from tests.ops.conftest import completion, post
from tests.ops.processes import ROOT, PrivatePostgres, Stack, production_env
from tests.pipeline.workers import wait_for

pytestmark = pytest.mark.worker
OUTAGE_SECONDS = float(os.environ.get("DRILL_OUTAGE_SECONDS", "30"))

SETUP = """
import json
from issuers import services as issuers
from issuers.permissions import SYSTEM
from pipeline import services
ville = issuers.issuer_create(slug="ville", name="Ville", kind="city")
achievement = issuers.achievement_create(issuer=ville, slug="accueil-usagers", name="Accueil des usagers",
                                         description="Accueillir les usagers.", criteria_narrative="Le module.",
                                         actor=SYSTEM)
new = services.lms_source_create(name="moodle-ville", issuer=ville)
services.award_rule_create(source=new.source, course="101", achievement=achievement)
services.learner_map_import(source=new.source, text="lms_user_id,email\\n" + "\\n".join(
    f"{n},agent.{n}@ville-exemple.fr" for n in range(1, 201)))
print(json.dumps({"secret": new.secret}))
"""


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def _statuses(url: str) -> dict[str, int]:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3) as conn:
        rows = conn.execute("SELECT status, count(*) FROM pipeline_inboundevent GROUP BY status").fetchall()
        credentials = conn.execute("SELECT count(*), count(DISTINCT recipient_email) FROM issuers_credential")
        total, distinct = credentials.fetchone()
    return {**dict(rows), "credentials": total, "distinct_recipients": distinct}


def test_a_database_outage_answers_503_and_everything_accepted_is_processed_afterwards(tmp_path, queue):
    pg = PrivatePostgres().init()
    try:
        url = pg.create_database("drill")
        env = production_env(queue, DATABASE_URL=url)
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        secret = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])["secret"]
        stack = Stack(tmp_path, queue=queue, env={"DATABASE_URL": url, "EMAIL_URL": "dummymail://",
                                                  "BADGES_PIPELINE_REDRIVE_AFTER_SECONDS": "5"}).start()
        try:
            accepted = []
            for user in range(1, 11):
                status, body, _ = post(stack.url(), completion(user), secret)
                assert status == 202, body
                accepted.append(user)
            pg.stop()  # the database goes away with events still being processed
            refused, started = [], time.monotonic()
            user = 11
            while time.monotonic() - started < OUTAGE_SECONDS:
                status, body, headers = post(stack.url(), completion(user), secret)
                assert status == 503, (status, body)  # never a 500, never a 202 for an event not stored
                assert headers.get("Retry-After") == "30" and body["error"]["code"] == "service_unavailable"
                refused.append(user)
                user += 1
                time.sleep(0.5)
            with pytest.raises(Exception) as answer:
                __import__("urllib.request").request.urlopen(stack.url() + "/readyz", timeout=10)
            assert answer.value.code == 503 and json.loads(answer.value.read())["failing"] == ["database"]
            pg.start()
            for user in refused + list(range(user, user + 10)):  # the LMS retries; new completions arrive
                status, body, _ = post(stack.url(), completion(user), secret)
                assert status == 202, (user, status, body)
                accepted.append(user)
            wait_for(lambda: _statuses(url).get("processed") == len(accepted), timeout=180, interval=1,
                     what=f"every accepted event processed: {len(accepted)}\n{stack.output()}")
            counts = _statuses(url)
            assert counts == {"processed": len(accepted), "credentials": len(accepted),
                              "distinct_recipients": len(accepted)}, counts
            output = stack.output()
            assert "worker.1 stopped" not in output and "web.1 stopped" not in output, output
        finally:
            stack.stop()
    finally:
        pg.destroy()


def test_two_worker_groups_share_a_campaign_and_losing_one_loses_and_duplicates_nothing(tmp_path, queue, agents):
    env = {"EMAIL_URL": "dummymail://", "BADGES_PIPELINE_REDRIVE_AFTER_SECONDS": "5", "BADGES_PIPELINE_BATCH": "5"}
    # Two web processes (honcho's web.1 and web.2) and beat; two worker groups, as two more hosts would run them.
    front = Stack(tmp_path, queue=queue, processes=("web", "beat"), concurrency="web=2", web_instances=2,
                  env=env).start(wait_worker=False)
    host_a = Stack(tmp_path, queue=queue, processes=("worker",), node="host-a", env=env).start()
    host_b = Stack(tmp_path, queue=queue, processes=("worker",), node="host-b", env=env).start()
    try:
        webs = [front.url(0), front.url(1)]

        def deliver(user: int) -> int:
            return post(webs[user % 2], completion(user), agents.secret)[0]

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(deliver, range(1, 151))) == {202}
            # Under way on both hosts (a drainer pauses before a short look, so host B may start a little later).
            wait_for(lambda: InboundEvent.objects.filter(status="processed").count() >= 20
                     and "badges.pipeline" in host_b.log.read_text(), timeout=120,
                     what=f"the campaign to be under way on both hosts\n{host_b.output()}", interval=0.2)
            host_b.kill9()  # host B is lost at once: honcho, the worker and its pool children, mid-batch
            assert set(pool.map(deliver, range(151, 301))) == {202}
        wait_for(lambda: InboundEvent.objects.filter(status="processed").count() == 300, timeout=300, interval=1,
                 what=f"every event processed\n{host_a.output()}")
        log_a, log_b = host_a.log.read_text(), host_b.log.read_text()
        assert "host-a@" in log_a and "host-b@" in log_b  # distinct node names
        assert "badges.pipeline" in log_b and "badges.pipeline" in log_a  # both hosts processed events
    finally:
        for stack in (front, host_a, host_b):
            stack.stop()
    assert InboundEvent.objects.count() == 300
    assert Credential.objects.count() == Award.objects.count() == 300
    assert len(set(Credential.objects.values_list("recipient_email", flat=True))) == 300
    assert not InboundEvent.objects.exclude(status="processed").exists()
