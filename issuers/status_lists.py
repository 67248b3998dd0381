"""Status lists: allocate an entry at issuance, publish the signed ``BitstringStatusListCredential``.

* Issuance reserves a random free index (W3C Bitstring Status List v1.0 §6.1: random allocation in a
  list of at least 131,072 entries, so a list does not tell which credential changed). A list is used
  until half full, which keeps a random draw to about one try; then a new list starts.
* A new list is signed when it is made; revocation, suspension and reinstatement bump the list's ``version``
  and sign it again in their own transaction (``lists_touch``): the write that changes the bits signs them,
  a GET never writes (``selectors.status_list_document`` serves the stored copy). The version bump locks the
  list's row until the commit, so concurrent changes sign one after the other and the last one signs every bit.
  ``manage.py status_lists_sign`` signs lists left unsigned or stale by an older version of this service.

OB 3.0 allows one ``credentialStatus`` per credential (OB 3.0 §B.1.1, CredentialStatus [0..1]): it is
the revocation entry. Suspension is kept by this service (page, API, verifier, OB 2.0 revocation list);
a suspension list is not published because no OB 3.0 credential could point at it.
"""

from __future__ import annotations

import json
import secrets

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from badges_service import key_encryption
from badges_service.errors import ApplicationError
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
    if current is not None:
        current.issuer = issuer  # list_url() reads its slug: no query
        return current
    status_list = StatusList.objects.create(issuer=issuer, controller=controller, signing_key=signing_key,
                                            purpose=purpose, size=bsl.MIN_LENGTH)
    status_list.issuer = issuer
    status_list_sign(status_list=status_list)  # served from its first GET, all bits clear
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
    """The credential's status changed: its lists are signed again, in the caller's transaction."""
    lists = list(StatusList.objects.filter(entries__credential=credential).select_related("issuer", "signing_key"))
    StatusList.objects.filter(pk__in=[sl.pk for sl in lists]).update(version=F("version") + 1)
    for status_list in lists:
        status_list_sign(status_list=status_list)


def lists_resign(*, issuer: Issuer) -> None:
    """A key of the issuer was revoked (withdrawn from its DID document): its did:web lists are signed again by
    the active key, or no verifier could check a list that key had signed."""
    lists = list(StatusList.objects.filter(issuer=issuer).exclude(controller__startswith=did_key.PREFIX)
                 .select_related("issuer", "signing_key"))
    StatusList.objects.filter(pk__in=[sl.pk for sl in lists]).update(version=F("version") + 1)
    for status_list in lists:
        status_list_sign(status_list=status_list)


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


class StatusListUnsigned(ApplicationError):
    status_code = 503
    code = "status_list_unsigned"


def status_lists_stale() -> list[StatusList]:
    return list(StatusList.objects.filter(Q(document="") | Q(document_version__lt=F("version")))
                .select_related("issuer", "signing_key").order_by("pk"))


def status_list_sign(*, status_list: StatusList) -> str:
    """Sign the list's current bits and store them, unless a newer signed copy is stored already."""
    version = StatusList.objects.values_list("version", flat=True).get(pk=status_list.pk)  # before the bits
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
