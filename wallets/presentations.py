"""OpenID4VP 1.0 verification from a wallet: presentation requests (DCQL) and their ``direct_post`` responses.

The request is passed by value in an ``openid4vp://`` URI (QR code, or a link on the same device). Its Client
Identifier uses the ``redirect_uri`` prefix (§5.9.3): ``redirect_uri:`` + the Response URI, one per request, so the
request is unsigned and all Verifier metadata travels in ``client_metadata``. The wallet answers by ``direct_post``
(§8.2) with a ``vp_token`` whose entry for the credential query is one ``ldp_vc`` Verifiable Presentation, its
proof bound to the request (``challenge`` = nonce, ``domain`` = client id, Appendix B.1.3.2.5).

What is checked: the presentation's proof and holder, each credential with the existing checks (signature, dates,
status: a revoked badge fails), that the holder is each credential's subject, and that one credential satisfies
the query (the issuer named, or the competency at the level asked). A request is answered once: a valid response
makes it final, whatever the outcome; another post to it is refused, so a captured presentation cannot be replayed.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from badges_service.errors import ApplicationError, PermissionDenied
from badges_service.openbadges import presentations as vp_core
from badges_service.openbadges.report import id_of
from competencies import identifiers as competency_identifiers
from competencies.models import Competency, ProficiencyLevel
from issuers import identifiers
from issuers import selectors as issuer_selectors
from issuers.models import Issuer
from verification.services import presentation_verify

from .models import PresentationRequest

SCHEME = "openid4vp://"
QUERY_ID = "badge"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
MAX_VP_TOKEN_BYTES = 512 * 1024


class PresentationError(ApplicationError):
    """A ``direct_post`` that cannot be taken (malformed, unknown, expired or already answered request)."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid_request"):
        super().__init__(message, code=code)


def response_uri(request: PresentationRequest) -> str:
    return identifiers.public_url(f"/openid4vp/responses/{request.public_id}")


def client_id(request: PresentationRequest) -> str:
    return "redirect_uri:" + response_uri(request)


def dcql_query(*, competency: Competency | None, issuer: Issuer | None) -> dict:
    """DCQL (§6): one ldp_vc OpenBadgeCredential; the claims a wallet can match on (the verifier checks again)."""
    claims = []
    if competency is not None:
        claims.append({"id": "competency", "path": ["credentialSubject", "achievement", "alignment", None,
                                                    "targetUrl"],
                       "values": [competency_identifiers.competency_url(competency)]})
    if issuer is not None:
        claims.append({"id": "issuer", "path": ["issuer", "id"], "values": sorted(_issuer_ids(issuer))})
    query = {"id": QUERY_ID, "format": "ldp_vc", "meta": {"type_values": [[VC_TYPE, OB_TYPE]]}}
    return {"credentials": [{**query, **({"claims": claims} if claims else {})}]}


def _issuer_ids(issuer: Issuer) -> set[str]:
    """Every id the issuer signs under: its did:web, and the did:key of each of its Ed25519 keys."""
    keys = issuer_selectors.signing_key_multibases(issuer=issuer)
    return {identifiers.issuer_did_web(issuer), *(f"did:key:{k}" for k in keys)}


def request_create(*, requester, competency: Competency | None = None, min_level: ProficiencyLevel | None = None,
                   issuer: Issuer | None = None, now: datetime | None = None) -> PresentationRequest:
    """A request for "a badge aligned to ``competency`` at ``min_level`` or more" or "any badge from ``issuer``"."""
    now = now or timezone.now()
    if (competency is None) == (issuer is None):
        raise ApplicationError("Ask for a competency or for an issuer, not both.", code="bad_query")
    if min_level is not None and (competency is None or min_level.framework_id != competency.framework_id):
        raise ApplicationError("The level is not on the competency's scale.", code="level_not_on_scale")
    if not getattr(requester, "is_authenticated", False):
        raise PermissionDenied("Sign in to ask for a presentation.")
    return PresentationRequest.objects.create(
        public_id=uuid.uuid4(), requester=requester, competency=competency, min_level=min_level, issuer=issuer,
        dcql_query=dcql_query(competency=competency, issuer=issuer), nonce=secrets.token_urlsafe(32),
        state=secrets.token_urlsafe(16), created_at=now,
        expires_at=now + timedelta(seconds=settings.WALLETS_PRESENTATION_TTL))


def request_uri(request: PresentationRequest) -> str:
    """The Authorization Request by value (§5), as an ``openid4vp://`` URI."""
    params = {
        "client_id": client_id(request), "response_type": "vp_token", "response_mode": "direct_post",
        "response_uri": response_uri(request), "nonce": request.nonce, "state": request.state,
        "dcql_query": json.dumps(request.dcql_query, separators=(",", ":")),
        "client_metadata": json.dumps({"client_name": "Ville@pp Badges", "vp_formats_supported": {
            "ldp_vc": {"proof_type_values": ["DataIntegrityProof"], "cryptosuite_values": ["eddsa-rdfc-2022"]}}},
            separators=(",", ":")),
    }
    return SCHEME + "?" + urlencode(params)


