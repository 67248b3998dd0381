"""``{% account_menu %}``: the header's sign-in link, or the signed-in person's name and links by role."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from learners import policy

register = template.Library()


@register.inclusion_tag("accounts/_menu.html", takes_context=True)
def account_menu(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    signin_url = reverse("accounts:login")
    path = request.get_full_path() if request is not None else ""
    if path and request.path not in (signin_url, reverse("accounts:logout")):
        signin_url += "?" + urlencode({"next": path})
    return {
        "signin_url": signin_url,
        "current_path": request.path if request is not None else "",
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "signed_in": signed_in,
        "display_name": (user.get_full_name() or user.get_username()) if signed_in else "",
        "menu": _menu(policy.request_roles(request)) if signed_in else None,
    }


def _menu(roles: policy.Roles) -> dict[str, bool]:
    """Which role links the header shows: exactly the pages that will answer (``learners.policy``)."""
    return {"team": policy.can_see_team(roles),
            "indicators": policy.can_view_indicators(roles), "admin": policy.can_use_admin(roles)}
