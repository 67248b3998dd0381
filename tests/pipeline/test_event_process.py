"""event_process: rules, levels, pathways, learners and "exactly once", on the service directly."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from competencies.models import Competency
from issuers.alignments import alignment_set
from issuers.models import Credential, SigningKey
from issuers.permissions import SYSTEM
from pipeline import services
from pipeline.intake import csv_backfill, moodle, xapi
from pipeline.models import Award, Completion, InboundEvent
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory
from tests.pipeline.factories import FIXTURES, fixture_json
from verification.services import credential_verify

CAMILLE = "camille.dupont@ville-exemple.fr"


def receive(source, body, parser=moodle.parse):
    item = parser(body)
    item = item[0] if isinstance(item, list) else item
    return services.event_receive(source=source, item=item)[0]


def process(event):
    return services.event_process(event_id=event.pk)


def moodle_completion(objectid=8812, course="101", user="45"):
    return fixture_json("moodle/course_completed.json") | {"objectid": objectid, "courseid": course,
                                                            "relateduserid": user}


@pytest.fixture
def mapped(moodle):
    services.learner_map(source=moodle.source, lms_user_id="45", email=CAMILLE, name="Camille Dupont")
    return moodle


def test_a_completion_issues_one_signed_credential_with_the_course_as_evidence(
        mapped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = process(receive(mapped.source, moodle_completion()))
    assert (event.status, event.reason, event.recipient_email) == ("processed", "", CAMILLE)
    credential = Credential.objects.get()
    assert credential.recipient_email == CAMILLE and event.awards.get().credential == credential
    document = json.loads(credential.document)
    assert credential_verify(document=document).valid
    [evidence] = document["evidence"]
    assert evidence["name"] == "Cours 101" and "09/01/2026" in evidence["narrative"]


def test_the_learner_gets_an_email_with_the_link_after_the_commit(mapped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        process(receive(mapped.source, moodle_completion()))
        assert mail.outbox == []  # nothing is sent inside the signing transaction
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    credential = Credential.objects.get()
    assert message.to == [CAMILLE] and f"/credentials/{credential.public_id}" in message.body
    assert "Accueil des usagers" in message.subject


def test_processing_an_event_twice_issues_one_credential(mapped):
    event = receive(mapped.source, moodle_completion())
    process(event)
    InboundEvent.objects.filter(pk=event.pk).update(status="received")  # a duplicate task, a re-drive
    process(event)
    assert Credential.objects.count() == 1 and Award.objects.count() == 1


def test_a_second_event_for_the_same_badge_resolves_to_the_existing_credential(mapped):
    first = process(receive(mapped.source, moodle_completion()))
    second = process(receive(mapped.source, fixture_json("xapi/completed_adl.json"), xapi.parse))
    assert second.status == "processed" and second.reason == "already_awarded"
    assert Credential.objects.count() == 1
    assert first.awards.get() == second.awards.get()


def test_a_reearnable_rule_issues_a_badge_per_event(moodle):
    rule = moodle.source.rules.get()
    rule.reearnable = True
    rule.save(update_fields=["reearnable"])
    services.learner_map(source=moodle.source, lms_user_id="45", email=CAMILLE)
    process(receive(moodle.source, moodle_completion(objectid=1)))
    process(receive(moodle.source, moodle_completion(objectid=2)))
    assert Credential.objects.count() == 2


def test_the_database_refuses_a_second_award_of_the_same_badge_and_level(mapped):
    achievement = mapped.source.rules.get().achievement
    level = small_framework().levels.get(code="N2")
    Award.objects.create(recipient_email=CAMILLE, achievement=achievement)
    Award.objects.create(recipient_email=CAMILLE, achievement=achievement, level=level)
    Award.objects.create(recipient_email=CAMILLE, achievement=achievement, occurrence="another-event")
    for extra in ({}, {"level": level}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Award.objects.create(recipient_email=CAMILLE, achievement=achievement, **extra)


def test_an_unknown_learner_waits_as_unmatched_until_mapped(moodle, no_queue):
    event = process(receive(moodle.source, moodle_completion(user="77")))
    assert (event.status, event.reason) == ("unmatched", "unknown_learner")
    assert not Credential.objects.exists()
    services.learner_map(source=moodle.source, lms_user_id="77", email="lucas.bernard@ville-exemple.fr")
    event.refresh_from_db()
    assert event.status == "received" and no_queue[-1] == event.pk
    assert process(event).status == "processed"
    assert Credential.objects.get().recipient_email == "lucas.bernard@ville-exemple.fr"


def test_the_email_the_event_carries_is_used_when_there_is_no_mapping(moodle):
    event = process(receive(moodle.source, fixture_json("xapi/completed_tincan.json"), xapi.parse))
    assert event.status == "processed" and Credential.objects.get().recipient_email == CAMILLE


def test_a_failed_attempt_is_ignored(moodle):
    services.award_rule_create(source=moodle.source, course="https://formation.ville-exemple.fr/mod/quiz/view.php?id=2207",
                               achievement=AchievementFactory(issuer=moodle.source.issuer))
    event = process(receive(moodle.source, fixture_json("xapi/failed.json"), xapi.parse))
    assert (event.status, event.reason) == ("ignored", "not_passed") and not Credential.objects.exists()


def test_a_minimum_score_is_required(moodle):
    quiz = "https://formation.ville-exemple.fr/mod/quiz/view.php?id=2207"
    services.award_rule_create(source=moodle.source, course=quiz, min_score=Decimal(90),
                               achievement=AchievementFactory(issuer=moodle.source.issuer))
    services.learner_map(source=moodle.source, lms_user_id="45", email=CAMILLE)
    event = process(receive(moodle.source, fixture_json("xapi/passed_with_score.json"), xapi.parse))
    assert (event.status, event.reason) == ("ignored", "below_min_score")
    rule = moodle.source.rules.get(course=quiz)
    rule.min_score = Decimal(85)
    rule.save(update_fields=["min_score"])
    statement = fixture_json("xapi/passed_with_score.json") | {"id": "a3f0e1c2-5b6d-4e7f-8091-a2b3c4d5e6f8"}
    assert process(receive(moodle.source, statement, xapi.parse)).status == "processed"


@pytest.fixture
def scale(moodle):
    """The small framework's scale, and an achievement aligned to it."""
    framework = small_framework()
    achievement = AchievementFactory(issuer=moodle.source.issuer, slug="bureautique-tableur")
    alignment_set(achievement=achievement, competency=Competency.objects.filter(framework=framework).first(),
                  actor=SYSTEM)
    return framework, achievement


