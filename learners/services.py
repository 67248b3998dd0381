"""Writes a learner decides or that concern learners. One entry point per write."""

from __future__ import annotations

from badges_service.errors import NotFound

from .models import Learner
from .selectors import learner_email_of


def profile_visibility_choose(*, user, visible: bool) -> Learner:
    """The agent makes their competency profile visible to the managers of other directions, or not (the
    managers of their own direction always see it). Only the agent decides, for their own learner row."""
    email = learner_email_of(user=user)  # the linked learner row's, else the account's (as the passport reads it)
    learner = Learner.objects.filter(email__iexact=email).first() if email else None
    if learner is None:
        raise NotFound("No agent profile is linked to this account.", code="no_learner")
    if learner.profile_visible != visible:
        learner.profile_visible = visible
        learner.save(update_fields=["profile_visible"])
    return learner
