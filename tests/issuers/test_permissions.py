"""A staff member of one issuer can never issue, revoke or edit for another: in the services and the API."""

import pytest

from badges_service.errors import PermissionDenied
from issuers import services
from issuers.models import Credential, IssuerMembership
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, CredentialFactory, IssuerFactory, UserFactory


@pytest.fixture
def two_issuers(db):
    drh, dsin = IssuerFactory(slug="drh"), IssuerFactory(slug="dsin")
    staff = UserFactory()
    services.membership_set(issuer=drh, user=staff, role=IssuerMembership.Role.STAFF, actor=SYSTEM)
    return drh, dsin, staff


def test_staff_can_issue_for_their_own_issuer(two_issuers):
    drh, _, staff = two_issuers
    credential = services.credential_issue(achievement=AchievementFactory(issuer=drh),
                                           recipient_email="a@ville-exemple.fr", actor=staff)
    assert credential.issuer == drh


def test_staff_cannot_issue_for_another_issuer(two_issuers):
    _, dsin, staff = two_issuers
    with pytest.raises(PermissionDenied):
        services.credential_issue(achievement=AchievementFactory(issuer=dsin),
                                  recipient_email="a@ville-exemple.fr", actor=staff)
    assert not Credential.objects.exists()


def test_staff_cannot_revoke_for_another_issuer(two_issuers):
    _, dsin, staff = two_issuers
    credential = CredentialFactory(achievement=AchievementFactory(issuer=dsin))
    with pytest.raises(PermissionDenied):
        services.credential_revoke(credential=credential, reason="Erreur", actor=staff)
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_staff_cannot_edit_another_issuers_achievement_or_profile(two_issuers):
    _, dsin, staff = two_issuers
    achievement = AchievementFactory(issuer=dsin)
    with pytest.raises(PermissionDenied):
        services.achievement_update(achievement=achievement, actor=staff, name="Piraté")
    with pytest.raises(PermissionDenied):
        services.achievement_create(issuer=dsin, slug="x", name="x", description="x", criteria_narrative="x",
                                    actor=staff)
    with pytest.raises(PermissionDenied):
        services.issuer_update(issuer=dsin, actor=staff, name="Piraté")
    achievement.refresh_from_db()
    assert achievement.name != "Piraté"


def test_a_role_at_the_parent_issuer_gives_no_right_on_a_child(db):
    city = IssuerFactory(slug="ville")
    child = IssuerFactory(slug="musees", parent=city)
    admin = UserFactory()
    services.membership_set(issuer=city, user=admin, role=IssuerMembership.Role.ADMIN, actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.credential_issue(achievement=AchievementFactory(issuer=child),
                                  recipient_email="a@ville-exemple.fr", actor=admin)


def test_only_issuer_admins_rotate_keys(two_issuers):
    drh, _, staff = two_issuers
    with pytest.raises(PermissionDenied):
        services.key_rotate(issuer=drh, actor=staff)
    admin = UserFactory()
    services.membership_set(issuer=drh, user=admin, role=IssuerMembership.Role.ADMIN, actor=SYSTEM)
    assert services.key_rotate(issuer=drh, actor=admin).status == "active"


def test_an_inactive_or_anonymous_user_cannot_act(two_issuers):
    from django.contrib.auth.models import AnonymousUser

    drh, _, staff = two_issuers
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    for actor in (staff, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.credential_issue(achievement=AchievementFactory(issuer=drh),
                                      recipient_email="a@ville-exemple.fr", actor=actor)


def test_a_missing_actor_is_refused_and_the_system_is_named(db):
    """No fail-open default: ``actor=None`` is nobody, and the service itself acts as ``SYSTEM``."""
    achievement = AchievementFactory()
    with pytest.raises(PermissionDenied):
        services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=None)
    with pytest.raises(TypeError):
        services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr")  # no actor at all
    assert services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
