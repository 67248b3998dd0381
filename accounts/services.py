"""Accounts made or found at sign-in, linked (by ``learners.services.learner_link``) to the learner rows
credentials are issued to."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db import transaction

from badges_service.errors import ApplicationError
from issuers.permissions import SYSTEM
from learners import services as learner_services


class SignInRefused(ApplicationError):
    status_code = 403
    code = "sign_in_refused"


def _free_username(email: str) -> str:
    User = get_user_model()
    candidate = email.lower()
    if len(candidate) <= 150 and not User.objects.filter(username__iexact=candidate).exists():
        return candidate
    return "sso-" + hashlib.sha256(candidate.encode()).hexdigest()[:24]


@transaction.atomic
def user_from_sso(*, email: str, given_name: str = "", family_name: str = ""):
    """The account whose email is this verified email, created on the first sign-in and linked to the
    learner row of that email.

    The identity provider vouches for the email, so it is the key (ProConnect's ``sub`` differs per
    provider of the federation and cannot reconcile identities). Two accounts with the same email are
    ambiguous: the sign-in is refused rather than guessed.
    """
    User = get_user_model()
    users = list(User.objects.select_for_update().filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise SignInRefused("Several accounts share this email address.", code="ambiguous_email")
    if users and (users[0].is_superuser or users[0].is_staff):
        # An identity provider vouching for an email must not hand over the administration: privileged
        # accounts sign in locally, with their password.
        raise SignInRefused("This account signs in with its password, not by single sign-on.",
                            code="privileged_account")
    if users:
        user = users[0]
        changed = []
        if given_name and not user.first_name:
            user.first_name = given_name[:150]
            changed.append("first_name")
        if family_name and not user.last_name:
            user.last_name = family_name[:150]
            changed.append("last_name")
        if changed:
            user.save(update_fields=changed)
    else:
        user = User.objects.create_user(_free_username(email), email=email, first_name=given_name[:150],
                                        last_name=family_name[:150])  # no password: single sign-on only
    learner_services.learner_link(user=user, email=email, display_name=f"{given_name} {family_name}".strip(),
                                  actor=SYSTEM)
    return user
