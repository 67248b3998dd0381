"""Badges earned elsewhere count in the competency profile as externally attested, apart from the city's
proof: their alignments name an item of a framework known here by its URL, its CASE identifier or its ESCO
URI. The learner and their managers see the distinction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from competencies.identifiers import competency_url
from competencies.interchange.case import case_id
from learners import services
from learners.models import ForeignBadge
from skills import external, profiles
from tests.issuers.factories import UserFactory
from tests.managers.factories import two_directions

NOW = datetime.now(UTC)


@pytest.fixture
def team(db):
    team = two_directions()
    team.mine.user = UserFactory(username="camille", email=team.mine.email)
    team.mine.save(update_fields=["user"])
    return team


def add(user, *alignments, status="valid", expires=None, issuer="Ministère de l'Exemple") -> ForeignBadge:
    facts = services.ForeignBadgeFacts(credential_id=f"https://moodle.example/a/{ForeignBadge.objects.count()}",
                                       format="ob2-hosted", name="Badge", issuer_name=issuer, expires=expires,
                                       alignments=list(alignments))
    return services.foreign_badge_create(user=user, source="url", original=facts.credential_id, document="{}",
                                         facts=facts, report={"status": status, "valid": status == "valid"},
                                         verified_at=NOW)


def test_an_alignment_matches_by_esco_uri_case_identifier_or_this_services_url(team):
    framework = team.framework
    add(team.mine.user,
        {"targetName": "Accueil", "targetUrl": "https://data.europa.eu/esco/skill/0b0c1d2e/"},  # ESCO, other spelling
        {"targetName": "Sécurité", "targetUrl": "https://opensalt.example/uri/"
         + case_id(framework.code, "competency", "CMP-NUM-01")},  # CASE identifier in a CASE server's URI
        {"targetName": "Écoute", "targetUrl": competency_url(team.competency("CMP-ETR-02"))},  # our URI
        {"targetName": "Inconnue", "targetUrl": "https://example.org/skills/42", "targetCode": "X-1"})
    attested = external.external_profile(email=team.mine.email)
    codes = {team.framework.competencies.get(pk=cid).code for cid in attested}
    assert codes == {"CMP-REL-01", "CMP-NUM-01", "CMP-ETR-02"}
    entry = attested[team.competency("CMP-NUM-01").id]
    assert entry.level_id == team.level("N1").id and entry.issuers == ["Ministère de l'Exemple"]
    # The city's proof is untouched: CMP-NUM-01 is attested elsewhere, not proven by the city.
    assert team.competency("CMP-NUM-01").id not in profiles.learner_profile(email=team.mine.email)


def test_a_case_identifier_given_as_the_alignment_code_matches(team):
    add(team.mine.user, {"targetName": "Sécurité", "targetCode": case_id(team.framework.code, "competency",
                                                                          "CMP-NUM-01")})
    assert list(external.external_profile(email=team.mine.email)) == [team.competency("CMP-NUM-01").id]


def test_a_badge_no_longer_valid_or_expired_attests_nothing(team):
    aligned = {"targetUrl": "http://data.europa.eu/esco/skill/0b0c1d2e"}
    add(team.mine.user, aligned, status="revoked")
    add(team.mine.user, aligned, expires=NOW - timedelta(days=1))
    assert external.external_profile(email=team.mine.email) == {}


def test_the_learner_sees_what_is_attested_elsewhere_apart_from_the_citys_proof(client, team):
    add(team.mine.user, {"targetUrl": "http://data.europa.eu/esco/skill/0b0c1d2e"},
        {"targetCode": case_id(team.framework.code, "competency", "CMP-NUM-01")})
    client.force_login(team.mine.user)
    page = client.get("/passeport/competences/").content.decode()
    proven, elsewhere = page.split('id="external-table"')
    assert "Compétences attestées ailleurs" in proven
    assert 'data-external="CMP-NUM-01"' in elsewhere and "CMP-NUM-01" not in proven.split('id="profile-table"')[1]
    row = elsewhere.split('data-external="CMP-REL-01"')[1].split("</tr>")[0]
    assert "Ministère de l&#x27;Exemple" in row and "Oui" in row  # also proven by the city


def test_managers_see_the_distinction(client, team):
    add(team.mine.user, {"targetCode": case_id(team.framework.code, "competency", "CMP-NUM-01")})
    client.force_login(team.manager_drh)
    page = client.get("/equipe/").content.decode()
    assert "Attestées par des badges obtenus ailleurs" in page and 'data-external="CMP-NUM-01"' in page
    client.force_login(team.manager_dsin)
    assert 'data-external="CMP-NUM-01"' not in client.get("/equipe/").content.decode()


def test_a_managers_search_lists_agents_attested_only_elsewhere_apart(client, team):
    add(team.mine.user, {"targetCode": case_id(team.framework.code, "competency", "CMP-NUM-01")})
    add(team.mine.user, {"targetUrl": "http://data.europa.eu/esco/skill/0b0c1d2e"})  # proven by the city too
    client.force_login(team.manager_drh)
    numeric = client.get("/equipe/", {"competence": team.competency("CMP-NUM-01").id,
                                      "niveau": team.level("N1").id}).content.decode()
    assert f'data-elsewhere="{team.mine.email}"' in numeric and "Attestée seulement par des badges" in numeric
    welcome = client.get("/equipe/", {"competence": team.competency("CMP-REL-01").id,
                                      "niveau": team.level("N1").id}).content.decode()
    assert f'data-elsewhere="{team.mine.email}"' not in welcome  # listed once, as proven by the city
    client.force_login(team.manager_dsin)
    other = client.get("/equipe/", {"competence": team.competency("CMP-NUM-01").id,
                                    "niveau": team.level("N1").id}).content.decode()
    assert "data-elsewhere=" not in other  # not visible to another direction's manager
