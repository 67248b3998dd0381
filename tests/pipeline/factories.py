"""Pipeline fixtures made through the services, and helpers to post signed requests."""

from __future__ import annotations

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
