"""What an independent verifier would fetch for our issuers: their DID documents and signed status lists,
as the ``documents`` map of ``dbz_verify`` (URL -> JSON document)."""

from __future__ import annotations

import json

from issuers import identifiers, selectors, status_lists
from issuers.models import StatusList
from issuers.selectors import issuer_did_document


def verifier_documents(*issuers) -> dict:
    documents = {identifiers.issuer_did_web(i): issuer_did_document(issuer=i) for i in issuers}
    for status_list in StatusList.objects.filter(issuer__in=issuers).select_related("issuer", "signing_key"):
        documents[status_lists.list_url(status_list)] = json.loads(
            selectors.status_list_document(status_list=status_list))
    return documents
