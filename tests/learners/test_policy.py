"""Roles of every kind of person, and the header links each one sees."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Q

from issuers import services
from issuers.models import IssuerMembership
from issuers.permissions import ISSUE, MANAGE, SYSTEM
from learners import policy
from learners.models import Learner, ManagerScope
from learners.policy import PLATFORM_ADMIN_GROUP, roles_of
from tests.issuers.factories import AchievementFactory, IssuerFactory, UserFactory


@pytest.fixture
def city(db):
    return IssuerFactory(slug="ville", name="Ville", kind="city")


@pytest.fixture
def drh(city):
    return IssuerFactory(slug="drh", name="Direction des ressources humaines", parent=city)


@pytest.fixture
def dsin(city):
    return IssuerFactory(slug="dsin", name="Direction des systèmes d'information", parent=city)


def _links(client) -> dict[str, bool]:
    """The links of the header's account menu (the home page's body leads to some of the same pages)."""
    page = client.get("/").content.decode()
    body = page[page.index('<header class="site-header">'):page.index("</header>")]
    return {label: label in body for label in
            ("Se connecter", "Mon passeport", "Mon équipe", "Indicateurs", "Administration", "Se déconnecter")}


def test_an_anonymous_visitor_has_no_role_and_sees_the_sign_in_link(client, db):
    roles = roles_of(AnonymousUser())

    assert not (roles.is_authenticated or roles.is_learner or roles.is_manager or roles.is_issuer_staff
                or roles.is_platform_admin or policy.can_view_indicators(roles) or policy.can_use_admin(roles))
    assert _links(client) == {"Se connecter": True, "Mon passeport": False, "Mon équipe": False,
                              "Indicateurs": False, "Administration": False, "Se déconnecter": False}


def test_the_sign_in_link_brings_the_visitor_back_to_the_page(client, drh):
    page = client.get("/issuers/drh", HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    assert 'href="/comptes/connexion/?next=%2Fissuers%2Fdrh"' in page.content.decode()


def test_the_sign_in_page_does_not_link_to_itself_as_next(client, db):
    body = client.get("/comptes/connexion/").content.decode()

    assert 'class="account-nav__signin" href="/comptes/connexion/"' in body


def test_an_account_without_anything_is_signed_in_but_not_a_learner(client, db):
    user = UserFactory()
    client.force_login(user)

    roles = roles_of(user)

    assert roles.is_authenticated and not roles.is_learner and not roles.is_manager
    assert _links(client) == {"Se connecter": False, "Mon passeport": True, "Mon équipe": False,
                              "Indicateurs": False, "Administration": False, "Se déconnecter": True}


def test_a_learner_row_linked_to_the_account_makes_a_learner(db):
    user = UserFactory()
    Learner.objects.create(email="autre.adresse@ville-exemple.fr", user=user)

    assert roles_of(user).is_learner


def test_credentials_issued_to_the_accounts_email_make_a_learner(db):
    user = UserFactory(email="camille.dupont@ville-exemple.fr")
    AchievementFactory()  # another achievement, other people's credentials
    services.credential_issue(achievement=AchievementFactory(), recipient_email="Camille.Dupont@ville-exemple.fr",
                              actor=SYSTEM)

    assert roles_of(user).is_learner


def test_a_manager_manages_their_directions_only(client, drh, dsin, city):
    user = UserFactory()
    ManagerScope.objects.create(user=user, direction=drh)
    client.force_login(user)

    roles = roles_of(user)

    assert roles.is_manager and roles.managed_directions == (drh,)
    assert roles.manages(drh) and not roles.manages(dsin) and not roles.manages(city)
    assert not roles.is_issuer_staff and not policy.can_view_indicators(roles)
    assert _links(client)["Mon équipe"] and not _links(client)["Indicateurs"]


def test_issuer_roles_are_per_issuer_and_never_flow_along_the_tree(client, city, drh, dsin):
    user = UserFactory()
    services.membership_set(issuer=drh, user=user, role=IssuerMembership.Role.ADMIN, actor=SYSTEM)
    services.membership_set(issuer=dsin, user=user, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    client.force_login(user)

    roles = roles_of(user)

    assert roles.role_at(drh) == "admin" and roles.is_issuer_admin(drh)
    assert roles.role_at(dsin) == "staff" and not roles.is_issuer_admin(dsin)
    assert roles.role_at(city) is None and not roles.is_issuer_admin(city)
    assert roles.is_issuer_staff and policy.can_view_indicators(roles) and not roles.is_platform_admin
    assert not roles.is_manager
    links = _links(client)
    assert links["Indicateurs"] and not links["Mon équipe"] and not links["Administration"]


def test_a_member_of_the_platform_admin_group_is_a_platform_admin(client, db):
    user = UserFactory()
    # get_or_create: the migration makes the group, but live-server tests flush the tables between tests
    user.groups.add(Group.objects.get_or_create(name=PLATFORM_ADMIN_GROUP)[0])
    client.force_login(user)

    roles = roles_of(user)

    assert roles.is_platform_admin and policy.can_view_indicators(roles) and not roles.is_issuer_staff
    assert _links(client)["Indicateurs"] and not _links(client)["Administration"]


def test_a_superuser_is_a_platform_admin_with_the_administration_link(client, db):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)

    roles = roles_of(user)

    assert roles.is_platform_admin and policy.can_use_admin(roles) and policy.can_see_team(roles)
    assert not roles.is_manager
    links = _links(client)
    assert links["Indicateurs"] and links["Administration"] and links["Se déconnecter"] and links["Mon équipe"]


def test_a_deactivated_account_has_no_role(drh):
    user = UserFactory(is_superuser=True, is_staff=True, is_active=False)
    ManagerScope.objects.create(user=user, direction=drh)
    services.membership_set(issuer=drh, user=user, role=IssuerMembership.Role.ADMIN, actor=SYSTEM)

    roles = roles_of(user)

    assert not (roles.is_authenticated or roles.is_platform_admin or roles.is_manager or roles.is_issuer_staff
                or policy.can_use_admin(roles))


def test_the_header_shows_the_persons_name_and_a_sign_out_form(client, db):
    user = UserFactory(first_name="Camille", last_name="Dupont")
    client.force_login(user)

    body = client.get("/").content.decode()

    assert "Camille Dupont" in body
    assert 'action="/comptes/deconnexion/"' in body and 'method="post"' in body
    assert body.count('name="csrfmiddlewaretoken"') == 1  # the sign-out form (the language switch is links)


def test_the_indicators_link_a_platform_admin_group_member_sees_opens_the_dashboard(client, db):
    """Regression: the menu showed "Indicateurs" to a member of the platform-admin group, whose click then met a
    403. The menu and the page ask the same predicate, and a platform admin sees every issuer."""
    IssuerFactory(slug="drh")
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=PLATFORM_ADMIN_GROUP)[0])
    client.force_login(user)
    assert _links(client)["Indicateurs"]
    response = client.get("/indicateurs/")
    assert response.status_code == 200
    assert response.context["scope"].issuer_ids is None  # every issuer
    assert client.get("/api/v1/indicators").status_code == 200


@pytest.mark.parametrize("path", ["/indicateurs/", "/equipe/"])
def test_a_role_link_is_shown_exactly_when_its_page_answers(client, drh, path):
    """For each kind of person, the header's link and the page agree."""
    label = {"/indicateurs/": "Indicateurs", "/equipe/": "Mon équipe"}[path]
    people = [UserFactory(), UserFactory(is_superuser=True, is_staff=True)]
    staff, manager, group_admin = UserFactory(), UserFactory(), UserFactory()
    services.membership_set(issuer=drh, user=staff, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    ManagerScope.objects.create(user=manager, direction=drh)
    group_admin.groups.add(Group.objects.get_or_create(name=PLATFORM_ADMIN_GROUP)[0])
    for user in [*people, staff, manager, group_admin]:
        client.force_login(user)
        assert _links(client)[label] == (client.get(path).status_code == 200), user


def test_the_predicates_over_roles(drh, dsin):
    other = dsin
    staff, manager = UserFactory(), UserFactory()
    services.membership_set(issuer=drh, user=staff, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    ManagerScope.objects.create(user=manager, direction=drh)
    staff_roles, manager_roles = roles_of(staff), roles_of(manager)
    superuser = roles_of(UserFactory(is_superuser=True))

    assert policy.can_act_for(staff_roles, drh, ISSUE) and not policy.can_act_for(staff_roles, drh, MANAGE)
    assert not policy.can_act_for(staff_roles, other, ISSUE) and policy.can_act_for(superuser, other, MANAGE)
    assert policy.can_manage_direction(manager_roles, drh) and not policy.can_manage_direction(manager_roles, other)
    assert not policy.can_manage_direction(staff_roles, drh) and policy.can_manage_direction(superuser, other)
    source = type("Source", (), {"issuer_id": drh.pk})()
    assert policy.can_read_events(staff_roles, source) and not policy.can_read_events(manager_roles, source)
    assert not policy.can_read_events(roles_of(None), source)
    assert policy.sees_every_issuer(superuser) and not policy.sees_every_issuer(staff_roles)
    assert policy.learners_visible(roles_of(None)) == Q(pk__in=[])
