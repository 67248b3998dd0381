"""Pipeline fixtures made through the services, and helpers to post signed requests."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from pipeline import services, signatures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def fixture_json(relative: str) -> dict | list:
    return json.loads(fixture_bytes(relative))


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def signed_post(client, url: str, body: bytes, secret: str, *, timestamp: int | None = None,
                content_type: str = "application/json", **extra):
    header = signatures.sign(secret.encode(), body, timestamp=timestamp)
    return client.post(url, data=body, content_type=content_type, HTTP_X_BADGES_SIGNATURE=header, **extra)


def signed_get(client, url: str, secret: str, **extra):
    return client.get(url, HTTP_X_BADGES_SIGNATURE=signatures.sign(secret.encode(), b""), **extra)


def make_source(name: str = "moodle-ville", **kwargs) -> services.NewSource:
    return services.lms_source_create(name=name, **kwargs)


XAPI_VERSION = "1.0.3"


def lrs_headers(new: services.NewSource, *, password: str | None = None, version: str | None = XAPI_VERSION) -> dict:
    """The headers Moodle's log store sends: the source's LRS credentials (HTTP Basic) and the xAPI version."""
    token = base64.b64encode(f"{new.source.lrs_username}:{new.lrs_password if password is None else password}"
                             .encode()).decode()
    headers = {"HTTP_AUTHORIZATION": f"Basic {token}"}
    if version is not None:
        headers["HTTP_X_EXPERIENCE_API_VERSION"] = version
    return headers


def moodle_statement(name: str) -> dict:
    """A statement in the shape Moodle's log store (logstore_xapi) sends, from tests/fixtures/xapi/moodle_logstore."""
    return fixture_json(f"xapi/moodle_logstore/{name}.json")
