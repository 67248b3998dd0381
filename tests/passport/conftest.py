"""The cast of the learner-space tests: the city (the platform), a direction, a learner with badges, another
learner, the direction's staff and another issuer's staff."""

from __future__ import annotations

import pytest

from issuers import services
from issuers.models import Issuer, IssuerMembership
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, CredentialFactory, IssuerFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def city(db):
    return IssuerFactory(slug="ville", name="Ville d'Exemple", kind=Issuer.Kind.CITY)


@pytest.fixture
def direction(city):
    return IssuerFactory(slug="drh", name="Direction des ressources humaines", parent=city)


@pytest.fixture
def learner(db):
    return UserFactory(username="camille", email="camille.dupont@ville-exemple.fr")


@pytest.fixture
def other_learner(db):
    return UserFactory(username="dominique", email="dominique.martin@ville-exemple.fr")


@pytest.fixture
def credential(direction, learner):
    """A private credential (the default) of ``learner``, issued by ``direction``."""
    achievement = AchievementFactory(issuer=direction, slug="accueil-usagers", name="Accueil des usagers")
    return CredentialFactory(achievement=achievement, recipient_email=learner.email, recipient_name="Camille Dupont")


@pytest.fixture
def issuer_staff(direction):
    user = UserFactory(username="gestionnaire-drh")
    services.membership_set(issuer=direction, user=user, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    return user


@pytest.fixture
def other_issuer_staff(city):
    other = IssuerFactory(slug="dsin", name="Direction du numérique", parent=city)
    user = UserFactory(username="gestionnaire-dsin")
    services.membership_set(issuer=other, user=user, role=IssuerMembership.Role.ADMIN, actor=SYSTEM)
    return user
