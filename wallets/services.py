"""Writes for OpenID4VCI 1.0 issuance into wallets: offers, the token endpoint, nonces and the credential endpoint.

Pre-authorized code flow (§3.5): the learner asks for an offer of one of their badges (``offer_create``); the wallet
exchanges the offer's code, and the transaction code shown on the learner's screen when the offer is scanned from
another device, for an access token (``token_issue``, §6); gets a fresh ``c_nonce`` (``nonce_issue``, §7); and sends
a ``jwt`` key proof to the credential endpoint (``credential_request``, §8), which issues a copy of the award bound
to the wallet's key through ``issuers.copies``. Refusals raise ``OAuthError`` carrying the specification's error
code; views render them as the specification says.

Codes, tokens and nonces are 256-bit random values kept only as keyed digests; offers are single-use and expire;
a transaction code allows ``WALLETS_TX_CODE_ATTEMPTS`` wrong guesses, then the offer is void (§13.6.3).
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from badges_service.errors import ApplicationError, Conflict, PermissionDenied
from badges_service.openbadges import key_proof
from issuers import copies
from issuers.models import Credential, CredentialCopy
from issuers.permissions import SYSTEM
from learners import policy

from . import selectors
from .models import AccessToken, CredentialOffer, ProofNonce

OFFER_SCHEME = "openid-credential-offer://"
TX_CODE_LENGTH = 6
TX_CODE_DESCRIPTION = ("Code à 6 chiffres affiché sous le QR code, dans Mon passeport "
                       "(6-digit code shown under the QR code in Mon passeport).")


class OAuthError(ApplicationError):
    """A refusal in the words of OAuth 2.0 / OpenID4VCI: ``code`` is the ``error`` value."""

    def __init__(self, code: str, message: str, *, status: int = 400):
        super().__init__(message, code=code)
        self.status_code = status


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"wallets.{kind}", value, algorithm="sha256").hexdigest()


def _ttl(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


@dataclass(frozen=True)
class Offer:
    """An offer as shown to the learner: the URI (QR code and same-device link) and, when asked, the
    transaction code. Neither is stored in clear: they exist only in this object."""

    offer: CredentialOffer
    offer_uri: str
    tx_code: str | None
    offer_object: dict


def offer_create(*, credential: Credential, actor, cross_device: bool = True,
                 now: datetime | None = None) -> Offer:
    """An offer of ``credential`` for the wallet of ``actor``: the learner who holds it, or ``SYSTEM`` (an operator's
    command). Across devices (a QR code), a transaction code binds the offer to the person who sees the screen."""
    now = now or timezone.now()
    if actor is not SYSTEM and not policy.is_credential_owner(actor, credential):
        raise PermissionDenied("Only the learner who holds this badge may add it to a wallet.")
    learner = None if actor is SYSTEM else actor
    copies.ensure_copyable(credential, now=now)
    code = secrets.token_urlsafe(32)
    tx_code = f"{secrets.randbelow(10 ** TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}" if cross_device else None
    configuration_ids = selectors.configuration_ids(credential.achievement)
    offer = CredentialOffer.objects.create(
        credential=credential, learner=learner, code_digest=_digest("code", code),
        tx_code_digest=_digest("tx_code", tx_code) if tx_code else "", configuration_ids=configuration_ids,
        created_at=now, expires_at=now + _ttl("WALLETS_OFFER_TTL"))
    grant: dict = {"pre-authorized_code": code}
    if tx_code:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH, "description": TX_CODE_DESCRIPTION}
    offer_object = {"credential_issuer": selectors.credential_issuer(),
                    "credential_configuration_ids": configuration_ids,
                    "grants": {selectors.PRE_AUTHORIZED_GRANT: grant}}
    uri = OFFER_SCHEME + "?" + urlencode({"credential_offer": json.dumps(offer_object, separators=(",", ":"))})
    return Offer(offer=offer, offer_uri=uri, tx_code=tx_code, offer_object=offer_object)


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int


def token_issue(*, grant_type: str | None, pre_authorized_code: str | None, tx_code: str | None,
                now: datetime | None = None) -> Token:
    """The token endpoint for the pre-authorized code grant (§6.1-6.3)."""
    now = now or timezone.now()
    if grant_type != selectors.PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", f"Only the {selectors.PRE_AUTHORIZED_GRANT} grant is supported.")
    if not pre_authorized_code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing.")
    wrong_tx_code = False
    with transaction.atomic():
        offer = CredentialOffer.objects.select_for_update().filter(
            code_digest=_digest("code", pre_authorized_code)).first()
        if (offer is None or offer.redeemed_at is not None or offer.expires_at <= now
                or offer.failed_attempts >= settings.WALLETS_TX_CODE_ATTEMPTS):
            raise OAuthError("invalid_grant", "The pre-authorized code is unknown, already used or expired.")
        if offer.tx_code_digest and not tx_code:
            raise OAuthError("invalid_request", "This offer requires the transaction code (tx_code).")
        if not offer.tx_code_digest and tx_code:
            raise OAuthError("invalid_request", "This offer has no transaction code; tx_code must not be sent.")
        if offer.tx_code_digest and not hmac.compare_digest(_digest("tx_code", tx_code), offer.tx_code_digest):
            offer.failed_attempts += 1  # kept: the error is raised after the commit
            offer.save(update_fields=["failed_attempts"])
            wrong_tx_code = True
        else:
            offer.redeemed_at = now
            offer.save(update_fields=["redeemed_at"])
            access_token = secrets.token_urlsafe(32)
            ttl = _ttl("WALLETS_ACCESS_TOKEN_TTL")
            AccessToken.objects.create(offer=offer, token_digest=_digest("access_token", access_token),
                                       created_at=now, expires_at=now + ttl)
    if wrong_tx_code:
        raise OAuthError("invalid_grant", "The transaction code is wrong.")
    return Token(access_token=access_token, expires_in=int(ttl.total_seconds()))


def nonce_issue(*, now: datetime | None = None) -> str:
    """A fresh, unpredictable ``c_nonce`` (§7.2), for one key proof."""
    now = now or timezone.now()
    nonce = secrets.token_urlsafe(32)
    ProofNonce.objects.create(nonce_digest=_digest("nonce", nonce), created_at=now,
                              expires_at=now + _ttl("WALLETS_NONCE_TTL"))
    return nonce


def _access_token(value: str | None, now: datetime) -> AccessToken:
    token = AccessToken.objects.select_related("offer__credential__achievement").filter(
        token_digest=_digest("access_token", value)).first() if value else None
    if token is None or token.expires_at <= now:
        raise OAuthError("invalid_token", "The access token is unknown or expired.", status=401)
    return token


def _single_proof(body: dict) -> str:
    if "proof" in body:
        raise OAuthError("invalid_credential_request", "OpenID4VCI 1.0 takes key proofs in 'proofs', not 'proof'.")
    proofs = body.get("proofs")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise OAuthError("invalid_proof", "'proofs' must hold key proofs of the 'jwt' type.")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or not jwts:
        raise OAuthError("invalid_proof", "'proofs.jwt' must be a non-empty array.")
    if len(jwts) != 1:
        raise OAuthError("invalid_credential_request", "Batch issuance is not offered: send one key proof.")
    return jwts[0]


def credential_request(*, access_token: str | None, body, now: datetime | None = None) -> dict:
    """The credential endpoint (§8): check the access token, the request and its key proof, use the nonce, issue
    a copy of the offered award bound to the proof's key. Returns the Credential Response body."""
    now = now or timezone.now()
    token = _access_token(access_token, now)
    if not isinstance(body, dict):
        raise OAuthError("invalid_credential_request", "The Credential Request is a JSON object.")
    if "credential_identifier" in body:
        raise OAuthError("unknown_credential_identifier", "This issuer hands out no credential identifiers.")
    config_id = body.get("credential_configuration_id")
    if not isinstance(config_id, str):
        raise OAuthError("invalid_credential_request", "credential_configuration_id is missing.")
    if config_id not in token.offer.configuration_ids:
        raise OAuthError("unknown_credential_configuration",
                         "This access token is not for this credential configuration.")
    format = selectors.configuration_format(config_id)[1]
    if config_id in token.issued_configurations:
        raise OAuthError("credential_request_denied", "This credential was already issued with this access token.")
    try:
        proof = key_proof.verify(_single_proof(body), audience=selectors.credential_issuer(), now=now,
                                 max_age=_ttl("WALLETS_NONCE_TTL"))
    except key_proof.KeyProofError as exc:
        raise OAuthError("invalid_proof", str(exc)) from exc
    if proof.nonce is None:
        raise OAuthError("invalid_proof", "The key proof has no c_nonce.")
    with transaction.atomic():
        used = ProofNonce.objects.filter(nonce_digest=_digest("nonce", proof.nonce), used_at__isnull=True,
                                         expires_at__gt=now).update(used_at=now)
        if used != 1:
            raise OAuthError("invalid_nonce", "The c_nonce is unknown, used or expired: ask the nonce endpoint.")
        token = AccessToken.objects.select_for_update().get(pk=token.pk)
        if config_id in token.issued_configurations:
            raise OAuthError("credential_request_denied",
                             "This credential was already issued with this access token.")
        try:
            copy = copies.credential_copy_issue(credential=token.offer.credential, holder=proof.holder,
                                                format=format, actor=SYSTEM, now=now)
        except Conflict as exc:
            raise OAuthError("credential_request_denied", exc.message) from exc
        token.issued_configurations = [*token.issued_configurations, config_id]
        token.save(update_fields=["issued_configurations"])
    credential = json.loads(copy.document) if copy.format == CredentialCopy.LDP_VC else copy.document
    return {"credentials": [{"credential": credential}]}


def expired_delete(*, now: datetime | None = None) -> dict[str, int]:
    """Remove what has expired: offers (and their tokens), tokens, nonces. Returns the counts removed."""
    now = now or timezone.now()
    counts = {
        "access_tokens": AccessToken.objects.filter(expires_at__lte=now).delete()[0],
        "nonces": ProofNonce.objects.filter(expires_at__lte=now).delete()[0],
        # An offer's tokens outlive it by at most their own TTL: keep the offer until they are gone too.
        "offers": CredentialOffer.objects.filter(expires_at__lte=now - _ttl("WALLETS_ACCESS_TOKEN_TTL"))
        .delete()[0],
    }
    return counts
