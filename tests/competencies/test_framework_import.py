"""framework_import: atomic, complete, and a lossless round trip through the database."""

import pytest

from badges_service.errors import Conflict
from competencies import selectors
from competencies.documents import case_package
from competencies.interchange.bundle import BundleInvalid
from competencies.interchange.case import read_case
from competencies.interchange.csv_bundle import COLUMNS, read_bundle, write_bundle
from competencies.models import Competency, Framework, Job, JobRequirement
from competencies.services import framework_import
from issuers.permissions import SYSTEM
from tests.competencies.factories import SMALL, small_framework


def test_import_creates_every_item(db):
    framework = small_framework()
    assert framework.levels.count() == 4 and framework.families.count() == 2
    assert framework.jobs.count() == 2 and framework.competencies.count() == 6
    assert JobRequirement.objects.filter(job__framework=framework).count() == 5
    job = Job.objects.get(code="MET-ACC-01")
    assert sorted(d.slug for d in job.directions.all()) == ["drh", "dsin"]
    old = Competency.objects.get(code="CMP-REL-03")
    assert old.status == "obsolete" and old.replaced_by.code == "CMP-REL-01"
    assert Competency.objects.get(code="CMP-REL-02").parent.code == "CMP-REL-01"


def test_round_trip_through_the_database_loses_nothing(db):
    framework = small_framework()
    exported = selectors.framework_bundle(framework=framework)
    original = read_bundle({n: (SMALL / n).read_bytes() for n in COLUMNS})
    assert exported.as_comparable() == original.as_comparable()

    again = read_bundle({k: v.encode() for k, v in write_bundle(exported).items()})
    again.info.version = "1.1"
    second = framework_import(bundle=again)
    exported_again = selectors.framework_bundle(framework=second)
    exported_again.info.version = "1.0"
    assert exported_again.as_comparable() == original.as_comparable()


def test_case_export_reimports_to_the_same_framework(db):
    framework = small_framework()
    bundle = read_case(case_package(framework))
    assert bundle.as_comparable() == selectors.framework_bundle(framework=framework).as_comparable()


def test_a_bundle_with_errors_changes_nothing(db):
    from tests.issuers.factories import IssuerFactory

    IssuerFactory(slug="drh")
    bundle = read_bundle({n: (SMALL / n).read_bytes() for n in COLUMNS})  # "dsin" direction does not exist
    with pytest.raises(BundleInvalid) as exc:
        framework_import(bundle=bundle)
    assert any("unknown direction 'dsin'" in str(p) for p in exc.value.problems)
    assert not Framework.objects.exists() and not Competency.objects.exists()


def test_importing_an_existing_version_is_refused_unless_replacing(db):
    framework = small_framework()
    bundle = selectors.framework_bundle(framework=framework)
    with pytest.raises(Conflict):
        framework_import(bundle=bundle)
    bundle.competencies = [c for c in bundle.competencies if c.code != "CMP-ETR-02"]
    bundle.requirements = [r for r in bundle.requirements if r.competency != "CMP-ETR-02"]
    bundle.levels[0].label = "Bases"
    replaced = framework_import(bundle=bundle, replace=True)
    assert replaced.pk == framework.pk
    assert not Competency.objects.filter(code="CMP-ETR-02").exists()
    assert replaced.levels.get(rank=1).label == "Bases"


def test_replacing_cannot_remove_a_competency_a_badge_is_aligned_to(db):
    from badges_service.errors import ApplicationError
    from issuers.alignments import alignment_set
    from tests.issuers.factories import AchievementFactory

    framework = small_framework()
    alignment_set(achievement=AchievementFactory(), competency=Competency.objects.get(code="CMP-ETR-02"), actor=SYSTEM)
    bundle = selectors.framework_bundle(framework=framework)
    bundle.competencies = [c for c in bundle.competencies if c.code != "CMP-ETR-02"]
    bundle.requirements = [r for r in bundle.requirements if r.competency != "CMP-ETR-02"]
    with pytest.raises(ApplicationError) as exc:
        framework_import(bundle=bundle, replace=True)
    assert exc.value.code == "item_in_use"
    assert Competency.objects.filter(code="CMP-ETR-02").exists()
