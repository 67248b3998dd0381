"""Shared fixtures. Rows are made through the services, as in production."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory

# The browser tests' module-scoped ``browser`` fixture (the system Chromium through Playwright).
pytest_plugins = ["tests.chromium", "tests.verification.foreign_ob2"]


@pytest.fixture(autouse=True)
def _no_process_counts():
    """Counts a process keeps between requests (rate-limit leases, uses not yet in Redis) start empty."""
    from badges_service import ratelimit
    from indicators import usage_buffer

    ratelimit._leases.clear()
    usage_buffer._local.clear()
    yield
    usage_buffer._local.clear()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, request):
    """Nothing in the suite may reach the network, except loopback (the live server, the browser)."""
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise OSError(f"Network access attempted in a test: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)

    real_getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host, *args, **kwargs):
        """No DNS either: only loopback names and IP literals (which need no lookup) are resolved."""
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in ("localhost", "127.0.0.1", "::1") and not _is_ip_literal(name):
            raise socket.gaierror(socket.EAI_NONAME, f"DNS lookup attempted in a test: {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return True


@pytest.fixture
def issuer(db):
    return IssuerFactory()


@pytest.fixture
def achievement(issuer):
    return AchievementFactory(issuer=issuer)


@pytest.fixture
def user(db):
    return UserFactory()
