"""What the statements of Moodle's log store earn, through the LRS and the one award decision: a course rule
only on that course's own completion, an activity rule on the activity and its attempts (the score setting the
level), learners by account or mbox, and exactly once across redelivery."""

from decimal import Decimal

import pytest

from competencies.models import Competency
from issuers.alignments import alignment_set
from issuers.models import Credential
from issuers.permissions import SYSTEM
from pipeline import services
from pipeline.intake import xapi
from pipeline.models import Award, InboundEvent
from pipeline.services.decision import award_decide, preload
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory
from tests.pipeline.factories import dumps, lrs_headers, moodle_statement

STATEMENTS = "/api/v1/xapi/statements"
SITE = "https://formation.ville-exemple.fr"
QUIZ, LESSON, SCORM = f"{SITE}/mod/quiz/view.php?id=3101", f"{SITE}/mod/lesson/view.php?id=3102", \
    f"{SITE}/mod/scorm/view.php?id=3103"
CAMILLE, KARIM = "camille.dupont@ville-exemple.fr", "karim.benali@ville-exemple.fr"
BATCH = ["user_enrolment_created", "course_viewed", "quiz_viewed", "quiz_attempt_submitted", "quiz_question_answered",
         "quiz_attempt_reviewed", "lesson_ended", "scorm_scoreraw_submitted", "module_completion_updated",
         "course_completed", "course_completed_mbox"]


@pytest.fixture
def city(moodle, no_queue):
    """Rules of the city's Moodle: course 102 (by id), a positioning quiz with score bands, a lesson with a
    minimum score, a SCORM package; course 101 (the conftest's rule) by id too. Moodle user 45 is Camille."""
    source, issuer = moodle.source, moodle.source.issuer
    framework = small_framework()
    positioning = AchievementFactory(issuer=issuer, slug="bureautique-tableur")
    alignment_set(achievement=positioning, competency=Competency.objects.filter(framework=framework).first(),
                  actor=SYSTEM)
    achievements = {slug: AchievementFactory(issuer=issuer, slug=slug)
                    for slug in ("cybersecurite-essentiels", "phishing", "mots-de-passe")}
    services.award_rule_create(source=source, course="102", achievement=achievements["cybersecurite-essentiels"])
    services.award_rule_create(
        source=source, course=QUIZ, achievement=positioning, min_score=Decimal(50), level_framework=framework,
        bands=[(Decimal(low), framework.levels.get(code=code)) for low, code in ((50, "N2"), (75, "N3"), (90, "N4"))])
    services.award_rule_create(source=source, course=LESSON, achievement=achievements["phishing"],
                               min_score=Decimal(80))
    services.award_rule_create(source=source, course=SCORM, achievement=achievements["mots-de-passe"])
    services.learner_map(source=source, lms_user_id="45", email=CAMILLE, name="Camille Dupont")
    return moodle


def send(client, new, names_or_statements):
    body = [moodle_statement(n) if isinstance(n, str) else n for n in names_or_statements]
    response = client.post(STATEMENTS, data=dumps(body), content_type="application/json", **lrs_headers(new))
    assert response.status_code == 200, response.content
    return response.json()


def process_all():
    services.events_process(event_ids=InboundEvent.objects.filter(status="received").values_list("pk", flat=True))


def by_statement(ids):
    events = {e.event_id: e for e in InboundEvent.objects.all()}
    return [events[i] for i in ids]


def awards():
    return sorted((a.recipient_email, a.achievement.slug, a.level.code if a.level else None)
                  for a in Award.objects.select_related("achievement", "level"))


def test_a_plugin_batch_earns_exactly_what_the_rules_say(client, city):
    ids = send(client, city, BATCH)
    verdicts = dict(zip(BATCH, [(e.status, e.reason) for e in by_statement(ids)], strict=True))
    # Stored at intake as ignored: verbs that award nothing, activities and courses no rule names.
    for name in ("user_enrolment_created", "course_viewed", "quiz_viewed", "quiz_question_answered",
                 "quiz_attempt_reviewed"):
        assert verdicts[name] == ("ignored", "unsupported_verb"), name
    assert verdicts["module_completion_updated"] == ("ignored", "unknown_course")  # a book of course 102
    process_all()
    assert awards() == sorted([
        (CAMILLE, "bureautique-tableur", "N3"),  # the attempt: 78 / 100
        (CAMILLE, "phishing", None),  # the lesson: 90 / 100 ≥ 80
        (CAMILLE, "mots-de-passe", None),  # the SCORM object
        (CAMILLE, "cybersecurite-essentiels", None),  # the course's own completion
        (KARIM, "accueil-usagers", None),  # course 101, learner by mbox
    ])
    processed = {name for name, event in zip(BATCH, by_statement(ids), strict=True) if event.status == "processed"}
    assert processed == {"quiz_attempt_submitted", "lesson_ended", "scorm_scoreraw_submitted", "course_completed",
                         "course_completed_mbox"}
    assert Credential.objects.count() == 5


