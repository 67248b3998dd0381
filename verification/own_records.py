"""What verifying one of this service's credentials reads of its own records, kept in this process's memory while
PostgreSQL's change feed listens (``badges_service.change_feed``), as the public page's state is
(``verification.page_cache``): the credential's record (its signed document, revocation and suspension), the
status lists it points at (with their published documents, parsed), and the issuers' did:web keys.

Each was one query, compiled by Django, per verification: 5.3 of the 8.2 ms of CPU a ``POST /api/v1/verify``
took in-process. They stay live: the triggers of ``issuers`` migration 0007 name a credential whose row changes
(a revocation, a suspension, a deletion) and send ``*`` for a new status list version or signature, a key's
status or revocation date, an issuer's slug; either drops what it touches before the next read. Only what was
found is kept (a credential or key created later is found then). Without a listening feed (SQLite, the test
settings, a lost connection), every call reads the database, as before.

The values are shared between a process's threads: read them, never change them.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from badges_service.change_feed import MemoryCache
from badges_service.errors import NotFound
from issuers import selectors

if TYPE_CHECKING:
    from collections.abc import Callable

    from badges_service.openbadges.report import ResolvedKey
    from issuers.models import Credential, StatusList

_records = MemoryCache(selectors.CREDENTIAL_STATE_CHANNEL, max_entries=20_000)  # public id -> record
_lists = MemoryCache(selectors.CREDENTIAL_STATE_CHANNEL, max_entries=1_000)  # list URL -> (row, published)
_keys = MemoryCache(selectors.CREDENTIAL_STATE_CHANNEL, max_entries=1_000)  # verification method -> ResolvedKey
_ids = MemoryCache(selectors.CREDENTIAL_STATE_CHANNEL, max_entries=20_000)  # public id -> primary key


def _canonical(public_id: str) -> str | None:
    """``public_id`` as the triggers name it, or None when it is not a UUID."""
    try:
        return str(uuid.UUID(public_id))
    except (ValueError, AttributeError, TypeError):
        return None


def credential_record(*, public_id: str) -> Credential | None:
    """``selectors.credential_record_find``: the document as signed, revocation and suspension."""
    key = _canonical(public_id)
    if key is None:
        return selectors.credential_record_find(public_id=public_id)
    return _records.get_or_read(key, lambda: selectors.credential_record_find(public_id=key))


def credential_pk(*, public_id: str) -> int | None:
    """The primary key of our credential ``public_id`` (what its usage is counted under), or None."""
    def read():
        credential = selectors.credential_find(public_id=public_id)
        return credential.pk if credential is not None else None
    key = _canonical(public_id)
    if key is None:
        return None  # not a credential of ours (credential_find finds none either)
    return _ids.get_or_read(key, read)


def status_list(*, url: str, issuer_slug: str, public_id: str) -> tuple[StatusList, dict | None] | None:
    """The status list published at ``url`` and its signed document, parsed (None while it is not signed: its
    first signature changes its version, which drops it); None when there is no such list."""
    def read():
        try:
            row = selectors.status_list_get(issuer_slug=issuer_slug, public_id=public_id)
        except NotFound:
            return None
        try:
            return row, json.loads(selectors.status_list_document(status_list=row))
        except selectors.StatusListUnsigned:
            return row, None
    return _lists.get_or_read(url, read)


def own_key(*, verification_method: str, resolve: Callable[[], ResolvedKey]) -> ResolvedKey:
    """A did:web key of one of our issuers, as ``resolve`` finds it (it raises when there is none)."""
    return _keys.get_or_read(verification_method, resolve)