def test_score_bands_set_the_level_stated_in_the_credential_result(moodle, scale):
    framework, achievement = scale
    course = "https://formation.ville-exemple.fr/positionnement/bureautique"
    services.award_rule_create(source=moodle.source, course=course, achievement=achievement, level_framework=framework,
                               bands=[(Decimal(50), framework.levels.get(code="N2")),
                                      (Decimal(80), framework.levels.get(code="N3"))])
    event = process(receive(moodle.source, fixture_json("xapi/scored_positioning.json"), xapi.parse))  # 85 %
    assert event.status == "processed"
    credential = Credential.objects.get()
    assert credential.achieved_level.code == "N3"
    [result] = json.loads(credential.document)["credentialSubject"]["result"]
    assert result["achievedLevel"].endswith("/N3") or "N3" in result["achievedLevel"]


def test_a_level_stated_by_the_source_is_used_and_a_minimum_level_applies(moodle, scale):
    framework, achievement = scale
    services.award_rule_create(source=moodle.source, course="positionnement:francais", achievement=achievement,
                               level_framework=framework, min_level=framework.levels.get(code="N2"))
    rows = csv_backfill.parse("positioning", (FIXTURES / "csv/positioning.csv").read_text())
    stored = services.events_receive(source=moodle.source, items=[e for r in rows for e in r.events])
    event = process(stored["positioning:francais:amina.diallo@ville-exemple.fr:2026-01-14"][0])
    assert event.status == "processed" and Credential.objects.get().achieved_level.code == "N3"


