"""A learner mapping writes its learner row through ``learners.services.learner_upsert``: the row the sign-in
made is found whatever the case of its email, never doubled."""

from __future__ import annotations

from accounts.services import user_from_sso
from learners.models import Learner
from pipeline import services


def test_a_mapping_finds_the_learner_row_the_sign_in_made(moodle):
    user = user_from_sso(email="Camille.Dupont@Ville-Exemple.fr", given_name="Camille", family_name="Dupont")
    mapping = services.learner_map(source=moodle.source, lms_user_id="45", email="camille.dupont@ville-exemple.fr",
                                   name="Autre nom")
    assert Learner.objects.count() == 1
    assert mapping.learner.user == user
    assert mapping.learner.display_name == "Camille Dupont"


def test_a_mapping_makes_the_learner_row_with_its_name(moodle):
    mapping = services.learner_map(source=moodle.source, lms_user_id="46", email="Lea.Martin@ville-exemple.fr",
                                   name="Léa Martin")
    assert (mapping.learner.email, mapping.learner.display_name) == ("lea.martin@ville-exemple.fr", "Léa Martin")
