"""Shared fixtures. Rows are made through the services, as in production."""

from __future__ import annotations

import socket

import pytest

from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory


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


@pytest.fixture
def issuer(db):
    return IssuerFactory()


@pytest.fixture
def achievement(issuer):
    return AchievementFactory(issuer=issuer)


@pytest.fixture
def user(db):
    return UserFactory()