def test_activities_inside_a_course_never_earn_the_course_rule(client, city):
    """Each carries course 102 among its context parents; only the course's completion earns its badge."""
    inside = ["quiz_attempt_submitted", "lesson_ended", "scorm_scoreraw_submitted", "module_completion_updated"]
    for name in inside:
        parents = [p["id"] for p in moodle_statement(name)["context"]["contextActivities"]["parent"]]
        assert f"{SITE}/course/view.php?id=102" in parents
    send(client, city, inside)
    process_all()
    assert "cybersecurite-essentiels" not in {slug for _, slug, _ in awards()}
    send(client, city, ["course_completed"])
    process_all()
    assert [a for a in awards() if a[1] == "cybersecurite-essentiels"] == [(CAMILLE, "cybersecurite-essentiels", None)]


def test_a_course_rule_may_name_the_course_by_its_iri(client, city):
    achievement = AchievementFactory(issuer=city.source.issuer, slug="accueil-avance")
    services.award_rule_create(source=city.source, course=f"{SITE}/course/view.php?id=102", achievement=achievement)
    send(client, city, ["quiz_attempt_submitted", "lesson_ended"])
    process_all()
    assert "accueil-avance" not in {slug for _, slug, _ in awards()}
    send(client, city, ["course_completed"])
    process_all()
    assert (CAMILLE, "accueil-avance", None) in awards()


def test_the_attempt_score_is_raw_within_min_and_max_not_the_plugins_shifted_scaled(city):
    statement = moodle_statement("quiz_attempt_submitted")
    assert statement["result"]["score"]["scaled"] == 0.56  # 2 * 0.78 - 1, as the plugin writes it
    [event] = xapi.parse(statement)
    assert event.score == Decimal("78.000") and event.course_keys[:2] == (statement["object"]["id"], QUIZ)
    assert xapi.score_percent({"scaled": Decimal("0.85")}) == Decimal("85.000")  # other clients' scaled alone
    assert xapi.score_percent({"raw": Decimal(17), "max": Decimal(20)}) == Decimal("85.000")


@pytest.mark.parametrize("raw,level", [(49, None), (50, "N2"), (89, "N3"), (92, "N4")])
def test_the_attempt_score_sets_the_level_through_the_bands(city, raw, level):
    statement = moodle_statement("quiz_attempt_submitted")
    statement["result"]["score"] |= {"raw": raw, "scaled": round(raw / 50 - 1, 2)}
    [item] = xapi.parse(statement)
    event = services.event_receive(source=city.source, item=item)[0]
    decision = award_decide(event, preload([event]))
    if level is None:
        assert (decision.status, decision.reason) == ("ignored", "below_min_score")
    else:
        [grant] = decision.grants
        assert grant.award.level.code == level and grant.award.achievement.slug == "bureautique-tableur"


def test_a_failed_attempt_and_a_lesson_below_its_minimum_earn_nothing(client, city):
    failed = moodle_statement("quiz_attempt_submitted")
    failed["result"] |= {"success": False}
    failed["object"]["id"] = failed["object"]["id"].replace("9001", "9002")
    low = moodle_statement("lesson_ended")
    low["result"]["score"] |= {"raw": 60, "scaled": 0.2}
    ids = send(client, city, [failed, low])
    process_all()
    assert [(e.status, e.reason) for e in by_statement(ids)] == [("ignored", "not_passed"),
                                                                  ("ignored", "below_min_score")]
    assert awards() == []


def test_an_unknown_moodle_user_waits_unmatched_then_earns_once_mapped(client, city):
    statement = moodle_statement("course_completed")
    statement["actor"]["account"]["name"] = "46"
    [statement_id] = send(client, city, [statement])
    process_all()
    assert InboundEvent.objects.get(event_id=statement_id).status == "unmatched"
    services.learner_map(source=city.source, lms_user_id="46", email="lea.martin@ville-exemple.fr")
    process_all()
    assert ("lea.martin@ville-exemple.fr", "cybersecurite-essentiels", None) in awards()


def test_redelivered_batches_award_exactly_once(client, city):
    first = send(client, city, BATCH)
    process_all()
    before = awards()
    assert send(client, city, BATCH) == first  # the plugin sends the whole batch again
    process_all()
    again = moodle_statement("quiz_attempt_submitted")
    again["object"]["id"] = again["object"]["id"].replace("9001", "9003")  # a new attempt, same level
    send(client, city, [again])
    process_all()
    assert awards() == before and Credential.objects.count() == len(before)
    assert InboundEvent.objects.count() == len(BATCH) + 1
