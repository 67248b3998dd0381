"""A verification report as people read it: the credential page and the /verifier page show the same thing.

``report_view`` turns a report (and the documents it read, ``Report.documents``) into what the templates show:
status, badge, issuer, recipient as the document states it, competencies and métiers with their levels, dates,
and the checks. Only this service's own images and pages are linked; nothing of a foreign document is fetched by
the visitor's browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from badges_service.openbadges import ob3
from badges_service.openbadges.report import FAILED, Check, Report, as_list, parse_datetime

from .services import TOO_LARGE


def status_for(report: Report) -> int:
    """200 for a report on a readable input; the 4xx that says why the input could not be read otherwise."""
    first = report.checks[0] if report.checks else None
    if first is None or first.name != "json" or first.result != FAILED:
        return 200
    if first.code == TOO_LARGE:
        return 413
    if first.code.startswith("fetch_"):
        return 422
    return 400  # not_json, not_object, not_jws, no_baked_credential, bad image, refused URLs (fetch.REFUSAL_CODES)


@dataclass
class ReportView:
    status: str
    checks: list[Check]
    readable: bool = True  # False: the input could not be read at all (the first check says why)
    format: str = ""
    name: str = ""
    description: str = ""
    language: str = ""
    criteria_narrative: str = ""
    criteria_url: str = ""
    image_url: str = ""  # only this service's images
    achievement_url: str = ""  # this service's achievement page
    issuer_name: str = ""
    issuer_id: str = ""
    issuer_url: str = ""  # this service's issuer page
    recipient_name: str = ""
    recipient_hashed: bool = False
    recipient_identity: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    competencies: list[dict] = field(default_factory=list)
    jobs: list[dict] = field(default_factory=list)
    credential_page: str = ""  # our public page of this credential
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    suspended_at: datetime | None = None
    suspension_reason: str = ""
    baked: str = ""  # "png" / "svg" when read from an image
    embedded: list[dict] = field(default_factory=list)  # credentials inside a presentation or a CLR

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if c.result == FAILED]

    @property
    def proof_failed(self) -> bool:
        return any(c.name == "proof" and c.result == FAILED for c in self.checks)


def _local_path(url: Any) -> str:
    """The path of one of this service's URLs, or "" for anything else (never linked, never loaded)."""
    base = settings.BADGES_PUBLIC_URL + "/"
    return url[len(base) - 1:] if isinstance(url, str) and url.startswith(base) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _ob2_alignments(badge: dict) -> list[dict]:
    out = []
    for alignment in as_list(badge.get("alignment")):
        if isinstance(alignment, dict) and isinstance(alignment.get("targetName"), str):
            url = _text(alignment.get("targetUrl"))
            out.append({"name": alignment["targetName"], "url": url, "code": _text(alignment.get("targetCode")),
                        "framework": _text(alignment.get("targetFramework")), "level": None,
                        "kind": "job" if "/jobs/" in url else "competency"})
    return out


def _mentions(items: list[dict]) -> list[dict]:
    """Alignments shown as links only when they point at this service's référentiel pages."""
    return [{**item, "url": _local_path(item.get("url")), "level_url": _local_path(item.get("level_url"))}
            for item in items]


def report_view(report: Report, *, credential=None, recipient_name: str = "") -> ReportView:
    """What people read of ``report``; ``credential``: our row for the credential, when the report is about one
    (its public revocation and suspension reasons, and its page when public); ``recipient_name``: the name to show
    when the viewer may see it (the documents themselves only hold a hashed email)."""
    view = ReportView(status=report.status, checks=report.checks, format=report.summary.get("format", ""))
    first = report.checks[0] if report.checks else None
    # Unreadable: the input could not be read, or names one of our URLs that has nothing public behind it.
    view.readable = not (first is not None and first.name == "json"
                         and (first.result == FAILED or first.code == "not_fetched"))
    view.baked = (report.summary.get("baked") or {}).get("image", "")
    view.embedded = [c for c in report.summary.get("credentials") or [] if isinstance(c, dict)]
    document = report.documents.get("credential") or {}
    if view.format.startswith("ob2"):
        _fill_ob2(view, document, report.documents.get("achievement") or {}, report.documents.get("issuer") or {})
    elif document:
        _fill_ob3(view, document)
    view.recipient_name = recipient_name or view.recipient_name
    if credential is not None:
        view.revoked_at, view.revocation_reason = credential.revoked_at, credential.revocation_reason
        view.suspended_at, view.suspension_reason = credential.suspended_at, credential.suspension_reason
        if credential.is_public:
            view.credential_page = f"/credentials/{credential.public_id}"
    return view


