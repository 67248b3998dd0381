"""Reads for issuers, keys, achievements, credentials, their wallet copies and status lists: the way in for the
apps above (the verifier resolves our keys, finds our credentials and reads our status lists here)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from badges_service.errors import ApplicationError, NotFound
from badges_service.openbadges import did_web

from . import identifiers
from .models import (
    Achievement,
    Credential,
    CredentialCopy,
    Issuer,
    IssuerMembership,
    SigningKey,
    StatusList,
    StatusListEntry,
)
from .permissions import ISSUE, can_act
from .status_lists import StatusListUnsigned


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def issuer_get(*, slug: str) -> Issuer:
    try:
        return Issuer.objects.get(slug=slug)
    except Issuer.DoesNotExist:
        raise NotFound(f"No issuer '{slug}'.") from None


def issuer_find(*, slug: str | None = None, pk: int | None = None) -> Issuer | None:
    """An issuer by its slug or its id, or None (for forms and resolvers that answer "unknown" themselves)."""
    if slug is None and pk is None:
        return None
    return Issuer.objects.filter(**({"slug": slug} if slug is not None else {"pk": pk})).first()


def platform_issuer() -> Issuer:
    """The platform: the root issuer of kind "city" (it signs what the platform itself issues: the learner's
    presentations and CLR exports)."""
    issuer = Issuer.objects.filter(kind=Issuer.Kind.CITY, parent__isnull=True).order_by("id").first()
    if issuer is None:
        raise ApplicationError("No root issuer of kind 'city' signs for the platform.", code="no_platform_issuer")
    return issuer


def issuer_list() -> QuerySet[Issuer]:
    return Issuer.objects.order_by("name")


def memberships_of(*, user) -> QuerySet[IssuerMembership]:
    """The user's roles at issuers (admin or staff), with their issuer."""
    return IssuerMembership.objects.filter(user=user).select_related("issuer")


def achievement_get(*, slug: str) -> Achievement:
    try:
        return Achievement.objects.select_related("issuer").get(slug=slug)
    except Achievement.DoesNotExist:
        raise NotFound(f"No achievement '{slug}'.") from None


def achievement_list(*, issuer: Issuer | None = None) -> QuerySet[Achievement]:
    qs = Achievement.objects.select_related("issuer").order_by("slug")
    return qs.filter(issuer=issuer) if issuer else qs


def credential_get(*, public_id: str | uuid.UUID) -> Credential:
    """Any credential, public or not: for the system (verifier, commands) and for callers whose rights a
    service checks. Views that show a credential to whoever asks use ``credential_get_public``."""
    try:
        return Credential.objects.select_related("achievement", "issuer", "signing_key").get(
            public_id=uuid.UUID(str(public_id)))
    except (ValueError, Credential.DoesNotExist):
        raise NotFound("No such credential.") from None


def credential_get_for_staff(*, public_id: str | uuid.UUID, viewer) -> Credential:
    """A credential for the staff APIs (revoke, suspend, reinstate): a private one that ``viewer`` may not issue
    for raises the same ``NotFound`` as an unknown id. (Learners' and visitors' reads:
    ``learners.policy.credential_get_public``.)"""
    credential = credential_get(public_id=public_id)
    if not (credential.is_public or can_act(viewer, credential.issuer, ISSUE)):
        raise NotFound("No such credential.")
    return credential


def credential_find(*, public_id: str | uuid.UUID, with_ob2: bool = False) -> Credential | None:
    """A credential by its public id, or None (an id that is not a UUID included): for the system, no privacy
    check. ``with_ob2``: its hosted OB 2.0 assertion in the same query."""
    public_id = _uuid(public_id)
    if public_id is None:
        return None
    qs = Credential.objects.select_related("ob2") if with_ob2 else Credential.objects
    return qs.filter(public_id=public_id).first()


def credential_record_find(*, public_id: str | uuid.UUID) -> Credential | None:
    """What the verifier compares a presented credential with: the document as signed, and its revocation and
    suspension (only those columns). The lookup goes through the unique index on ``public_id``
    (``public_id__iexact`` would compare text and read the whole table)."""
    public_id = _uuid(public_id)
    if public_id is None:
        return None
    return Credential.objects.filter(public_id=public_id).only(
        "document", "revoked_at", "revocation_reason", "suspended_at", "suspension_reason").first()


def credential_is_private(*, public_id: str | uuid.UUID) -> bool:
    """True when a credential with this public id exists and its learner keeps it private."""
    public_id = _uuid(public_id)
    return public_id is not None and Credential.objects.filter(public_id=public_id, is_public=False).exists()


def credential_copy_find(*, public_id: str | uuid.UUID) -> CredentialCopy | None:
    """A copy delivered to a wallet, by its ``urn:uuid`` id, with its credential; None for an unknown id."""
    public_id = _uuid(public_id)
    if public_id is None:
        return None
    return CredentialCopy.objects.select_related("credential").filter(public_id=public_id).first()


def credential_documents_valid(*, recipient_email: str, now: datetime) -> list[str]:
    """The signed documents of the credentials issued to ``recipient_email`` (stored in lower case) that are valid
    at ``now`` (``Credential.objects.valid``), oldest first."""
    return list(Credential.objects.filter(recipient_email=recipient_email.lower()).valid(now)
                .order_by("issued_at", "id").values_list("document", flat=True))


def credential_find_by_url(*, url_or_id: str) -> Credential:
    """A credential by its public URL or its UUID (for the system: no privacy check)."""
    return credential_get(public_id=url_or_id.rstrip("/").rsplit("/", 1)[-1])


