"""Fixtures shared by the issuers' tests."""

from __future__ import annotations

import pytest

from issuers import services
from issuers.models import IssuerMembership
from issuers.permissions import SYSTEM
from tests.issuers.factories import IssuerFactory, UserFactory


@pytest.fixture
def staff_client(client, db):
    drh, dsin = IssuerFactory(slug="drh"), IssuerFactory(slug="dsin")
    staff = UserFactory()
    services.membership_set(issuer=drh, user=staff, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    client.force_login(staff)
    return client, drh, dsin
