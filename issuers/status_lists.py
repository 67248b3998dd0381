"""Status lists: allocate an entry at issuance, publish the signed ``BitstringStatusListCredential``.

* Issuance reserves a random free index (W3C Bitstring Status List v1.0 §6.1: random allocation in a
  list of at least 131,072 entries, so a list does not tell which credential changed). A list is used
  until half full, which keeps a random draw to about one try; then a new list starts.
* Revocation, suspension and reinstatement bump the list's ``version``; nothing is signed then.
* The signed list is made on request when its stored copy is older than ``version`` (``list_document``),
  so issuing and revoking stay fast and every process serves the same bytes until the next change.

OB 3.0 allows one ``credentialStatus`` per credential (OB 3.0 §B.1.1, CredentialStatus [0..1]): it is
the revocation entry. Suspension is kept by this service (page, API, verifier, OB 2.0 revocation list);
a suspension list is not published because no OB 3.0 credential could point at it.
"""

from __future__ import annotations

import json
import secrets
import uuid

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from badges_service import key_encryption
from badges_service.errors import NotFound
from badges_service.openbadges import bitstring_status_list as bsl
from badges_service.openbadges import did_key, eddsa_rdfc_2022

from . import identifiers
from .models import Credential, Issuer, SigningKey, StatusList, StatusListEntry

FILL_LIMIT = 0.5
MAX_DRAWS = 64
# StatusListEntry's table (PostgreSQL and SQLite alike; a test checks the name against the model).
_TABLE = '"issuers_statuslistentry"'


def list_url(status_list: StatusList) -> str:
    return identifiers.public_url(f"/issuers/{status_list.issuer.slug}/status/{status_list.public_id}")


def open_list(*, issuer: Issuer, controller: str, signing_key: SigningKey | None,
              purpose: str = bsl.REVOCATION) -> StatusList:
    """The list new credentials of ``controller`` go on: the newest one under half full, or a new one."""
    current = (StatusList.objects.filter(issuer=issuer, controller=controller, purpose=purpose,
                                         allocated__lt=bsl.MIN_LENGTH * FILL_LIMIT)
               .order_by("-created_at", "-id").first())
    status_list = current or StatusList.objects.create(issuer=issuer, controller=controller,
                                                       signing_key=signing_key, purpose=purpose, size=bsl.MIN_LENGTH)
    status_list.issuer = issuer  # list_url() reads its slug: no query
    return status_list


def entries_reserve(*, status_list: StatusList, count: int) -> list[StatusListEntry]:
    """``count`` random free indexes of the list, for credentials about to be signed (call inside their
    transaction; ``issuance.Issuance.issue`` links them and bumps the list's ``allocated`` at the end).

    One statement per round: a multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (no savepoint, no
    read of the indexes in use); an index already taken returns no row and is drawn again next round."""
    found: list[StatusListEntry] = []
    for _ in range(MAX_DRAWS):
        wanted = count - len(found)
        if not wanted:
            return found
        indexes = {secrets.randbelow(status_list.size) for _ in range(wanted)}
        # Only the placeholders vary: the values are parameters.
        rows_sql = ", ".join(["(%s, %s, NULL)"] * len(indexes))
        sql = (f'INSERT INTO {_TABLE} ("status_list_id", "index", "credential_id") '  # noqa: S608
               f'VALUES {rows_sql} ON CONFLICT DO NOTHING RETURNING id, "index"')
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for index in sorted(indexes) for value in (status_list.pk, index)])
            rows = cursor.fetchall()
        for pk, index in rows:
            entry = StatusListEntry(pk=pk, status_list=status_list, index=index)
            entry._state.adding = False
            found.append(entry)
    raise RuntimeError(f"No free index found in status list {status_list.pk} after {MAX_DRAWS} draws.")


def entry_json(entry: StatusListEntry) -> dict:
    """The credential's ``credentialStatus`` (a ``BitstringStatusListEntry``)."""
    return bsl.entry(list_url=list_url(entry.status_list), index=entry.index, purpose=entry.status_list.purpose)


def lists_touch(*, credential: Credential) -> None:
    """The credential's status changed: its lists must be signed again before they are next served."""
    StatusList.objects.filter(entries__credential=credential).update(version=F("version") + 1)


def status_list_get(*, issuer_slug: str, public_id: str) -> StatusList:
    try:
        return StatusList.objects.select_related("issuer", "signing_key").get(
            issuer__slug=issuer_slug, public_id=uuid.UUID(str(public_id)))
    except (ValueError, StatusList.DoesNotExist):
        raise NotFound("No such status list.") from None


def set_indexes(status_list: StatusList) -> list[int]:
    """Indexes whose bit is set: credentials revoked (revocation lists) or suspended (suspension lists)."""
    flag = Q(credential__revoked_at__isnull=False)
    if status_list.purpose == StatusList.Purpose.SUSPENSION:
        flag = Q(credential__suspended_at__isnull=False, credential__revoked_at__isnull=True)
    return list(status_list.entries.filter(flag).values_list("index", flat=True))


def _signer(status_list: StatusList) -> tuple[SigningKey, str]:
    if status_list.controller.startswith(did_key.PREFIX):
        # did:key: only the key that is the issuer's identity can sign for it, retired or not.
        return status_list.signing_key, did_key.verification_method_id(status_list.controller)
    key = SigningKey.objects.get(issuer=status_list.issuer, algorithm=SigningKey.ED25519,
                                 status=SigningKey.Status.ACTIVE)
    return key, f"{status_list.controller}#{key.public_key_multibase}"


def list_document(*, status_list: StatusList) -> str:
    """The signed ``BitstringStatusListCredential`` as served: the stored copy, signed again if stale."""
    version = StatusList.objects.values_list("version", flat=True).get(pk=status_list.pk)  # before the bits
    stored = StatusList.objects.values_list("document", "document_version").get(pk=status_list.pk)
    if stored[0] and stored[1] >= version:
        return stored[0]
    now = timezone.now()
    key, method = _signer(status_list)
    unsigned = bsl.status_list_credential(
        list_url=list_url(status_list), issuer=status_list.controller, purpose=status_list.purpose,
        bits=bsl.bitstring(status_list.size, set_indexes(status_list)), valid_from=now)
    private_key = key_encryption.decrypt_private_key(key.private_key_encrypted)
    signed = eddsa_rdfc_2022.proof_create(unsigned, private_key=private_key, verification_method=method, created=now)
    document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    StatusList.objects.filter(pk=status_list.pk, document_version__lt=version).update(
        document=document, document_version=version)
    return document
