"""Fixtures shared by the verification tests."""

from __future__ import annotations

import pytest

from tests.issuers.factories import PublicCredentialFactory


@pytest.fixture
def credential(achievement):
    """A public credential of the shared ``achievement``, to Camille Dupont."""
    return PublicCredentialFactory(achievement=achievement, recipient_name="Camille Dupont")
