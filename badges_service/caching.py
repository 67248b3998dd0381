"""How long caches (a CDN, a reverse proxy, a verifier's HTTP client) may keep each public document.

Every GET answer also gets an ``ETag`` (a hash of its body; Django's ``ConditionalGetMiddleware``) and a
``304 Not Modified`` when the client already holds it (``If-None-Match``), so revalidating costs no body.

* signed credential (JSON, download, OB 2.0 JWS): ``public, max-age=86400``. The signed bytes never change;
  its learner may make it private again, which caches see within a day (purge the CDN to make it at once).
* status list: ``public, max-age=300``. Revocation and suspension show within five minutes.
* DID document, OB 2.0 revocation list: ``public, max-age=300``. A revoked key or assertion stops verifying soon.
* achievement, issuer profile (OB 3.0 and OB 2.0), OB 2.0 key: ``public, max-age=3600``. Edited rarely, cited
  by every credential.
* pages (HTML): ``private, no-cache`` and ``Vary: Cookie``. They show the visitor's session, language and live
  status: never shared.

Answers that already say ``Cache-Control`` (a private credential seen by its owner: ``private, no-store``) and
answers other than 200 are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

CREDENTIAL = 86400
STATUS = 300
PROFILE = 3600


def public_cache(max_age: int) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.has_header("Cache-Control"):
                html = response.get("Content-Type", "").startswith("text/html")
                response["Cache-Control"] = "private, no-cache" if html else f"public, max-age={max_age}"
                if html:
                    patch_vary_headers(response, ("Cookie",))
            return response
        return wrapper
    return decorator