# --- the response -------------------------------------------------------------------------------------------


def _level_of(achievement: dict, results: list, competency_url: str) -> str | None:
    """The level URL the credential states for the competency it is aligned to: achieved, else required."""
    if not any(isinstance(a, dict) and a.get("targetUrl") == competency_url
               for a in achievement.get("alignment") or []):
        return None
    framework_url = competency_url.rsplit("/competencies/", 1)[0] + "/levels#"
    levels = [r.get("achievedLevel") for r in results if isinstance(r, dict)]
    levels += [d.get("requiredLevel") for d in achievement.get("resultDescription") or [] if isinstance(d, dict)]
    return next((lv for lv in levels if isinstance(lv, str) and lv.startswith(framework_url)), "")


def _satisfies(request: PresentationRequest, credential: dict) -> tuple[bool, str]:
    subject = credential.get("credentialSubject") or {}
    if request.issuer_id:
        ok = id_of(credential.get("issuer")) in _issuer_ids(request.issuer)
        return ok, "issued by the issuer asked" if ok else "not issued by the issuer asked"
    url = competency_identifiers.competency_url(request.competency)
    level = _level_of(subject.get("achievement") or {}, subject.get("result") or [], url)
    if level is None:
        return False, "not aligned to the competency asked"
    if request.min_level_id is None:
        return True, "aligned to the competency asked"
    ranks = {competency_identifiers.level_url(lv): lv.rank for lv in request.competency.framework.levels.all()}
    ok = ranks.get(level, 0) >= request.min_level.rank
    return ok, "at the level asked or above" if ok else "below the level asked"


def _vp_token(raw: str | None) -> dict:
    if not raw:
        raise PresentationError("vp_token is missing.")
    if len(raw) > MAX_VP_TOKEN_BYTES:
        raise PresentationError("vp_token is too large.")
    try:
        token = json.loads(raw)
    except (ValueError, RecursionError):
        raise PresentationError("vp_token is not JSON.") from None
    if not isinstance(token, dict) or not isinstance(token.get(QUERY_ID), list) or len(token[QUERY_ID]) != 1:
        raise PresentationError(f"vp_token must hold one presentation for the credential query '{QUERY_ID}'.")
    if not isinstance(token[QUERY_ID][0], dict):
        raise PresentationError("An ldp_vc presentation is a JSON object.")
    return token[QUERY_ID][0]


def response_receive(*, public_id: str, vp_token: str | None, state: str | None,
                     now: datetime | None = None) -> PresentationRequest:
    """Take a ``direct_post`` response: verify, decide, record once. ``PresentationError`` when it cannot be
    taken at all."""
    now = now or timezone.now()
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise PresentationError("Unknown presentation request.") from None
    presentation = _vp_token(vp_token)
    with transaction.atomic():
        request = PresentationRequest.objects.select_for_update(of=("self",)).select_related(
            "competency__framework", "min_level", "issuer").filter(public_id=key).first()
        if request is None:
            raise PresentationError("Unknown presentation request.")
        if request.status != PresentationRequest.Status.PENDING:
            raise PresentationError("This presentation request was already answered.")
        if request.expires_at <= now:
            raise PresentationError("This presentation request has expired.")
        if state != request.state:
            raise PresentationError("state does not match the request.")
        report = presentation_verify(document=presentation, challenge=request.nonce, domain=client_id(request))
        reasons, matched = [], []
        if not report.valid:
            reasons.append("presentation_invalid")
        holder = id_of(presentation.get("holder"))
        credentials = [c for c in vp_core.embedded_credentials(presentation) if isinstance(c, dict)]
        for credential in credentials:
            subject = credential.get("credentialSubject") or {}
            if not holder or subject.get("id") != holder:
                reasons.append("holder_not_subject")
            ok, why = _satisfies(request, credential)
            if ok:
                matched.append({"id": credential.get("id"), "name": credential.get("name"),
                                 "issuer": id_of(credential.get("issuer")), "why": why})
        if not matched:
            reasons.append("query_not_satisfied")
        request.status = PresentationRequest.Status.REFUSED if reasons else PresentationRequest.Status.ACCEPTED
        request.result = {"reasons": sorted(set(reasons)), "holder": holder, "matched": matched,
                          "report": report.as_json()}
        request.answered_at = now
        request.save(update_fields=["status", "result", "answered_at"])
    return request


def requests_expired_delete(*, now: datetime | None = None) -> int:
    """Remove pending requests past their expiry (answered ones stay: they are the requester's record)."""
    now = now or timezone.now()
    return PresentationRequest.objects.filter(status=PresentationRequest.Status.PENDING,
                                              expires_at__lte=now).delete()[0]
