"""The report of named checks that every verification returns (OB 3.0 and 2.0 credentials, presentations, CLRs,
VC-JWTs): ``Check``, ``Report`` and ``ReportBuilder``, the resolved key a check reads, and the small readers
every verifier shares (dates, ids, the summary of a credential)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .errors import OpenBadgesError

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
CHECK_ORDER = ("json", "context", "type", "schema", "key", "proof", "validity", "status")
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"
ASSERTION_METHOD = "assertionMethod"
ALTERED = "altered"  # a presented copy that differs from the original its issuer hosts
KEY_UNRESOLVED = ("The signing key could not be resolved, so the signature was not checked "
                  "(this does not mean it is forged).")


class KeyResolutionError(OpenBadgesError):
    code = "key_unresolvable"


class DocumentGone(KeyResolutionError):
    """The document's URL answers 410 Gone. For a hosted OB 2.0 assertion, that is its revocation (OB 2.0
    "Hosted verification"); ``reason``: the ``revocationReason`` the answer's optional body gave."""

    def __init__(self, message: str, *, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ResolvedKey:
    public_key: bytes  # raw Ed25519 public key
    controller: str  # the DID or URL that controls the key; must be the credential's issuer
    # Credentials whose proof was created after this instant no longer verify (compromised key).
    revoked_after: datetime | None = None


@dataclass
class Check:
    name: str
    result: str
    code: str
    message: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    # What the verification read, by role, for people's reports and for callers that keep them (never in
    # ``as_json``): "credential" (the document verified; for an altered OB 2.0 copy, the hosted original), and
    # for OB 2.0 the "assertion" (compacted), "achievement" (BadgeClass), "issuer" (Profile), "presented".
    documents: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def valid(self) -> bool:
        return all(c.result != FAILED for c in self.checks) and self.check("proof").result == PASSED

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    @property
    def status(self) -> str:
        """One word for people: valid, revoked, suspended, expired, not_yet_valid, unverifiable, invalid."""
        if self.valid:
            return "valid"
        if self.check("proof").code == ALTERED:
            return ALTERED
        for name in ("status", "validity"):
            check = self.check(name)
            if check.result == FAILED and self.check("proof").result == PASSED:
                return check.code
        if self.check("key").result == FAILED and self.check("key").code == KeyResolutionError.code:
            return "unverifiable"
        return "invalid"

    def as_json(self) -> dict:
        return {"valid": self.valid, "status": self.status, "checks": [asdict(c) for c in self.checks],
                "credential": self.summary}


class SignerKey(Protocol):
    """What the key checks read of a resolved key, whatever its kind (``ResolvedKey``, ``vc_jwt.VerificationKey``)."""

    @property
    def controller(self) -> str: ...

    @property
    def revoked_after(self) -> datetime | None: ...


KeyResolver = Callable[[str], ResolvedKey]
StatusChecker = Callable[[dict], Check | None]


def parse_document(raw: bytes | str, *, max_bytes: int) -> dict:
    """Decode a JSON credential, refusing oversized or non-object input with a precise message."""
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise OpenBadgesError(f"The document is {size} bytes; the limit is {max_bytes}.", code="too_large")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise OpenBadgesError(f"Not JSON: {exc}", code="not_json") from exc
    if not isinstance(document, dict):
        raise OpenBadgesError("A credential is a JSON object.", code="not_object")
    return document


def as_list(value: Any) -> list:
    """A JSON-LD property that may be one value or a list, as a list ([] when absent)."""
    return value if isinstance(value, list) else [] if value is None else [value]


def id_of(value: Any) -> str | None:
    """The ``id`` of a node given as an object or as its IRI; None unless it is a string."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def issuer_id_of(document: dict) -> str | None:
    return id_of(document.get("issuer"))


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def summarise(document: dict) -> dict:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    issuer = document.get("issuer")
    return {
        "id": document.get("id"),
        "name": document.get("name"),
        "issuer": {"id": issuer_id_of(document), "name": issuer.get("name") if isinstance(issuer, dict) else None},
        "achievement": {"id": achievement.get("id"), "name": achievement.get("name")}
        if isinstance(achievement, dict) else None,
        "validFrom": document.get("validFrom") or document.get("issuanceDate"),
        "validUntil": document.get("validUntil") or document.get("expirationDate"),
    }


class ReportBuilder:
    """Collects named checks in order; shared by the OB 3.0 and OB 2.0 verifiers and the service layer."""

    def __init__(self) -> None:
        self.report = Report()

    def add(self, name: str, result: str, code: str, message: str) -> None:
        self.report.checks.append(Check(name, result, code, message))

    def skip_rest(self, reason: str) -> Report:
        done = {c.name for c in self.report.checks}
        for name in CHECK_ORDER:
            if name not in done:
                self.add(name, SKIPPED, "skipped", reason)
        return self.report


def report_unreadable(error: OpenBadgesError) -> Report:
    """The report for input that is not a JSON credential at all."""
    run = ReportBuilder()
    run.add("json", FAILED, error.code, str(error))
    return run.skip_rest("The input is not a JSON credential.")
