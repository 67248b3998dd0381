"""Pipeline errors, in the project's one hierarchy (``badges_service.errors.ApplicationError``)."""

from __future__ import annotations

from badges_service.errors import ApplicationError


class Unauthenticated(ApplicationError):
    """The request does not prove which source sent it: bad or stale signature, bad token, unknown source."""

    status_code = 401
    code = "unauthenticated"

