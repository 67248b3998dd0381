"""Fixtures for sign-in tests: a clean cache (failure counters, discovery document) and a real OpenID Connect
provider (panva's oidc-provider, interop/oidc_provider.mjs) started on a loopback port."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.core.cache import cache
from jwt.algorithms import RSAAlgorithm

PROVIDER_SCRIPT = Path(django_settings.BASE_DIR) / "interop" / "oidc_provider.mjs"
CLIENT_ID = "villeapp-badges"
CLIENT_SECRET = "secret-du-client-de-test-0123456789"
TEST_PASSWORD = "motdepasse-fournisseur"  # the provider's test accounts: camille (verified email), dominique (not)
STARTUP_TIMEOUT = 60  # seconds; a readiness bound, not an assertion


def _unavailable(reason: str):
    """Skip on a developer machine without Node.js; in CI a missing runtime is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the OpenID Connect tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    private_key: rsa.RSAPrivateKey
    kid: str
    log: Path  # the provider's stderr: why it refused something

    def last_log(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    @property
    def discovery(self) -> dict:
        # oidc-provider's default routes, used when a test gives the endpoints explicitly
        return {"authorization_endpoint": f"{self.issuer}/auth", "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/me", "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/session/end"}


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The provider process, with one client whose redirect URI is the live server's callback."""
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is not installed")
    if not (PROVIDER_SCRIPT.parent / "node_modules" / "oidc-provider").exists():
        _unavailable("oidc-provider is not installed in interop/ (cd interop && npm ci)")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = "cle-de-test"
    jwk = {**json.loads(RSAAlgorithm.to_jwk(private_key)), "kid": kid, "alg": "RS256", "use": "sig"}
    jwk.pop("key_ops", None)  # PyJWT writes ["sign"]: the provider could then not verify its own tokens
    jwk_path = tmp_path_factory.mktemp("oidc") / "provider-key.json"
    jwk_path.write_text(json.dumps(jwk))
    jwk_path.chmod(0o600)
    stderr_path = jwk_path.with_name("provider.stderr")
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT), "--port", "0", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
             "--redirect-uri", f"{live_server.url}/comptes/oidc/retour/",
             "--post-logout-redirect-uri", f"{live_server.url}/", "--jwk", str(jwk_path)],
            cwd=PROVIDER_SCRIPT.parent, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        try:
            ready = json.loads(lines.get(timeout=STARTUP_TIMEOUT) or "{}")
        except (queue.Empty, ValueError):
            ready = {}
        if not ready.get("ready"):
            process.kill()
            pytest.fail("The OpenID Connect provider did not start:\n" + stderr_path.read_text()[-2000:])
        yield Provider(issuer=ready["issuer"], client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                       private_key=private_key, kid=kid, log=stderr_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """Single sign-on configured against the test provider (discovery), for the test process and the
    live server thread alike."""
    settings.BADGES_OIDC_ISSUER = oidc_provider.issuer
    settings.BADGES_OIDC_CLIENT_ID = oidc_provider.client_id
    settings.BADGES_OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.BADGES_OIDC_PROVIDER_NAME = "Fournisseur de test"
    cache.clear()
    return settings
