"""Structured logs: one JSON object per line in production (``LOG_FORMAT=json``), with a request id.

* ``RequestLogMiddleware`` gives each request an id (the ``X-Request-ID`` it came with, when well-formed, as a
  load balancer sets it; a new one otherwise), answers it in ``X-Request-ID``, and writes one line per request
  (``badges.request``: method, path without the query string, view, status, duration, request id).
* Every line written while a request is handled carries its ``request_id`` (``RequestIdFilter``); intake stores
  it on the event, and the worker's line for a processed event (``badges.pipeline``) repeats it, so one id
  follows an event from intake to its credential.
* ``Redactor`` (a filter on every handler) removes from the message, arguments, extra fields and tracebacks what
  must never reach a log: email addresses, bearer tokens, signatures, secrets and tokens in key=value or JSON
  form, Fernet tokens, and signed documents (a proof value, or a whole credential).
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Request ids are labels, not secrets: drawn from a generator of their own (so that they say nothing of any other
# use of ``random``), seeded from the system and again in each forked web process. ``os.urandom`` per request
# was a system call that gives up the GIL, and then waits for it behind the other threads.
_ids = random.Random()  # noqa: S311 (labels, not secrets: see above)
os.register_at_fork(after_in_child=_ids.seed)


def new_request_id() -> str:
    return f"{_ids.getrandbits(128):032x}"

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_SECRETS = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"\bv1=[0-9a-fA-F]{16,}"), "v1=[redacted]"),
    (re.compile(r"\bgAAAAA[A-Za-z0-9_=-]{20,}"), "[redacted]"),  # Fernet tokens (secrets at rest)
    (re.compile(r"(?i)(\"(?:token|secret|password|client_secret|proofValue|jws|signature)\"\s*:\s*)\"[^\"]*\""),
     r'\1"[redacted]"'),
    (re.compile(r"(?i)\b(token|secret|password|client_secret|code_verifier|access_token|refresh_token)=[^&\s,;]+"),
     r"\1=[redacted]"),
    (re.compile(r"\bey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"), "[jwt redacted]"),
]
_DOCUMENT = re.compile(r"\{[^{}]*\"@context\".*\}", re.DOTALL)  # a JSON-LD document: a credential, most likely


def request_id() -> str:
    """The id of the request being handled in this context ("" outside a request)."""
    return _request_id.get()


def redact(text: str) -> str:
    if "@context" in text:
        text = _DOCUMENT.sub("[document redacted]", text)
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return EMAIL.sub("[email]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get()
        return True


class Redactor(logging.Filter):
    """Rewrites the record in place: the formatted message, the traceback, and string extra fields."""

    STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # the (redacted) text is what formatters print
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in self.STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonLines(JsonFormatter):
    """python-json-logger's formatter with the fields named once for every process type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger",
                                            "exc_info": "traceback"})
        kwargs.setdefault("timestamp", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)

    def formatException(self, exc_info) -> str:
        return redact(super().formatException(exc_info))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 in UTC with milliseconds, whatever the process's time zone: lines of every host sort."""
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")


class RequestLogMiddleware:
    """One line per request, and the request id for everything logged meanwhile."""

    logger = logging.getLogger("badges.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")  # (request.headers would copy every header first)
        rid = given if given and _GIVEN_ID.fullmatch(given) else new_request_id()
        token = _request_id.set(rid)
        request.request_id = rid
        start = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        match = getattr(request, "resolver_match", None)
        self.logger.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "request_id": rid, "method": request.method, "path": request.path, "status": response.status_code,
            "view": match.view_name if match else "", "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            "user_id": request.user.pk if getattr(request, "user", None) and request.user.is_authenticated else None,
        })
        return response
