"""Référentiel at city scale: import 300 jobs / 2,000 competencies / 6,000 requirements, then rank all
300 jobs by fit for one learner. Targets (issue 3): import under 10 s, job fit under 100 ms, PostgreSQL.

Peers measured in the same run:
* import: the same rows inserted by plain ``executemany`` INSERTs through the same connection (a lower
  bound for any ORM-based import: no validation, no upserts);
* job fit: a straightforward implementation asking the database for each job's requirements in turn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges .venv/bin/python bench/referentiel.py

A throwaway database (``test_<name>``) is created and dropped.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from issuers.permissions import SYSTEM  # noqa: E402

JOBS, COMPETENCIES, REQUIREMENTS, DIRECTIONS = 300, 2000, 6000, 22


def synthetic_bundle():
    from competencies.interchange.bundle import (
        CompetencyRow,
        FamilyRow,
        FrameworkBundle,
        FrameworkInfo,
        JobRow,
        LevelRow,
        RequirementRow,
    )

    rng = random.Random(42)
    kinds = ["savoir", "savoir-faire", "savoir-etre"]
    levels = [LevelRow(0, i, f"N{i}", label, i > 1) for i, label in
              enumerate(["Notions", "Pratique", "Maîtrise", "Expertise"], start=1)]
    families = [FamilyRow(0, f"FAM-{i:02}", f"Famille {i}") for i in range(20)]
    competencies = [CompetencyRow(0, f"CMP-{i:04}", f"Compétence n°{i}, « test »", kinds[i % 3], f"Domaine {i % 12}",
                                  parent=f"CMP-{i // 10:04}" if i >= 10 and i % 7 == 0 else "")
                    for i in range(COMPETENCIES)]
    jobs = [JobRow(0, f"MET-{i:03}", f"Métier n°{i}", families[i % 20].code, "ABC"[i % 3],
                   [f"dir-{i % DIRECTIONS}"], [f"K{1000 + i}"]) for i in range(JOBS)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < REQUIREMENTS:
        pairs.add((rng.randrange(JOBS), rng.randrange(COMPETENCIES)))
    requirements = [RequirementRow(0, jobs[j].code, competencies[c].code, f"N{rng.randint(1, 4)}", rng.random() < 0.7)
                    for j, c in sorted(pairs)]
    return FrameworkBundle(FrameworkInfo(0, "bench", "1", "Référentiel de charge"), levels, families, jobs,
                           competencies, requirements)


def timed(fn, repeats: int = 1):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peer_insert(bundle) -> None:
    """Plain INSERTs of the same rows (families, competencies, jobs, requirements) into a scratch schema."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS p_c (code text, label text, kind text, domain text)")
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS p_j (code text, title text, family text, category text)")
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS p_r (job text, competency text, level text, essential bool)")
        cursor.executemany("INSERT INTO p_c VALUES (%s, %s, %s, %s)",
                           [(c.code, c.label, c.kind, c.domain) for c in bundle.competencies])
        cursor.executemany("INSERT INTO p_j VALUES (%s, %s, %s, %s)",
                           [(j.code, j.title, j.family, j.category) for j in bundle.jobs])
        cursor.executemany("INSERT INTO p_r VALUES (%s, %s, %s, %s)",
                           [(r.job, r.competency, r.level, r.essential) for r in bundle.requirements])


def main() -> None:
    from competencies.interchange.csv_bundle import read_bundle, write_bundle
    from competencies.models import AchievementAlignment, Competency, Job, ProficiencyLevel
    from competencies.services import framework_import
    from issuers import services
    from issuers.models import Issuer
    from skills import profiles

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    if connection.vendor != "postgresql":
        print("warning: the targets are for PostgreSQL; set DATABASE_URL")
    for i in range(DIRECTIONS):
        Issuer.objects.create(slug=f"dir-{i}", name=f"Direction {i}")
    files = {k: v.encode() for k, v in write_bundle(synthetic_bundle()).items()}
    bundle = read_bundle(files)

    peer_s, _ = timed(lambda: peer_insert(bundle))
    ours_s, framework = timed(lambda: framework_import(bundle=read_bundle(files)))
    print(f"import: {JOBS} jobs, {COMPETENCIES} competencies, {REQUIREMENTS} requirements (CSV parse + validate "
          f"+ write): {ours_s:.2f} s; plain INSERT peer {peer_s:.2f} s; ours/peer {ours_s / peer_s:.1f}")

    # One learner with 60 valid credentials proving random competencies at random levels.
    rng = random.Random(7)
    issuer = services.issuer_create(slug="bench-issuer", name="Émetteur")
    competencies = list(Competency.objects.filter(framework=framework))
    levels = list(ProficiencyLevel.objects.filter(framework=framework))
    for i in range(60):
        achievement = services.achievement_create(issuer=issuer, slug=f"b-{i}", name=f"Badge {i}", description="d",
                                                  criteria_narrative="c", actor=SYSTEM)
        AchievementAlignment.objects.create(achievement=achievement, competency=rng.choice(competencies),
                                            level=rng.choice(levels))
        services.credential_issue(achievement=achievement, recipient_email="agent@ville.fr", actor=SYSTEM)

    def ours():
        return profiles.jobs_ranked(profile=profiles.learner_profile(email="agent@ville.fr"), framework=framework)

    def peer():
        profile = profiles.learner_profile(email="agent@ville.fr")
        return [profiles.job_fit(profile=profile, job=job) for job in Job.objects.filter(framework=framework)]

    ours_fit, ranked = timed(ours, repeats=9)
    peer_fit, fits = timed(peer, repeats=3)
    assert sorted(round(f.score, 9) for f in ranked) == sorted(round(f.score, 9) for f in fits)
    print(f"job fit: profile from 60 credentials + {JOBS} jobs ranked: {ours_fit * 1000:.1f} ms (median of 9); "
          f"per-job queries peer {peer_fit * 1000:.1f} ms; peer/ours {peer_fit / ours_fit:.1f}")
    print(f"targets: import < 10 s: {'met' if ours_s < 10 else 'NOT met'}; "
          f"job fit < 100 ms: {'met' if ours_fit < 0.1 else 'NOT met'}")


def on_throwaway_database(main) -> None:
    """Run ``main`` on ``test_<name>``, created for it (over a leftover one) and dropped after."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    on_throwaway_database(main)
