"""What every page's footer and legal pages name: the publisher and the contact address (settings)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"site_publisher": settings.BADGES_PUBLISHER, "site_publisher_address": settings.BADGES_PUBLISHER_ADDRESS,
            "site_contact_email": settings.BADGES_CONTACT_EMAIL, "site_hosting": settings.BADGES_HOSTING}
