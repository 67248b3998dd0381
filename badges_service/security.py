"""A strict Content-Security-Policy on every answer: scripts, styles, fonts and images from this origin only,
no inline script or style, no plugin, no framing, no ``<base>`` elsewhere.

The pages keep their scripts and styles in static files (``static/js``, ``static/css``); the API docs use
drf-spectacular's "split" Swagger view for the same reason. ``form-action`` is not restricted: the OAuth
consent form (obapi) and the sign-out at the identity provider end in a redirect to another origin, which
browsers check against ``form-action``. An answer that sets its own policy (served SVG images: sandboxed)
keeps it. ``BADGES_CSP_REPORT_URI`` adds a ``report-uri``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


def policy() -> str:
    report = getattr(settings, "BADGES_CSP_REPORT_URI", "")
    return f"{POLICY}; report-uri {report}" if report else POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.value = policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.process_response(request, self.get_response(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.value
        return response
