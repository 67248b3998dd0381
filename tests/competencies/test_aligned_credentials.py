"""Badges aligned to competencies: OB 3.0 alignment, result descriptions and achieved levels."""

import json

import pytest

from badges_service.errors import ApplicationError
from competencies import identifiers
from competencies.models import Competency, ProficiencyLevel
from issuers import services
from issuers.alignments import alignment_set
from issuers.permissions import SYSTEM
from tests.competencies.factories import small_framework
from tests.interop.node import node_available
from verification.services import credential_verify


@pytest.fixture
def aligned(achievement):
    framework = small_framework()
    competency = Competency.objects.get(code="CMP-REL-01")
    level = ProficiencyLevel.objects.get(framework=framework, code="N2")
    alignment_set(achievement=achievement, competency=competency, level=level, actor=SYSTEM)
    return achievement, framework, competency


def _subject(credential):
    return json.loads(credential.document)["credentialSubject"]


def test_an_aligned_badge_carries_cfitem_and_esco_alignments(aligned):
    achievement, _, competency = aligned
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    alignments = _subject(credential)["achievement"]["alignment"]
    cfitem = next(a for a in alignments if a["targetType"] == "CFItem")
    assert cfitem == {"type": ["Alignment"], "targetName": "Accueillir le public",
                      "targetUrl": identifiers.competency_url(competency), "targetType": "CFItem",
                      "targetCode": "CMP-REL-01", "targetFramework": 'Référentiel d\'essai, "petit"'}
    esco = next(a for a in alignments if a["targetType"] == "ext:ESCOSkill")
    assert esco["targetUrl"] == competency.esco_uri
    assert credential_verify(document=json.loads(credential.document)).valid


def test_the_achievement_lists_the_scale_as_rubric_criterion_levels(aligned):
    achievement, framework, _ = aligned
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    (description,) = _subject(credential)["achievement"]["resultDescription"]
    assert description["resultType"] == "RubricCriterionLevel"
    assert [lv["name"] for lv in description["rubricCriterionLevel"]] == ["Notions", "Pratique", "Maîtrise",
                                                                          "Expertise"]
    assert description["requiredLevel"] == identifiers.level_url(framework.levels.get(code="N2"))


def test_the_credential_result_names_the_achieved_level(aligned):
    achievement, framework, _ = aligned
    level = framework.levels.get(code="N3")
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", level=level,
                                           actor=SYSTEM)
    subject = _subject(credential)
    (result,) = subject["result"]
    assert result["achievedLevel"] == identifiers.level_url(level)
    assert result["resultDescription"] == subject["achievement"]["resultDescription"][0]["id"]
    assert credential.achieved_level == level
    assert credential_verify(document=json.loads(credential.document)).valid


def test_a_level_from_an_unrelated_scale_is_refused(aligned):
    achievement, _, _ = aligned
    other = small_framework(code="autre", version="9")
    with pytest.raises(ApplicationError) as exc:
        services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr",
                                  level=other.levels.first(), actor=SYSTEM)
    assert exc.value.code == "level_not_aligned"


@pytest.mark.interop
@pytest.mark.skipif(not node_available() and not __import__("os").environ.get("CI"),
                    reason="Node interop libraries not installed (make interop)")
def test_aligned_credentials_with_results_verify_in_digital_bazaar(aligned):
    from tests.interop.documents import verifier_documents
    from tests.interop.node import dbz_verify

    achievement, framework, _ = aligned
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr",
                                           level=framework.levels.get(code="N4"), actor=SYSTEM)
    (result,) = dbz_verify([json.loads(credential.document)], verifier_documents(achievement.issuer))
    assert result["verified"], result


def test_a_badge_aligned_to_a_job_points_to_the_job_and_its_rome_codes(achievement):
    from competencies.models import Job
    from issuers.alignments import job_alignment_set

    small_framework()
    job = Job.objects.get(code="MET-ACC-01")
    job_alignment_set(achievement=achievement, job=job, actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email="a@ville-exemple.fr", actor=SYSTEM)
    alignments = _subject(credential)["achievement"]["alignment"]
    assert {"targetType": "CFItem", "targetCode": "MET-ACC-01", "targetUrl": identifiers.job_url(job)}.items() <= \
        next(a for a in alignments if a.get("targetCode") == "MET-ACC-01").items()
    rome = [a for a in alignments if a["targetType"] == "ext:ROME"]
    assert [a["targetCode"] for a in rome] == ["K1602", "M1601"]
    assert all(a["targetUrl"].endswith("/" + a["targetCode"]) for a in rome)
    assert credential_verify(document=json.loads(credential.document)).valid
