"""The learner's email when a badge is issued (Django's email framework: console backend in development,
locmem in tests, SMTP in production). Sent after the commit; a failure is logged, never raised."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string

from issuers import identifiers

from .models import Award

logger = logging.getLogger(__name__)


def awards_notify(*, award_ids: list[int]) -> int:
    # The signed document (kilobytes per credential) is not part of the message: not read.
    return awards_mail(awards=list(Award.objects.filter(pk__in=award_ids, credential__isnull=False)
                                   .select_related("credential", "achievement__issuer", "level")
                                   .defer("credential__document")))


def awards_mail(*, awards: list[Award]) -> int:
    """Send the message of each award, given with its credential, achievement, issuer and level at hand (a batch
    passes the objects it has just written: nothing is read again)."""
    messages = []
    for award in awards:
        context = {"award": award, "credential": award.credential, "achievement": award.achievement,
                   "issuer": award.achievement.issuer, "name": award.credential.recipient_name,
                   "url": identifiers.credential_url(award.credential.public_id)}
        messages.append(mail.EmailMessage(
            subject=f"Votre badge « {award.achievement.name} »",
            body=render_to_string("pipeline/credential_issued_email.txt", context),
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None), to=[award.recipient_email]))
    try:
        return mail.get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not send %d badge email(s).", len(messages))
        return 0
