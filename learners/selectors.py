"""Who a signed-in person is as a learner, and which credentials are theirs.

A credential belongs to the person whose email it was issued to: the email of the learner row linked to
the user account when there is one, otherwise the account's own email. Emails compare case-insensitively.
"""

from __future__ import annotations

from django.db.models import QuerySet

from issuers.models import Credential

from .models import Learner


def learner_email_of(*, user) -> str:
    """The email the user's credentials were issued to ("" for an anonymous user or one without email)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    learner = Learner.objects.filter(user=user).only("email").first()
    return (learner.email if learner else user.email or "").strip()


def credentials_of_user(*, user) -> QuerySet[Credential]:
    """Every credential issued to the user (revoked, suspended and expired ones included)."""
    email = learner_email_of(user=user)
    if not email:
        return Credential.objects.none()
    return Credential.objects.filter(recipient_email__iexact=email)

