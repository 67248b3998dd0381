"""The learner rows and managers' scopes are written by ``learners.services`` only, by the system or a platform
admin; an agent's profile visibility by that agent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from badges_service.errors import NotFound, PermissionDenied
from issuers.permissions import SYSTEM
from learners import services
from learners.models import Learner, ManagerScope
from learners.policy import PLATFORM_ADMIN_GROUP
from tests.issuers.factories import IssuerFactory, UserFactory

CAMILLE = "camille.dupont@ville-exemple.fr"


def test_upsert_creates_the_row_once_whatever_the_case_of_the_email(db):
    first = services.learner_upsert(email=CAMILLE, display_name="Camille Dupont", actor=SYSTEM)
    again = services.learner_upsert(email="Camille.Dupont@Ville-Exemple.fr", display_name="Autre", actor=SYSTEM)
    assert again.pk == first.pk
    assert Learner.objects.count() == 1
    assert again.display_name == "Camille Dupont"  # a name already there is never overwritten


def test_upsert_fills_an_empty_display_name(db):
    services.learner_upsert(email=CAMILLE, actor=SYSTEM)
    learner = services.learner_upsert(email=CAMILLE, display_name="Camille Dupont", actor=SYSTEM)
    learner.refresh_from_db()
    assert learner.display_name == "Camille Dupont"


@pytest.mark.parametrize("who", ["none", "agent", "superuser"])
def test_upsert_refuses_anyone_but_the_system_or_a_platform_admin(db, who):
    actor = {"none": None, "agent": UserFactory(), "superuser": UserFactory(is_superuser=True)}[who]
    if who == "superuser":
        assert services.learner_upsert(email=CAMILLE, actor=actor).email == CAMILLE
        return
    with pytest.raises(PermissionDenied):
        services.learner_upsert(email=CAMILLE, actor=actor)
    assert not Learner.objects.exists()


def test_a_member_of_the_platform_admin_group_may_write_scopes(db):
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=PLATFORM_ADMIN_GROUP)[0])
    manager, drh = UserFactory(), IssuerFactory(slug="drh")
    services.manager_scope_add(user=manager, direction=drh, actor=admin)
    assert ManagerScope.objects.filter(user=manager, direction=drh).exists()


def test_link_attaches_the_existing_row_and_never_moves_a_link(db):
    services.learner_upsert(email=CAMILLE, actor=SYSTEM)
    camille, other = UserFactory(email=CAMILLE), UserFactory(email=CAMILLE)
    linked = services.learner_link(user=camille, email=CAMILLE.upper(), display_name="Camille Dupont", actor=SYSTEM)
    assert linked.user == camille and linked.display_name == "Camille Dupont"
    services.learner_link(user=other, email=CAMILLE, actor=SYSTEM)
    assert Learner.objects.get().user == camille
    with pytest.raises(PermissionDenied):
        services.learner_link(user=other, email="autre@ville-exemple.fr", actor=None)


def test_manager_scope_add_is_idempotent_and_refuses_a_missing_actor(db):
    manager, drh = UserFactory(), IssuerFactory(slug="drh")
    services.manager_scope_add(user=manager, direction=drh, actor=SYSTEM)
    services.manager_scope_add(user=manager, direction=drh, actor=SYSTEM)
    assert ManagerScope.objects.filter(user=manager).count() == 1
    with pytest.raises(PermissionDenied):
        services.manager_scope_add(user=UserFactory(), direction=drh, actor=None)


def test_only_the_agent_chooses_the_visibility_of_their_profile(db):
    agent = UserFactory(email=CAMILLE)
    services.learner_link(user=agent, email=CAMILLE, actor=SYSTEM)
    assert services.profile_visibility_choose(visible=True, actor=agent).profile_visible is True
    assert Learner.objects.get().profile_visible is True
    with pytest.raises(NotFound):
        services.profile_visibility_choose(visible=False, actor=SYSTEM)
    with pytest.raises(NotFound):
        services.profile_visibility_choose(visible=False, actor=None)
    assert Learner.objects.get().profile_visible is True
