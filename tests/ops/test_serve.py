"""``make serve``'s processes (the Procfile under honcho, production settings) end to end: intake over HTTP
through the web server, a worker, and a graceful stop that loses nothing.

Needs PostgreSQL and Redis (skipped without them, except under CI): see tests/pipeline/workers.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request

import pytest

from issuers.models import Credential
from pipeline.models import Award, InboundEvent
from tests.issuers.factories import PublicCredentialFactory
from tests.ops.conftest import completion, post
from tests.ops.processes import ROOT, Stack, production_env
from tests.pipeline.workers import Worker, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def credential_public(transactional_db):
    return PublicCredentialFactory()


def counts() -> dict[str, int]:
    return {status: InboundEvent.objects.filter(status=status).count() for status in ("received", "processed",
                                                                                      "failed", "unmatched")}


def test_sigterm_lets_the_worker_commit_its_batch_and_hand_the_rest_back(tmp_path, queue, agents):
    marker = tmp_path / "inside-batch"
    stack = Stack(tmp_path, queue=queue, processes=("web", "worker"), env={
        "DJANGO_SETTINGS_MODULE": "tests.ops.production_settings", "CELERY_WORKER_CONCURRENCY": "1",
        "BADGES_PIPELINE_BATCH": "3", "PIPELINE_TEST_PAUSE_MARKER": str(marker), "PIPELINE_TEST_PAUSE_SECONDS": "2",
        "BADGES_PIPELINE_REDRIVE_AFTER_SECONDS": "3600", "EMAIL_URL": "dummymail://"}).start()
    try:
        for user in range(1, 11):
            status, body, _ = post(stack.url(), completion(user), agents.secret)
            assert (status, body["status"]) == (202, "received"), body
        wait_for(marker.exists, timeout=60, what=f"a batch to start\n{stack.output()}")
        code = stack.terminate()  # the first batch is inside its transaction, pausing 2 s per credential
    finally:
        stack.stop()
    output = stack.output()
    assert code == 143, output  # honcho's exit code after SIGTERM
    assert "Warm shutdown" in output and "SIGKILL" not in output and "WorkerLostError" not in output, output
    # The batch was inside its transaction when SIGTERM came: it committed all the same (a killed process
    # would have rolled it back), and the drainer returned instead of taking the next batch.
    done = counts()
    assert 1 <= done["processed"] <= 3 and done["processed"] + done["received"] == 10, (done, output)
    assert Credential.objects.count() == Award.objects.count() == done["processed"]

    # The stopping drainer queued another one for the rest: a new worker takes it at once (no re-drive here).
    worker = Worker(tmp_path, queue=queue, env={"BADGES_PIPELINE_REDRIVE_AFTER_SECONDS": "3600", "EMAIL_URL": "dummymail://"}).start()
    try:
        wait_for(lambda: counts()["processed"] == 10, timeout=90, what=f"the rest\n{worker.output()}")
    finally:
        worker.stop()
    assert counts()["received"] == 0
    assert Credential.objects.count() == Award.objects.count() == 10
    assert len(set(Credential.objects.values_list("recipient_email", flat=True))) == 10


def test_the_web_process_serves_pages_under_production_settings_with_hashed_compressed_static_files(
        tmp_path, queue, agents, credential_public):
    env = production_env(queue, STATIC_ROOT=str(tmp_path / "static"))
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    stack = Stack(tmp_path, queue=queue, processes=("web",), env={
        "STATIC_ROOT": str(tmp_path / "static"), "BADGES_METRICS_TOKEN": "a-token-for-the-scraper-0123456789"}).start()
    try:
        def get(path: str, **headers: str):
            request = urllib.request.Request(stack.url() + path, headers={"X-Forwarded-Proto": "https", **headers})
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()

        status, headers, body = get(f"/credentials/{credential_public.public_id}", Accept="text/html")
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["X-Request-ID"]
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body).group(1).decode()
        status, headers, css = get(stylesheet, **{"Accept-Encoding": "br"})
        assert status == 200 and headers["Content-Encoding"] == "br"
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"

        status, headers, _ = get("/comptes/connexion/")
        assert "Secure" in headers["Set-Cookie"] and "csrftoken" in headers["Set-Cookie"]

        for _ in range(6):  # several requests, so that both web processes have answered some
            get("/conditions/")
        _, _, metrics = get("/metrics", Authorization="Bearer a-token-for-the-scraper-0123456789")
        text = metrics.decode()
        served = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                     if line.startswith("django_http_responses_total_by_status_view_method_total{")
                     and 'view="terms"' in line)
        assert served == 6, text[:3000]  # summed over the web processes (prometheus multiprocess mode)
        assert 'badges_credentials_issued_total{issuer="' in text
    finally:
        stack.stop()
