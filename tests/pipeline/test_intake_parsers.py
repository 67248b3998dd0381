"""Parsers turn the real-world bodies in tests/fixtures into normalised events, or field errors."""

import json
from decimal import Decimal

import pytest

from pipeline.intake import BodyInvalid, Unsupported, csv_backfill, moodle, xapi
from tests.pipeline.factories import FIXTURES, fixture_json


def test_a_moodle_course_completion_gives_the_completion_row_as_event_id_and_the_related_user():
    event = moodle.parse(fixture_json("moodle/course_completed.json"))
    assert event.event_id == "course_completed:8812"
    assert event.course_keys == ("101",) and event.lms_user_id == "45" and event.outcome == "completed"
    assert event.occurred_at.timestamp() == 1767954600
    assert "token" not in event.payload


def test_moodle_before_2_7_kept_the_related_user_in_other():
    event = moodle.parse(fixture_json("moodle/course_completed_legacy_other.json"))
    assert event.lms_user_id == "46" and event.event_id == "course_completed:8813"


def test_other_moodle_events_are_well_formed_but_unsupported():
    assert moodle.parse(fixture_json("moodle/course_viewed.json")) == Unsupported(
        "unsupported_event", "\\core\\event\\course_viewed")


def test_a_moodle_completion_without_user_or_time_has_field_errors():
    with pytest.raises(BodyInvalid) as caught:
        moodle.parse(fixture_json("moodle/course_completed_without_user.json"))
    assert "timecreated" in caught.value.errors
    body = fixture_json("moodle/course_completed_without_user.json") | {"timecreated": 1767954600}
    with pytest.raises(BodyInvalid) as caught:
        moodle.parse(body)
    assert "relateduserid" in caught.value.errors


MOODLE_FIXTURES = ["course_completed.json", "course_completed_legacy_other.json", "course_completed_without_user.json",
                   "course_viewed.json"]
# Values that a Moodle body's fields may hold and that DRF reads differently from their face value: absent, null,
# blank, spaces, numeric strings, floats, booleans, bounds, overlong strings, NUL and surrogates, JSON containers.
FIELD_VALUES = [..., None, "", "  ", " 12 ", "12", "12.0", 12, 12.0, True, False, 0, -1, 2**40 + 1, 2**53 + 1,
                "x" * 300, "a\x00b", "\ud800", "é", "\\core\\event\\course_completed", {"relateduserid": "47"}, [1],
                "course"]


def _serializer_only(body: dict) -> dict | None:
    serializer = moodle._MoodleEvent(data=body)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def _parse_outcome(body: dict):
    try:
        return moodle.parse(body)
    except BodyInvalid as exc:
        return exc.errors


@pytest.mark.parametrize("name", MOODLE_FIXTURES)
def test_the_fast_moodle_validation_gives_what_the_serializer_gives(name, monkeypatch):
    """``moodle.fast_validated`` either declines (None) or gives, field for field, DRF's validated data; and
    ``parse`` answers the same (event, unsupported, or the same field errors) with it as with DRF alone."""
    base = fixture_json(f"moodle/{name}")
    fields = list(moodle._MoodleEvent._declared_fields)
    bodies = [base] + [({k: v for k, v in base.items() if k != field} if value is ... else base | {field: value})
                       for field in fields for value in FIELD_VALUES]
    taken = 0
    for body in bodies:
        fast = moodle.fast_validated(json.loads(json.dumps(body)))
        if fast is not None:
            taken += 1
            assert fast == _serializer_only(json.loads(json.dumps(body))), body
    assert taken > len(fields) if name != "course_completed_without_user.json" else taken == 0
    with_fast = [_parse_outcome(json.loads(json.dumps(b))) for b in bodies]
    monkeypatch.setattr(moodle, "fast_validated", lambda body: None)
    assert with_fast == [_parse_outcome(json.loads(json.dumps(b))) for b in bodies]


@pytest.mark.parametrize("name", ["completed_adl.json", "completed_tincan.json"])
def test_adl_and_tin_can_completed_verbs_are_completions_keyed_by_the_moodle_course(name):
    [event] = xapi.parse(fixture_json(f"xapi/{name}"))
    assert event.outcome == "completed" and event.email == "camille.dupont@ville-exemple.fr"
    assert event.course_keys == ("https://formation.ville-exemple.fr/course/view.php?id=101", "101")


