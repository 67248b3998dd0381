"""The managers' team view at /equipe/: every role, every boundary.

Decisions (see managers/selectors.py): a manager is a user with a ManagerScope; the team lists the agents of
the managed directions only; the skills search also finds agents of other directions who made their profile
visible; a platform admin (superuser) manages every direction; issuer staff and admins are not managers by that
role alone; anyone else signed in gets a friendly 403 page; anonymous visitors are sent to the sign-in page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issuers import services
from issuers.permissions import SYSTEM
from learners.models import Learner, ManagerScope
from tests.issuers.factories import UserFactory
from tests.managers.factories import issuer_staff, two_directions

URL = "/equipe/"


@pytest.fixture
def team(db):
    return two_directions()


def page_as(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def team_list(response) -> str:
    """The HTML of the team section only (after the search section and its results)."""
    html = response.content.decode()
    return html.split('id="team-title"', 1)[1]


def search_results(response) -> str:
    html = response.content.decode()
    return html.split('class="results"', 1)[1].split('id="team-title"', 1)[0]


def search(client, team, user, competency="CMP-REL-01", level="N2"):
    return page_as(client, user, competence=team.competency(competency).id, niveau=team.level(level).id)


# --- who gets in -------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client, team):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{settings.LOGIN_URL}?next={URL}"
    assert settings.LOGIN_URL == "/comptes/connexion/"


def test_a_learner_without_a_manager_scope_gets_a_friendly_403(client, team):
    learner_user = UserFactory()
    Learner.objects.filter(pk=team.mine.pk).update(user=learner_user)

    response = page_as(client, learner_user)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès réservé aux managers" in html and '<html lang="fr">' in html
    assert "Camille Martin" not in html and "Léa Nguyen" not in html


def test_a_learner_without_a_scope_cannot_search_either(client, team):
    response = search(client, team, UserFactory())
    assert response.status_code == 403
    assert "Léa Nguyen" not in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_issuer_staff_who_are_not_managers_get_403_even_for_their_own_direction(client, team, role):
    response = page_as(client, issuer_staff(team.drh, role))
    assert response.status_code == 403
    assert "Camille Martin" not in response.content.decode()


def test_an_inactive_manager_gets_403(client, team):
    team.manager_drh.is_active = False
    team.manager_drh.save(update_fields=["is_active"])
    client.force_login(team.manager_drh)  # force_login skips the backend's is_active check
    response = client.get(URL)
    assert response.status_code == 302, "the session of an inactive account is not honoured"
    assert "Camille Martin" not in response.content.decode()


def test_the_team_view_only_answers_get(client, team):
    client.force_login(team.manager_drh)
    assert client.post(URL).status_code == 405


# --- what a manager sees ---------------------------------------------------------------------------


def test_the_manager_of_a_direction_sees_its_agents_with_their_competencies_and_levels(client, team):
    response = page_as(client, team.manager_drh)

    assert response.status_code == 200
    assert "managers/team.html" in {t.name for t in response.templates}
    listed = team_list(response)
    assert "Camille Martin" in listed and "camille.martin@ville-exemple.fr" in listed
    assert "Accueillir le public" in listed and "Maîtrise" in listed
    assert "Agent·e d&#x27;accueil" in listed  # the agent's métier


def test_the_manager_of_a_direction_does_not_see_the_agents_of_another_direction(client, team):
    listed = team_list(page_as(client, team.manager_drh))
    assert "Karim Benali" not in listed
    assert "Léa Nguyen" not in listed, "an open profile is found by search, not listed in another team"


def test_the_manager_of_the_other_direction_sees_the_other_agents_only(client, team):
    listed = team_list(page_as(client, team.manager_dsin))
    assert "Karim Benali" in listed and "Léa Nguyen" in listed
    assert "Camille Martin" not in listed


def test_a_manager_of_two_directions_sees_both_teams(client, team):
    ManagerScope.objects.create(user=team.manager_drh, direction=team.dsin)
    listed = team_list(page_as(client, team.manager_drh))
    assert all(name in listed for name in ("Camille Martin", "Karim Benali", "Léa Nguyen"))


def test_each_agent_shows_the_gaps_against_the_job_essential_first(client, team):
    listed = team_list(page_as(client, team.manager_drh))
    camille = listed.split("Camille Martin", 1)[1]
    gaps = camille.split("Écarts avec le métier", 1)[1]
    # CMP-REL-01 N3 meets the N2 requirement; CMP-ETR-01 is proven at N1 of N3; CMP-NUM-01 (optional) is missing.
    assert "Accueillir le public" not in gaps
    assert gaps.index("Écoute") < gaps.index("Sécuriser son poste")
    assert "niveau Notions, attendu : Maîtrise" in gaps
    assert "non attestée, attendu : Notions" in gaps and "facultative" in gaps
    assert "adéquation 60 % (1 exigence satisfaite sur 3)" in camille  # (2 + 2/2) / (2 + 2 + 1)


def test_an_agent_without_a_job_has_no_gap_section(client, team):
    listed = team_list(page_as(client, team.manager_dsin))
    lea = listed.split("Léa Nguyen", 1)[1]
    assert "Aucun métier renseigné" in lea
    assert "Écarts avec le métier" not in lea


def test_a_revoked_badge_no_longer_counts_in_the_team_view(client, team):
    for credential in services.Credential.objects.filter(recipient_email=team.mine.email):
        services.credential_revoke(credential=credential, reason="Délivré par erreur", actor=SYSTEM)
    camille = team_list(page_as(client, team.manager_drh)).split("Camille Martin", 1)[1]
    assert "Aucune compétence attestée par un badge valide." in camille
    assert "non attestée, attendu : Pratique" in camille


def test_a_platform_admin_sees_every_direction(client, team):
    admin = UserFactory(is_superuser=True, is_staff=True)
    response = page_as(client, admin)
    assert response.status_code == 200
    listed = team_list(response)
    assert all(name in listed for name in ("Camille Martin", "Karim Benali", "Léa Nguyen"))
    assert "Toutes les directions" in response.content.decode()


def test_the_team_view_makes_the_same_number_of_queries_for_one_or_many_agents(client, team):
    client.force_login(team.manager_dsin)
    with CaptureQueriesContext(connection) as two_agents:
        client.get(URL)
    for n in range(5):
        learner = Learner.objects.create(email=f"agent{n}@ville-exemple.fr", direction=team.dsin, job=team.other.job)
        services.credential_issue(achievement=services.Credential.objects.first().achievement,
                                  recipient_email=learner.email, actor=SYSTEM)
    with CaptureQueriesContext(connection) as seven_agents:
        client.get(URL)
    assert len(seven_agents) == len(two_agents)


def test_a_long_team_is_split_into_pages(client, team):
    Learner.objects.bulk_create(Learner(email=f"agent{n:02}@ville-exemple.fr", display_name=f"Agent {n:02}",
                                        direction=team.drh) for n in range(30))
    first = page_as(client, team.manager_drh)
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert "Page 2 sur 2" in second.content.decode()
    assert "Agent 29" in team_list(second) and "Agent 00" not in team_list(second)


# --- the skills search -----------------------------------------------------------------------------


def test_a_manager_finds_agents_of_the_direction_and_open_profiles_of_other_directions(client, team):
    results = search_results(search(client, team, team.manager_drh))
    assert "Camille Martin" in results and "dans votre équipe" in results
    assert "Léa Nguyen" in results and "profil rendu visible par l’agent" in results
    assert "Karim Benali" not in results, "a hidden profile of another direction is never found"
    assert "2 agents détiennent « Accueillir le public » au niveau Pratique ou plus" in results


def test_the_minimum_level_filters_the_search(client, team):
    results = search_results(search(client, team, team.manager_drh, level="N4"))
    assert "Camille Martin" not in results and "Léa Nguyen" not in results
    assert "Aucun agent visible ne détient cette compétence à ce niveau" in results


def test_the_manager_of_the_other_direction_finds_its_hidden_agent_too(client, team):
    results = search_results(search(client, team, team.manager_dsin))
    assert "Karim Benali" in results and "Léa Nguyen" in results
    assert "Camille Martin" not in results


def test_a_level_of_another_framework_is_refused_with_a_message(client, team):
    from competencies.models import Framework, ProficiencyLevel

    other_fw = Framework.objects.create(code="pix", version="1", title="Pix")
    foreign = ProficiencyLevel.objects.create(framework=other_fw, rank=1, code="1", label="Niveau 1")
    response = page_as(client, team.manager_drh, competence=team.competency("CMP-REL-01").id, niveau=foreign.id)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce niveau n’appartient pas à l’échelle du référentiel de cette compétence" in html
    assert 'aria-invalid="true"' in html and 'class="results"' not in html


def test_an_incomplete_search_says_what_is_missing(client, team):
    html = page_as(client, team.manager_drh, competence="", niveau="").content.decode()
    assert "Choisissez une compétence." in html and "Choisissez un niveau minimum." in html
    assert 'aria-describedby="id_competence-error"' in html


def test_a_search_for_an_unknown_competency_is_an_error_not_a_crash(client, team):
    response = page_as(client, team.manager_drh, competence="999999", niveau=team.level("N1").id)
    assert response.status_code == 200
    assert "Choisissez une compétence dans la liste." in response.content.decode()


def test_the_competency_list_can_be_narrowed_without_javascript_and_a_narrowing_is_not_a_search(client, team):
    """"Filtrer la liste" (a plain GET) keeps the competencies whose name, code or domain contains the words,
    accents and case ignored, still grouped by framework; it does not run a search nor report errors."""
    client.force_login(team.manager_drh)
    wanted = team.competency("CMP-REL-01")
    word = wanted.label.split()[0].upper().replace("É", "E")
    html = client.get("/equipe/", {"filtre": word, "filtrer": "1", "competence": "", "niveau": ""}).content.decode()
    select = html.split("data-competency-select>")[1].split("</select>")[0]
    assert f'value="{wanted.id}"' in select and "<optgroup" in select
    others = [c for c in team.framework.competencies.all() if word.lower() not in
              c.label.lower().replace("é", "e") + c.code.lower() + (c.domain or "").lower().replace("é", "e")]
    assert others and all(f'value="{c.id}"' not in select for c in others)
    assert 'aria-invalid="true"' not in html, "narrowing the list is not a failed search"
