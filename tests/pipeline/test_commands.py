"""The command-line interfaces other tools rely on, and the demo data."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from badges_service.key_encryption import decrypt_secret
from pipeline.models import AwardRule, LearnerMapping, LmsSource
from tests.issuers.factories import AchievementFactory, IssuerFactory
from tests.pipeline.factories import FIXTURES


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_lms_source_add_prints_one_json_object_with_id_and_secret_stored_encrypted(db):
    printed = json.loads(run("lms_source_add", "--name", "moodle-ville"))
    source = LmsSource.objects.get(pk=printed["id"])
    assert printed["secret"].encode() not in bytes(source.secret_encrypted)
    assert decrypt_secret(source.secret_encrypted) == printed["secret"].encode()
    with pytest.raises(CommandError):
        run("lms_source_add", "--name", "moodle-ville")


def test_lms_source_add_prints_the_three_settings_of_moodles_xapi_log_store(db):
    printed = json.loads(run("lms_source_add", "--name", "Moodle Ville"))
    assert set(printed) == {"id", "name", "secret", "lrs_endpoint", "lrs_username", "lrs_password"}
    assert printed["lrs_endpoint"] == "https://badges.example.test/api/v1/xapi/"
    source = LmsSource.objects.get(pk=printed["id"])
    assert source.lrs_username == printed["lrs_username"] and printed["lrs_username"].startswith("moodle-ville-")
    assert printed["lrs_password"] not in source.lrs_password_digest and source.lrs_password_digest
    assert printed["lrs_password"] != printed["secret"]


def test_award_rule_add_links_a_course_to_an_achievement(db):
    run("lms_source_add", "--name", "moodle-ville")
    AchievementFactory(issuer=IssuerFactory(), slug="cybersecurite-essentiels")
    printed = json.loads(run("award_rule_add", "--source", "moodle-ville", "--course", "102", "--achievement",
                             "cybersecurite-essentiels", "--min-score", "80"))
    rule = AwardRule.objects.get(pk=printed["id"])
    assert (rule.course, str(rule.min_score), rule.achievement.slug) == ("102", "80.000", "cybersecurite-essentiels")
    with pytest.raises(CommandError):
        run("award_rule_add", "--source", "inconnue", "--course", "1", "--achievement", "cybersecurite-essentiels")


def test_learner_map_maps_one_user_or_a_csv(db):
    run("lms_source_add", "--name", "moodle-ville")
    run("learner_map", "--source", "moodle-ville", "--lms-user-id", "45", "--email", "Camille.Dupont@ville-exemple.fr")
    assert LearnerMapping.objects.get(lms_user_id="45").learner.email == "camille.dupont@ville-exemple.fr"
    printed = json.loads(run("learner_map", "--source", "moodle-ville", "--csv",
                             str(FIXTURES / "csv/learner_mappings.csv")))
    assert printed["mapped"] == 2 and printed["errors"][0]["line"] == 4
    assert LearnerMapping.objects.count() == 2


def test_seed_demo_creates_the_demo_source_and_rules_once(db):
    first = run("seed_demo")
    assert "Secret of 'moodle-demo'" in first
    source = LmsSource.objects.get(name="moodle-demo")
    assert set(source.rules.values_list("course", flat=True)) == {"101", "102", "positionnement:bureautique"}
    second = run("seed_demo")
    assert "Secret" not in second and source.rules.count() == 3
