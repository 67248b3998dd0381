"""Writes a learner decides or that concern learners. One entry point per write."""

from __future__ import annotations

from badges_service.errors import PermissionDenied
from issuers import services as issuer_services
from issuers.models import Credential
from issuers.permissions import SYSTEM

from . import policy


def credential_visibility_choose(*, credential: Credential, public: bool, user) -> Credential:
    """The learner makes one of their credentials public, or private again. Only the holder decides."""
    if not policy.is_credential_owner(user, credential):
        raise PermissionDenied("Only the learner who holds this credential may change its visibility.")
    return issuer_services.credential_visibility_set(credential=credential, public=public, actor=SYSTEM)
