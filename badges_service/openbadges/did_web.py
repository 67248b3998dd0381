"""did:web (did:web Method Specification §3.2): a DID from an HTTPS URL, and its DID document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from . import contexts
from .errors import DidError

PREFIX = "did:web:"


def did_web_from_url(url: str) -> str:
    """``https://host:8000/issuers/dev`` -> ``did:web:host%3A8000:issuers:dev``."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise DidError(f"{url!r} has no host.")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    path = [quote(p, safe="") for p in parts.path.strip("/").split("/") if p]
    return PREFIX + ":".join([host, *path])


def url_from_did_web(did: str, *, scheme: str = "https") -> str:
    """Where the DID document of ``did`` lives: ``…/.well-known/did.json`` or ``…/path/did.json``."""
    if not did.startswith(PREFIX) or "#" in did:
        raise DidError(f"{did!r} is not a did:web DID.")
    host, *path = did[len(PREFIX):].split(":")
    if not host:
        raise DidError(f"{did!r} has no host.")
    base = f"{scheme}://{unquote(host)}"
    if not path:
        return base + "/.well-known/did.json"
    return base + "/" + "/".join(unquote(p) for p in path) + "/did.json"


@dataclass(frozen=True)
class PublishedKey:
    key_id: str  # full verification method id (did#fragment)
    public_key_multibase: str


def did_document(did: str, keys: Iterable[PublishedKey]) -> dict:
    """A DID document listing ``keys`` as Multikey assertion methods (retired keys included,
    so that credentials they signed still verify)."""
    methods = [
        {"id": k.key_id, "type": "Multikey", "controller": did, "publicKeyMultibase": k.public_key_multibase}
        for k in keys
    ]
    ids = [m["id"] for m in methods]
    return {
        "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def assertion_method(document, *, did: str, method_id: str) -> dict:
    """The verification method ``method_id`` of ``did``'s DID document, if it may assert (DID Core §5.3.2).

    The document must be the DID's own (``id``), and the method listed under ``assertionMethod`` (by reference
    or embedded) and controlled by the DID. ``DidError`` otherwise.
    """
    if not isinstance(document, dict) or document.get("id") != did:
        raise DidError(f"The DID document is not {did}'s.", code="did_document_mismatch")

    def absolute(value):
        return did + value if isinstance(value, str) and value.startswith("#") else value

    methods = {absolute(m.get("id")): m for m in document.get("verificationMethod") or []
               if isinstance(m, dict)}
    for entry in document.get("assertionMethod") or []:
        method = methods.get(absolute(entry)) if isinstance(entry, str) else entry
        if isinstance(method, dict) and absolute(method.get("id")) == method_id:
            if method.get("controller") != did:
                raise DidError(f"{method_id} is controlled by {method.get('controller')!r}, not {did}.",
                               code="issuer_mismatch")
            return method
    raise DidError(f"{method_id} is not an assertion method of {did}.", code="unknown_key")