def test_a_level_off_the_achievements_scale_is_a_permanent_failure_recorded_on_the_event(moodle):
    framework = small_framework()  # the achievement of rule 101 is aligned to nothing
    rule = moodle.source.rules.get()
    rule.level_framework = framework
    rule.save(update_fields=["level_framework"])
    body = fixture_json("xapi/completed_tincan.json")
    item = xapi.parse(body)[0]
    from dataclasses import replace
    event = services.event_receive(source=moodle.source, item=replace(item, level_code="N2"))[0]
    event = process(event)
    assert (event.status, event.reason) == ("failed", "level_not_aligned")
    assert not Award.objects.exists() and not Credential.objects.exists()  # nothing half-done


def test_an_issuer_without_active_key_fails_the_event_without_raising(mapped):
    SigningKey.objects.update(status="retired")
    event = process(receive(mapped.source, moodle_completion()))
    assert (event.status, event.reason) == ("failed", "no_active_key")


def test_a_database_outage_propagates_for_the_task_to_retry(mapped, monkeypatch):
    event = receive(mapped.source, moodle_completion())

    def down(self, requests):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("issuers.issuance.Issuance.issue", down)
    with pytest.raises(OperationalError):
        process(event)
    event.refresh_from_db()
    assert event.status == "received"


def test_validity_duration_sets_valid_until(mapped):
    rule = mapped.source.rules.get()
    rule.validity_days = 365
    rule.save(update_fields=["validity_days"])
    process(receive(mapped.source, moodle_completion()))
    credential = Credential.objects.get()
    assert timedelta(days=364) < credential.valid_until - timezone.now() <= timedelta(days=365)


def test_a_pathway_of_all_its_courses_awards_once_the_last_is_completed(mapped):
    source = mapped.source
    target = AchievementFactory(issuer=source.issuer, slug="parcours-accueil")
    services.pathway_create(name="Parcours accueil", achievement=target, courses=[(source, "101"), (source, "103")])
    process(receive(source, moodle_completion(objectid=1, course="101")))
    assert not Award.objects.filter(achievement=target).exists()
    event = process(receive(source, moodle_completion(objectid=2, course="103")))
    assert event.status == "processed"
    assert Award.objects.get(achievement=target).credential is not None
    assert Completion.objects.filter(learner_email=CAMILLE).count() == 2


def test_a_pathway_of_n_achievements_counts_badges_however_earned(mapped):
    source = mapped.source
    first = source.rules.get().achievement
    second = AchievementFactory(issuer=source.issuer)
    third = AchievementFactory(issuer=source.issuer)
    services.award_rule_create(source=source, course="102", achievement=second)
    target = AchievementFactory(issuer=source.issuer, slug="parcours-n")
    services.pathway_create(name="2 sur 3", achievement=target, achievements=[first, second, third], required=2)
    process(receive(source, moodle_completion(objectid=1, course="101")))
    assert not Award.objects.filter(achievement=target).exists()
    process(receive(source, moodle_completion(objectid=2, course="102")))
    assert Award.objects.filter(achievement=target, credential__isnull=False).count() == 1


def test_the_pix_total_and_competence_levels_award_pix_badges(moodle):
    pix = small_framework(code="pix-crcn", title="Pix")
    achievement = AchievementFactory(issuer=moodle.source.issuer, slug="pix-1-1")
    alignment_set(achievement=achievement, competency=Competency.objects.filter(framework=pix).first(), actor=SYSTEM)
    services.award_rule_create(source=moodle.source, course="pix:1.1", achievement=achievement, level_framework=pix)
    total = AchievementFactory(issuer=moodle.source.issuer, slug="pix-300")
    services.award_rule_create(source=moodle.source, course="pix", achievement=total, min_score=Decimal(300))
    text = (FIXTURES / "csv/pix_certification_results.csv").read_text(encoding="utf-8")
    pix.levels.create(rank=5, code="4", label="Niveau 4")  # the Pix scale's codes are digits
    report = services.csv_import(source=moodle.source, kind="pix", text=text)
    for event in report.csv_import.events.filter(status="received"):
        process(event)
    assert set(Credential.objects.values_list("achievement__slug", "recipient_email")) == {
        ("pix-1-1", CAMILLE), ("pix-300", CAMILLE)}
    assert Credential.objects.get(achievement=achievement).achieved_level.code == "4"
