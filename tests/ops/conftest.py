from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from pipeline import services, signatures
from tests.pipeline.factories import dumps, fixture_json
from tests.pipeline.test_worker import queue, source  # noqa: F401 (fixtures)

MOODLE = "/api/v1/events/moodle"


@pytest.fixture
def agents(source):  # noqa: F811 (source: the worker tests' fixture)
    """The worker tests' source (Moodle course 101 earns 'accueil-usagers'), and LMS users 1..400 mapped to
    agents agent.N@ville-exemple.fr."""
    rows = "\n".join(f"{n},agent.{n}@ville-exemple.fr" for n in range(1, 401))
    services.learner_map_import(source=source.source, text="lms_user_id,email\n" + rows)
    return source


def completion(user: int, *, objectid: int | None = None) -> bytes:
    return dumps(fixture_json("moodle/course_completed.json")
                 | {"objectid": objectid or user, "relateduserid": user})


def post(base_url: str, body: bytes, secret: str, *, timeout: float = 30) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of a signed Moodle webhook; an HTTP error is an answer, not an exception."""
    request = urllib.request.Request(base_url + MOODLE, data=body, method="POST", headers={
        "Content-Type": "application/json", signatures.HEADER: signatures.sign(secret.encode(), body)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}"), dict(answer.headers)
    except urllib.error.HTTPError as error:
        content = error.read()
        try:
            data = json.loads(content or b"{}")
        except ValueError:
            data = {"raw": content[:200].decode(errors="replace")}
        return error.code, data, dict(error.headers)
