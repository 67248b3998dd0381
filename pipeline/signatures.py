"""Request signatures of LMS sources: ``X-Badges-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The MAC covers ``"<t>.<raw body>"`` with the source's secret, so neither the body nor the time can be
changed; a timestamp further than ``tolerance`` seconds from now (either way) is refused, which bounds
replays to that window (redeliveries inside it are absorbed by the (source, event id) uniqueness).
Pure functions: no Django, keys and clock passed in. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Badges-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300  # seconds: the five-minute replay window
MAX_HEADER = 512


class SignatureError(Exception):
    code = "bad_signature"


class MalformedSignature(SignatureError):
    code = "malformed_signature"


class StaleSignature(SignatureError):
    code = "stale_signature"


def compute(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, *, timestamp: int | None = None) -> str:
    """The header value a source sends (also used by tests, the benchmark and the README's example)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},{SCHEME}={compute(secret, t, body)}"


def parse(header: str) -> tuple[int, list[str]]:
    """``(timestamp, [v1 signatures])``. Several ``v1`` may be sent while a secret is being rotated."""
    if not header or len(header) > MAX_HEADER:
        raise MalformedSignature("Missing or oversized signature header.")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise MalformedSignature("Signature header items are key=value.")
        if key == "t":
            if not value.isdigit() or len(value) > 12:
                raise MalformedSignature("t must be unix seconds.")
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise MalformedSignature("The signature header needs t and v1.")
    return timestamp, signatures


def check_fresh(timestamp: int, *, now: float | None = None, tolerance: int = DEFAULT_TOLERANCE) -> None:
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise StaleSignature("The signature timestamp is outside the replay window.")


def matches(secret: bytes, timestamp: int, signatures: list[str], body: bytes) -> bool:
    expected = compute(secret, timestamp, body)
    # Every candidate is compared (no early exit on the first mismatch), each in constant time.
    found = False
    for candidate in signatures:
        found |= hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "replace"))
    return found
