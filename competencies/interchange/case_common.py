"""Names shared by the CASE reader and writer: our item types, roles, extension key and identifiers."""

from __future__ import annotations

import uuid
from typing import Any

NAMESPACE = uuid.UUID("6f1e2d3c-9b8a-4c7d-8e6f-5a4b3c2d1e0f")  # this project's, for uuid5
EXT = "villeapp"  # our key inside CASE 1.1 ``extensions``
FAMILY_TYPE, JOB_TYPE = "Famille de métiers", "Métier"
KIND_TYPES = {"savoir": "Savoir", "savoir-faire": "Savoir-faire", "savoir-etre": "Savoir-être"}
TYPE_KINDS = {v: k for k, v in KIND_TYPES.items()}
GROUP_ESSENTIAL, GROUP_OPTIONAL = "Exigence essentielle", "Exigence optionnelle"
# What an item is here; declared on a CFItemType definition as ``extensions.villeapp.role``.
ROLE_FAMILY, ROLE_JOB, ROLE_COMPETENCY = "jobFamily", "job", "competency"


def case_id(framework_code: str, kind: str, code: str = "") -> str:
    """A stable UUID (v5) for an item created here: the same across runs and across framework versions."""
    return str(uuid.uuid5(NAMESPACE, f"{framework_code}/{kind}/{code}"))


def as_uuid(value: Any, fallback: str) -> str:
    """``value`` if it is a UUID (lower case), else a UUID derived from it, else ``fallback``: CASE requires
    UUID identifiers, and some publishers use other strings."""
    if isinstance(value, str) and value:
        try:
            return str(uuid.UUID(value)) if len(value) == 36 else str(uuid.uuid5(uuid.NAMESPACE_URL, value))
        except ValueError:
            return str(uuid.uuid5(uuid.NAMESPACE_URL, value))
    return fallback


def ext(node: Any) -> dict:
    """Our extension object of a CASE node (``extensions.villeapp``), {} when absent. CFRubricCriterionLevel's
    ``extensions`` is an array in CASE 1.1: its first object carrying our key is read."""
    extensions = node.get("extensions") if isinstance(node, dict) else None
    if isinstance(extensions, list):
        extensions = next((e for e in extensions if isinstance(e, dict) and EXT in e), None)
    value = extensions.get(EXT) if isinstance(extensions, dict) else None
    return value if isinstance(value, dict) else {}