def test_passed_reads_the_scaled_score_as_percent_and_the_account_as_lms_user():
    [event] = xapi.parse(fixture_json("xapi/passed_with_score.json"))
    assert (event.outcome, event.score, event.success, event.lms_user_id) == ("passed", Decimal("85.000"), True, "45")
    assert event.course_name == "Cybersécurité : quiz final"
    assert event.course_keys == ("https://formation.ville-exemple.fr/mod/quiz/view.php?id=2207",)  # not the parent


def test_a_raw_score_is_scaled_by_min_and_max():
    [event] = xapi.parse(fixture_json("xapi/scored_positioning.json"))
    assert event.outcome == "scored" and event.score == Decimal("85.000")


def test_failed_is_never_a_success():
    [event] = xapi.parse(fixture_json("xapi/failed.json"))
    assert event.outcome == "failed" and event.success is False


def test_other_verbs_are_unsupported():
    [item] = xapi.parse(fixture_json("xapi/experienced.json"))
    assert isinstance(item, Unsupported) and item.reason == "unsupported_verb"


def test_a_statement_without_id_gets_the_same_id_each_time_it_is_sent():
    statement = fixture_json("xapi/completed_adl.json")
    del statement["id"]
    assert xapi.parse(statement)[0].event_id == xapi.parse(dict(statement))[0].event_id
    statement["timestamp"] = "2026-01-10T10:30:00+01:00"
    assert xapi.parse(statement)[0].event_id != xapi.parse(fixture_json("xapi/completed_adl.json"))[0].event_id


def test_an_invalid_statement_reports_each_field():
    with pytest.raises(BodyInvalid) as caught:
        xapi.parse(fixture_json("xapi/invalid_two_identifiers.json"))
    assert "actor" in caught.value.errors and "result" in caught.value.errors


def test_in_a_list_errors_are_keyed_by_position_and_duplicate_ids_are_refused():
    good = fixture_json("xapi/completed_adl.json")
    with pytest.raises(BodyInvalid) as caught:
        xapi.parse([good, fixture_json("xapi/invalid_two_identifiers.json")])
    assert list(caught.value.errors) == ["1"]
    with pytest.raises(BodyInvalid):
        xapi.parse([good, good])


def test_the_completions_csv_reports_each_bad_row_and_keeps_the_good_ones():
    rows = csv_backfill.parse("completions", (FIXTURES / "csv/completions.csv").read_text())
    assert [bool(r.events) for r in rows] == [True, True, True, False, False]
    assert "email" in rows[3].errors and "completed_at" in rows[4].errors
    assert rows[1].events[0].score == Decimal("92.000") and rows[1].events[0].success is True
    assert rows[0].events[0].event_id == "completion:101:45:2026-01-09"


def test_a_pix_export_gives_one_event_per_competence_level_and_one_for_the_total():
    rows = csv_backfill.parse("pix", (FIXTURES / "csv/pix_certification_results.csv").read_text(encoding="utf-8"))
    camille, jean, amina = rows
    by_course = {e.course_keys[0]: e for e in camille.events}
    assert by_course["pix"].score == 412 and by_course["pix"].event_id == "pix:431200"
    assert by_course["pix:1.1"].level_code == "4" and "pix:3.4" not in by_course  # "-": not tested
    assert len(camille.events) == 1 + 15
    assert jean.skipped and not jean.events  # a rejected certification awards nothing
    assert "email" in amina.errors  # no external id: nobody to award


def test_positioning_scores_are_scaled_to_percent_and_levels_may_be_stated():
    rows = csv_backfill.parse("positioning", (FIXTURES / "csv/positioning.csv").read_text())
    assert rows[0].events[0].score == Decimal("85.000")
    assert rows[0].events[0].course_keys == ("positionnement:bureautique",)
    assert rows[2].events[0].level_code == "N3" and rows[2].events[0].score is None
    assert "score" in rows[3].errors  # 47 out of 40


def test_a_csv_without_the_needed_columns_is_refused_whole():
    with pytest.raises(csv_backfill.FileInvalid):
        csv_backfill.parse("pix", "email,score\na@b.fr,3\n")
