"""Run 1EdTech's Open Badges 2.0 validator (openbadges-validator-core, PyPI ``openbadges``) on one badge,
offline, for the interop tests (tests/interop/test_ob2_validator_core.py).

Reads a JSON object on stdin: ``input`` (a URL, a JSON assertion or a compact JWS), ``recipient`` (an
optional recipient profile, e.g. ``{"email": "..."}``), ``origins`` (``{public origin: local origin}``: a
request under a public origin goes to the local server instead, e.g. Django's live server) and
``documents`` (``{url: {"content_type": ..., "body": ...}}``, or ``"body_base64"`` for bytes: answered from
memory, e.g. the bundled JSON-LD contexts or an image). Any other request fails as if there were no network.
Prints ``{"report": ..., "refused": [urls]}``.

Runs in its own virtual environment (``make interop``: interop/ob2_validator/requirements.txt), as the
validator's pins (PyLD 0.7, jsonschema 2.6) cannot live beside this service's.
"""

import base64
import json
import sys

import requests
from requests.adapters import HTTPAdapter
from requests.models import Response

REFUSED = []


def _answer(request, status, content_type, body):
    response = Response()
    response.status_code = status
    response.headers["Content-Type"] = content_type
    response._content = body.encode("utf-8") if isinstance(body, str) else body
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    return response


def _install(origins, documents):
    real_send = HTTPAdapter.send

    def send(adapter, request, **kwargs):
        url = request.url
        if url in documents:
            found = documents[url]
            body = base64.b64decode(found["body_base64"]) if "body_base64" in found else found["body"]
            return _answer(request, 200, found["content_type"], body)
        for public, local in origins.items():
            if url.startswith(public + "/"):
                request.url = local + url[len(public):]
                response = real_send(adapter, request, **kwargs)
                response.url = url
                return response
        REFUSED.append(url)
        raise requests.ConnectionError("offline: " + url)

    HTTPAdapter.send = send


def main():
    payload = json.load(sys.stdin)
    _install(payload.get("origins", {}), payload.get("documents", {}))
    from openbadges import verify

    report = verify(payload["input"], recipient_profile=payload.get("recipient"), use_cache=False)
    json.dump({"report": report, "refused": REFUSED}, sys.stdout, default=str)


if __name__ == "__main__":
    main()