def published_keys(*, issuer: Issuer) -> QuerySet[SigningKey]:
    """Keys listed in the issuer's DID document: active and retired. A revoked (compromised) key is
    withdrawn, so verifiers that only read the DID document refuse everything it signed; this
    service's own verifier still accepts what it signed before the compromise date."""
    return issuer.signing_keys.filter(algorithm=SigningKey.ED25519).exclude(
        status=SigningKey.Status.REVOKED).order_by("created_at", "id")


def signing_key_find(*, public_key_multibase: str, issuer: Issuer | None = None,
                     issuer_slug: str | None = None) -> SigningKey | None:
    """One of this service's keys by its public key (of ``issuer``, or of the issuer named ``issuer_slug``, when
    given), with its issuer, in one query; revoked ones included: the verifier needs their revocation date."""
    qs = SigningKey.objects.select_related("issuer").filter(public_key_multibase=public_key_multibase)
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    if issuer_slug is not None:
        qs = qs.filter(issuer__slug=issuer_slug)
    return qs.first()


def signing_key_multibases(*, issuer: Issuer) -> list[str]:
    """The public keys (multibase) of every Ed25519 key the issuer ever had, retired and revoked ones included:
    every ``did:key`` its credentials may be issued under."""
    return list(issuer.signing_keys.filter(algorithm=SigningKey.ED25519).values_list("public_key_multibase",
                                                                                      flat=True))


def status_list_get(*, issuer_slug: str, public_id: str) -> StatusList:
    public_id = _uuid(public_id)
    status_list = None if public_id is None else StatusList.objects.select_related("issuer", "signing_key").filter(
        issuer__slug=issuer_slug, public_id=public_id).first()
    if status_list is None:
        raise NotFound("No such status list.")
    return status_list


def status_list_document(*, status_list: StatusList) -> str:
    """The signed ``BitstringStatusListCredential`` as served: the stored copy (a read; the writes sign, see
    ``status_lists``), from the row already read when it holds it."""
    document = status_list.document or StatusList.objects.values_list("document", flat=True).get(pk=status_list.pk)
    if not document:
        raise StatusListUnsigned("This status list has not been signed yet (manage.py status_lists_sign).")
    return document


def issuer_did_document(*, issuer: Issuer) -> dict:
    did = identifiers.issuer_did_web(issuer)
    return did_web.did_document(did, [
        did_web.PublishedKey(f"{did}#{k.public_key_multibase}", k.public_key_multibase)
        for k in published_keys(issuer=issuer)
    ])


def _public_id_param(public_id):
    """A credential's public id as the database stores it (a native uuid on PostgreSQL, hex text on SQLite)."""
    return Credential._meta.get_field("public_id").get_db_prep_value(public_id, connection)


# Notified (PostgreSQL triggers, migration 0007) when a row read by ``credential_page_state`` changes: the
# credential's public id, or "*" for a row shared by many credentials (badges_service.change_feed).
CREDENTIAL_STATE_CHANNEL = "badges_credential_state"


def _credential_page_state_sql() -> str:
    c, i, a = Credential._meta.db_table, Issuer._meta.db_table, Achievement._meta.db_table
    k, e, sl = SigningKey._meta.db_table, StatusListEntry._meta.db_table, StatusList._meta.db_table
    # Table names from the models; the id is a parameter.
    return (
        f"SELECT c.id, c.is_public, md5(c.document), c.revoked_at, c.revocation_reason, c.suspended_at, "  # noqa: S608
        f"c.suspension_reason, c.recipient_name, c.valid_from, c.valid_until, i.slug, a.slug, "
        f"k.public_key_multibase, k.status, k.revoked_after, sl.id, sl.version, sl.document_version "
        f"FROM {c} c JOIN {i} i ON i.id = c.issuer_id JOIN {a} a ON a.id = c.achievement_id "
        f"JOIN {k} k ON k.id = c.signing_key_id LEFT JOIN {e} e ON e.credential_id = c.id "
        f"LEFT JOIN {sl} sl ON sl.id = e.status_list_id WHERE c.public_id = %s")


_CREDENTIAL_PAGE_STATE_SQL = _credential_page_state_sql()


def credential_page_state(*, public_id) -> tuple | None:
    """Everything a credential's public page depends on besides its immutable document, in one indexed read:
    ``(id, is_public, md5(document), revoked_at, revocation_reason, suspended_at, suspension_reason,
    recipient_name, valid_from, valid_until, issuer slug, achievement slug, key multibase, key status,
    key revoked_after, status list id, list version, list document_version)``, or None (no such credential)."""
    with connection.cursor() as cursor:
        cursor.execute(_CREDENTIAL_PAGE_STATE_SQL, [_public_id_param(public_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    # A raw read skips Django's converters: SQLite gives naive datetimes (stored in UTC).
    return tuple(timezone.make_aware(value, UTC) if isinstance(value, datetime) and timezone.is_naive(value)
                 else value for value in row)


def status_list_of(*, credential: Credential) -> StatusList | None:
    """The status list the credential has its entry in (None: issued without one)."""
    entry = StatusListEntry.objects.filter(credential=credential).select_related("status_list").first()
    return entry.status_list if entry is not None else None


def public_credential_document(*, public_id) -> str | None:
    """The stored bytes of public credential ``public_id`` (a ``uuid.UUID``), by one indexed read; None when it
    is private or unknown (the caller then takes the path that knows who may see it)."""
    with connection.cursor() as cursor:  # raw: the JSON answer's only query, without the ORM's compilation
        table = Credential._meta.db_table
        cursor.execute(f"SELECT document FROM {table} WHERE public_id = %s AND is_public",  # noqa: S608
                       [_public_id_param(public_id)])
        row = cursor.fetchone()
    return row[0] if row else None
