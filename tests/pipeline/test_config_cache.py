"""What intake keeps in memory (pipeline/config_cache.py): changes made here apply at once, changes made by
another process within BADGES_PIPELINE_CONFIG_TTL seconds."""

import time

from pipeline import config_cache, services
from pipeline.models import AwardRule, InboundEvent, LmsSource
from tests.issuers.factories import AchievementFactory
from tests.pipeline.factories import dumps, fixture_json, signed_post

MOODLE = "/api/v1/events/moodle"


def _post(client, new, course="101", objectid=1):
    body = dumps(fixture_json("moodle/course_completed.json") | {"courseid": course, "objectid": objectid})
    return signed_post(client, MOODLE, body, new.secret)


def test_a_rule_added_in_this_process_applies_to_the_next_event(client, moodle, no_queue):
    assert _post(client, moodle, course="777").json()["status"] == "ignored"
    services.award_rule_create(source=moodle.source, course="777",
                               achievement=AchievementFactory(issuer=moodle.source.issuer, slug="nouveau"))
    assert _post(client, moodle, course="777", objectid=2).json()["status"] == "received"


def test_a_source_switched_off_in_this_process_is_refused_at_once(client, moodle, no_queue):
    assert _post(client, moodle).status_code == 202
    source = moodle.source
    source.active = False
    source.save(update_fields=["active"])
    assert _post(client, moodle, objectid=2).status_code == 401


def test_a_change_made_by_another_process_applies_once_the_cache_expires(client, moodle, no_queue, settings,
                                                                         monkeypatch):
    settings.BADGES_PIPELINE_CONFIG_TTL = 30
    assert _post(client, moodle).status_code == 202
    # Another process: rows change without this process's signals.
    LmsSource.objects.filter(pk=moodle.source.pk).update(active=False)
    AwardRule.objects.filter(source=moodle.source).update(active=False)
    assert _post(client, moodle, objectid=2).status_code == 202  # still cached
    later = time.monotonic() + 31
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: later)
    assert _post(client, moodle, objectid=3).status_code == 401
    assert InboundEvent.objects.count() == 2