def _fill_ob3(view: ReportView, document: dict) -> None:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    issuer = document.get("issuer") if isinstance(document.get("issuer"), dict) else {}
    view.name = _text(achievement.get("name")) or _text(document.get("name"))
    view.description = _text(achievement.get("description"))
    view.language = _text(achievement.get("inLanguage"))
    criteria = achievement.get("criteria") if isinstance(achievement.get("criteria"), dict) else {}
    view.criteria_narrative = _text(criteria.get("narrative"))
    view.criteria_url = _text(criteria.get("id"))
    image = achievement.get("image")
    view.image_url = _local_path(image.get("id") if isinstance(image, dict) else image)
    view.achievement_url = _local_path(achievement.get("id"))
    view.issuer_name = _text(issuer.get("name"))
    view.issuer_id = _text(issuer.get("id")) or _text(document.get("issuer"))
    view.issuer_url = _issuer_page(view.issuer_id)
    view.recipient_name = _text(subject.get("name"))
    identifiers = [i for i in as_list(subject.get("identifier")) if isinstance(i, dict)]
    view.recipient_hashed = any(i.get("hashed") for i in identifiers)
    plain = next((i for i in identifiers if not i.get("hashed") and isinstance(i.get("identityHash"), str)), None)
    view.recipient_identity = plain["identityHash"] if plain else ""
    view.valid_from = parse_datetime(document.get("validFrom") or document.get("issuanceDate"))
    view.valid_until = parse_datetime(document.get("validUntil") or document.get("expirationDate"))
    results = subject.get("result") if isinstance(subject.get("result"), list) else []
    try:
        mentions = ob3.competencies_of(achievement, results)
    except (AttributeError, TypeError):  # a foreign document of unexpected shape: nothing to list
        mentions = []
    mentions = _mentions(mentions)
    view.competencies = [m for m in mentions if m["kind"] == "competency"]
    view.jobs = [m for m in mentions if m["kind"] == "job"]


def _issuer_page(issuer_id: str) -> str:
    """Our issuer page for one of our issuers' DIDs (``did:web:<host>:issuers:<slug>``) or profile URLs."""
    marker = ":issuers:"
    if issuer_id.startswith("did:web:") and marker in issuer_id:
        return f"/issuers/{issuer_id.rsplit(marker, 1)[1]}"
    path = _local_path(issuer_id)
    return path.removesuffix("/ob2") if path.startswith("/issuers/") else ""


def _fill_ob2(view: ReportView, assertion: dict, badge: dict, issuer: dict) -> None:
    view.name = _text(badge.get("name"))
    view.description = _text(badge.get("description"))
    criteria = badge.get("criteria")
    if isinstance(criteria, dict):
        view.criteria_narrative, view.criteria_url = _text(criteria.get("narrative")), _text(criteria.get("id"))
    elif isinstance(criteria, str):
        view.criteria_url = criteria
    image = badge.get("image")
    view.image_url = _local_path(image.get("id") if isinstance(image, dict) else image)
    view.achievement_url = _local_path(badge.get("id")).removesuffix("/ob2")
    view.issuer_name = _text(issuer.get("name"))
    view.issuer_id = _text(issuer.get("id"))
    view.issuer_url = _issuer_page(view.issuer_id)
    recipient = assertion.get("recipient") if isinstance(assertion.get("recipient"), dict) else {}
    view.recipient_hashed = bool(recipient.get("hashed"))
    view.recipient_identity = "" if view.recipient_hashed else _text(recipient.get("identity"))
    view.valid_from = parse_datetime(assertion.get("issuedOn"))
    view.valid_until = parse_datetime(assertion.get("expires"))
    mentions = _mentions(_ob2_alignments(badge))
    view.competencies = [m for m in mentions if m["kind"] == "competency"]
    view.jobs = [m for m in mentions if m["kind"] == "job"]
