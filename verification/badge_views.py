"""Public documents and files next to a credential's page, and the OB 2.0 / status-list documents they cite.

Next to ``/credentials/<uuid>``: ``/ob2`` (hosted OB 2.0 assertion), ``/ob2.jws`` (signed OB 2.0
assertion), ``/baked.png`` and ``/baked.svg`` (OB 3.0), ``/ob2/baked.png`` (OB 2.0), ``/qr.png`` and
``/certificate.pdf``. Issuers publish ``/issuers/<slug>/ob2`` (Profile), ``…/ob2/keys/<fingerprint>``
(CryptographicKey), ``…/ob2/revocations`` (RevocationList) and ``…/status/<uuid>`` (signed
BitstringStatusListCredential); achievements ``/achievements/<slug>/ob2`` (BadgeClass).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from badges_service.caching import CREDENTIAL, PROFILE, STATUS
from badges_service.negotiation import public_view
from issuers import identifiers, ob2, selectors
from learners import policy

from . import artefacts
from .certificate import certificate_pdf
from .services import credential_verify

LD_JSON = "application/ld+json; charset=utf-8"


def _json(data: dict | str, content_type: str = LD_JSON, *, max_age: int | None = None) -> HttpResponse:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age is not None else "no-cache"
    return response


def _file(content: bytes, content_type: str, filename: str, *, max_age: int = 86400,
          private: bool = False) -> HttpResponse:
    # A private credential (seen by its owner or its issuer's staff) must never sit in a shared cache.
    response = artefacts.file_response(content, content_type, filename,
                                       cache_control="private, no-store" if private else f"public, max-age={max_age}")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- next to a credential ----------------------------------------------------------------------


@require_GET
@public_view
def credential_ob2(request: HttpRequest, public_id: str) -> HttpResponse:
    """The hosted OB 2.0 assertion: live, since OB 2.0 verifiers read revocation from it."""
    credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
    response = _json(ob2.hosted_assertion_document(credential))
    if not credential.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@public_view
def credential_ob2_jws(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
    # RFC 7515 §9.2.1: application/jose is the compact serialisation's media type.
    return _file(ob2.hosted_assertion(credential).jws.encode("ascii"), "application/jose",
                 f"badge-{credential.public_id}.jws", private=not credential.is_public, max_age=CREDENTIAL)


def _baked(kind: str, content_type: str, suffix: str):
    @require_GET
    @public_view
    def view(request: HttpRequest, public_id: str) -> HttpResponse:
        credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
        return _file(artefacts.baked_image(credential, kind), content_type, f"badge-{credential.public_id}{suffix}",
                     private=not credential.is_public)

    return view


credential_baked_png = _baked("ob3.png", "image/png", ".png")
credential_baked_svg = _baked("ob3.svg", "image/svg+xml", ".svg")
credential_ob2_baked_png = _baked("ob2.png", "image/png", "-ob2.png")


@require_GET
@public_view
def credential_qr(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
    return _file(artefacts.qr_png(identifiers.credential_url(credential.public_id)), "image/png",
                 f"qr-{credential.public_id}.png", private=not credential.is_public)


@require_GET
@public_view
def credential_certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    """The learner's printable certificate: public like the page once the learner made the credential
    public, never indexed; it states the live status, so it is made on each request."""
    credential = policy.credential_get_public(public_id=public_id, viewer=request.user)
    report = credential_verify(document=json.loads(credential.document))
    response = artefacts.file_response(certificate_pdf(credential, report), "application/pdf",
                                       f"attestation-{credential.public_id}.pdf", cache_control="private, no-cache")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- documents the credentials cite ------------------------------------------------------------


@require_GET
@public_view
def achievement_ob2(request: HttpRequest, slug: str) -> HttpResponse:
    return _json(ob2.badge_class_document(selectors.achievement_get(slug=slug)), max_age=PROFILE)


@require_GET
@public_view
def issuer_ob2(request: HttpRequest, slug: str) -> HttpResponse:
    return _json(ob2.profile_document(selectors.issuer_get(slug=slug)), max_age=PROFILE)


@require_GET
@public_view
def issuer_ob2_key(request: HttpRequest, slug: str, fingerprint: str) -> HttpResponse:
    return _json(ob2.key_document(selectors.issuer_get(slug=slug), fingerprint), max_age=PROFILE)


@require_GET
@public_view
def issuer_ob2_revocations(request: HttpRequest, slug: str) -> HttpResponse:
    return _json(ob2.revocation_list_document(selectors.issuer_get(slug=slug)), max_age=STATUS)


@require_GET
@public_view
def issuer_status_list(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """The signed BitstringStatusListCredential (VC Data Model 2.0 media type ``application/vc``)."""
    status_list = selectors.status_list_get(issuer_slug=slug, public_id=public_id)
    return _json(selectors.status_list_document(status_list=status_list), "application/vc; charset=utf-8",
                 max_age=STATUS)
