"""The header's language switch: a link per language, ``GET /langue/<code>?next=<path>``, which keeps the choice in
Django's language cookie (read by ``LocaleMiddleware``) and goes back to the page.

A link rather than Django's ``set_language`` form: a form that posts needs a CSRF token, and so a CSRF cookie set
on every visitor of every public page (a verifier opening a shared credential left with a cookie it never asked
for, and each answer made different). A language preference is not worth protecting from another site: the
worst a forged link does is show the next page in the other language, which the visitor switches back in one
click. ``next`` is followed only to this host (as ``set_language`` does); anything else goes home.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def switch(request: HttpRequest, code: str) -> HttpResponse:
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
