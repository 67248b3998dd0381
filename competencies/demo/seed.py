"""Demo référentiels (``seed_demo``): the city's synthetic framework and Pix's CRCN, imported through the
same service as any upload, once."""

from __future__ import annotations

from pathlib import Path

from competencies.interchange.files import read_path
from competencies.models import Framework
from competencies.services import framework_import
from issuers.permissions import SYSTEM

DEMO = Path(__file__).parent
BUNDLES = ("ville", "pix")


def seed_frameworks() -> int:
    created = 0
    for name in BUNDLES:
        bundle = read_path(DEMO / name)
        if Framework.objects.filter(code=bundle.info.code, version=bundle.info.version).exists():
            continue
        framework_import(bundle=bundle)
        created += 1
    return created


def seed_alignments() -> int:
    """Align the demo achievements to competencies (idempotent: alignment_set updates in place)."""
    import json

    from competencies.models import Competency, Job, ProficiencyLevel
    from issuers.alignments import alignment_set, job_alignment_set
    from issuers.models import Achievement

    data = json.loads((DEMO / "alignments.json").read_text(encoding="utf-8"))
    for row in data["jobs"]:
        framework = Framework.objects.filter(code=row["framework"]).order_by("-created_at").first()
        job_alignment_set(achievement=Achievement.objects.get(slug=row["achievement"]),
                          job=Job.objects.get(framework=framework, code=row["job"]), actor=SYSTEM)
    rows = data["competencies"]
    for row in rows:
        framework = Framework.objects.filter(code=row["framework"]).order_by("-created_at").first()
        alignment_set(
            achievement=Achievement.objects.get(slug=row["achievement"]),
            competency=Competency.objects.get(framework=framework, code=row["competency"]),
            level=ProficiencyLevel.objects.get(framework=framework, code=row["level"]) if row["level"] else None,
                      actor=SYSTEM)
    return len(rows) + len(data["jobs"])
