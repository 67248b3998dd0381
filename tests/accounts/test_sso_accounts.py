"""Accounts found or made at single sign-on, and their learner rows (accounts.services)."""

import pytest

from accounts.services import SignInRefused, user_from_sso
from learners.models import Learner
from tests.issuers.factories import UserFactory


def test_two_accounts_with_the_same_email_refuse_the_sign_in_rather_than_guess(db):
    UserFactory(username="a", email="camille.dupont@ville-exemple.fr")
    UserFactory(username="b", email="Camille.Dupont@ville-exemple.fr")

    with pytest.raises(SignInRefused):
        user_from_sso(email="camille.dupont@ville-exemple.fr")


def test_a_learner_row_linked_to_another_account_is_not_moved(db):
    other = UserFactory(username="autre")
    learner = Learner.objects.create(email="camille.dupont@ville-exemple.fr", user=other)

    user = user_from_sso(email="camille.dupont@ville-exemple.fr", given_name="Camille", family_name="Dupont")

    learner.refresh_from_db()
    assert learner.user == other and user != other
    assert not Learner.objects.filter(user=user).exists()


def test_signing_in_again_keeps_one_account_and_one_learner_row(db):
    first = user_from_sso(email="camille.dupont@ville-exemple.fr", given_name="Camille", family_name="Dupont")
    second = user_from_sso(email="CAMILLE.DUPONT@ville-exemple.fr")

    assert first == second
    assert Learner.objects.filter(email__iexact="camille.dupont@ville-exemple.fr").count() == 1
    assert first.get_username() == "camille.dupont@ville-exemple.fr"


def test_an_account_whose_username_is_taken_gets_another_one(db):
    UserFactory(username="camille.dupont@ville-exemple.fr", email="autre@ville-exemple.fr")

    user = user_from_sso(email="camille.dupont@ville-exemple.fr")

    assert user.get_username().startswith("sso-") and user.email == "camille.dupont@ville-exemple.fr"


@pytest.mark.parametrize("privilege", ["is_superuser", "is_staff"])
def test_single_sign_on_never_signs_in_to_a_privileged_account(db, privilege):
    UserFactory(username="admin", email="admin@ville-exemple.fr", **{privilege: True})

    with pytest.raises(SignInRefused) as refused:
        user_from_sso(email="admin@ville-exemple.fr")

    assert refused.value.code == "privileged_account"
