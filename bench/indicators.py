"""Indicators at a million credentials: the dashboard's figures under 200 ms (issue 6), PostgreSQL.

Loads 1,000,000 credentials (small documents, COPY) and 300,000 usages spread over three years, 30 issuers
(a city, 8 directions, 21 services), 300 achievements aligned to 200 competencies, with 2 % revoked,
0.5 % suspended, a third of the achievements valid one to three years. Runs the rollup
(``indicators.rollup.rollup_refresh``, timed: the first run counts everything), then adds 2,000 credentials
and 500 usages above the watermark (the live tail, as between two beat runs), and measures
``indicators.selectors.indicators_get`` (every query the dashboard makes: rollup, tail, revocations, expiry,
usages, names, competencies) for three views, median and p95 of repeated runs.

Peer measured in the same run: the same figures by plain GROUP BY queries over the credentials and usages
tables (what the dashboard would do without a rollup). The script checks both give the same numbers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges_bench_indicators .venv/bin/python bench/indicators.py \
        [--credentials 1000000] [--repeats 15] [--keep]

A throwaway database (``test_<name>``) is created and dropped (``--keep`` keeps it, and reuses it when it
already holds the data).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badges_service.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from issuers.permissions import SYSTEM  # noqa: E402

UTC = datetime.UTC
START = datetime.datetime(2023, 6, 1, tzinfo=UTC)
DAYS = 3 * 365
NOW = START + datetime.timedelta(days=DAYS)  # "today" for the measurements: the end of the loaded period


def setup_referential(rng):
    from competencies.models import AchievementAlignment, Competency, Framework
    from issuers import services

    city = services.issuer_create(slug="ville", name="Ville", kind="city")
    directions = [services.issuer_create(slug=f"dir-{i}", name=f"Direction {i}", parent=city) for i in range(8)]
    services_ = [services.issuer_create(slug=f"svc-{i}", name=f"Service {i}", parent=directions[i % 8])
                 for i in range(21)]
    issuers = [city, *directions, *services_]
    framework = Framework.objects.create(code="bench", version="1", title="Référentiel de charge")
    competencies = Competency.objects.bulk_create(
        [Competency(framework=framework, code=f"CMP-{i:03}", label=f"Compétence {i}", kind="savoir-faire")
         for i in range(200)])
    achievements = []
    for i in range(300):
        achievement = services.achievement_create(issuer=issuers[i % len(issuers)], slug=f"badge-{i}",
                                                  name=f"Badge {i}", description="d", criteria_narrative="c",
                                                  actor=SYSTEM)
        achievements.append(achievement)
        for competency in rng.sample(competencies, rng.randint(1, 3)):
            AchievementAlignment.objects.create(achievement=achievement, competency=competency)
    return issuers, achievements


def copy_credentials(rng, achievements, n, *, first_day=0, days=DAYS):
    """COPY ``n`` credentials, issued uniformly over ``days`` days from ``START + first_day``; achievements
    follow a Zipf-like popularity."""
    from issuers.models import SigningKey

    keys = {k.issuer_id: k.id for k in SigningKey.objects.filter(algorithm="Ed25519", status="active")}
    weights = [1 / (i + 1) ** 0.8 for i in range(len(achievements))]
    chosen = rng.choices(achievements, weights=weights, k=n)
    # As ``Achievement.validity_days`` does: a third of the achievements expire after one, two or three years.
    validity = {a.id: (365, 730, 1095)[a.id // 3 % 3] if a.id % 3 == 0 else None for a in achievements}
    columns = ["public_id", "achievement_id", "issuer_id", "signing_key_id", "recipient_email", "recipient_name",
               "document", "issued_at", "valid_from", "valid_until", "revoked_at", "revocation_reason",
               "suspended_at", "suspension_reason"]
    from issuers.models import Credential

    names = {f.column for f in Credential._meta.concrete_fields}
    extra = {c: v for c, v in [("is_public", False)] if c in names}  # columns other work may have added
    columns += list(extra)
    with connection.cursor() as cursor, cursor.copy(
            f"COPY issuers_credential ({', '.join(columns)}) FROM STDIN") as copy:
        # Ids grow with time, as they do when credentials are issued one after the other.
        instants = sorted(START + datetime.timedelta(days=first_day, seconds=rng.randrange(days * 86400))
                          for _ in range(n))
        for achievement, issued in zip(chosen, instants, strict=True):
            days_valid = validity[achievement.id]
            valid_until = issued + datetime.timedelta(days=days_valid) if days_valid else None
            r = rng.random()
            revoked = issued + datetime.timedelta(days=3) if r < .02 else None
            suspended = issued + datetime.timedelta(days=5) if .02 <= r < .025 else None
            copy.write_row([uuid.UUID(int=rng.getrandbits(128), version=4), achievement.id, achievement.issuer_id,
                            keys[achievement.issuer_id], f"agent{rng.randrange(200_000)}@ville-exemple.fr", "",
                            "{}", issued, issued, valid_until, revoked, "", suspended, "", *extra.values()])


def copy_usages(rng, n, *, first_day=0, days=DAYS):
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM issuers_credential")
        lo, hi = cursor.fetchone()
        kinds = [("verification", "page"), ("verification", "api"), ("share", "link"), ("share", "linkedin"),
                 ("download", "png"), ("download", "pdf")]
        with cursor.copy("COPY indicators_credentialusage (credential_id, kind, channel, at) FROM STDIN") as copy:
            for at in sorted(START + datetime.timedelta(days=first_day, seconds=rng.randrange(days * 86400))
                             for _ in range(n)):
                kind, channel = rng.choice(kinds)
                copy.write_row([rng.randint(lo, hi), kind, channel, at])


def peer(scope, start, end, now):
    """The same figures by GROUP BY over the source tables, as a dashboard without rollups would."""
    from django.db.models import Count, Q, Sum
    from django.db.models.functions import TruncWeek

    from indicators.models import CredentialUsage
    from indicators.selectors import _local_midnight, local_zone
    from issuers.models import Credential

    lo, hi = _local_midnight(start), _local_midnight(end + datetime.timedelta(days=1))
    qs = Credential.objects.filter(issued_at__gte=lo, issued_at__lt=hi).order_by()
    usages = CredentialUsage.objects.filter(at__gte=lo, at__lt=hi).order_by()
    if scope.issuer_ids is not None:
        qs = qs.filter(issuer_id__in=scope.issuer_ids)
        usages = usages.filter(credential__issuer_id__in=scope.issuer_ids)
    weeks = {r["w"].date(): r["n"] for r in qs.annotate(w=TruncWeek("issued_at", tzinfo=local_zone()))
             .values("w").annotate(n=Count("id"))}
    held = Q(revoked_at__isnull=True, suspended_at__isnull=True) & (Q(valid_until__isnull=True) |
                                                                    Q(valid_until__gt=now))
    per_achievement = {r["achievement_id"]: (r["n"], r["revoked"], r["held"]) for r in qs.values("achievement_id")
                       .annotate(n=Count("id"), revoked=Count("id", filter=Q(revoked_at__isnull=False)),
                                 held=Count("id", filter=held))}
    used = defaultdict(int)
    for r in usages.values("kind", "channel").annotate(n=Sum("count")):
        used[(r["kind"], r["channel"])] += r["n"]
    return weeks, per_achievement, dict(used)


def timed(fn, repeats):
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], result


def main(args) -> None:
    from indicators import rollup, selectors
    from issuers.models import Achievement, Credential, Issuer

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    if connection.vendor != "postgresql":
        sys.exit("The target is for PostgreSQL: set DATABASE_URL.")
    rng = random.Random(42)
    if Credential.objects.count() < args.credentials:
        t0 = time.perf_counter()
        issuers, achievements = setup_referential(rng)
        copy_credentials(rng, achievements, args.credentials)
        copy_usages(rng, args.credentials * 3 // 10)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"loaded {args.credentials:,} credentials and {args.credentials * 3 // 10:,} usages "
              f"in {time.perf_counter() - t0:.1f} s (COPY)")
        t0 = time.perf_counter()
        counted = rollup.rollup_refresh()
        print(f"rollup, first run (counts everything): {time.perf_counter() - t0:.1f} s, {counted}")
        # The last minute: rows above the watermark, read live by the selectors.
        copy_credentials(rng, list(Achievement.objects.all()), 2000, first_day=DAYS - 1, days=1)
        copy_usages(rng, 500, first_day=DAYS - 1, days=1)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    total = Credential.objects.count()
    marks = rollup.watermarks()
    tail = Credential.objects.filter(id__gt=marks["credentials"]).count()
    from indicators.models import IssuanceBucket, UsageBucket

    print(f"credentials: {total:,} ({tail:,} in the live tail); rollup rows: {IssuanceBucket.objects.count():,} "
          f"issuance, {UsageBucket.objects.count():,} usage (days, weeks and months)")

    today = (NOW - datetime.timedelta(hours=1)).astimezone(selectors.local_zone()).date()
    now = NOW - datetime.timedelta(hours=1)
    direction = Issuer.objects.get(slug="dir-3")
    views = [
        ("platform admin, 52 weeks", selectors.Scope(None), today - datetime.timedelta(weeks=52), today),
        ("platform admin, 3 years", selectors.Scope(None), today - datetime.timedelta(days=DAYS), today),
        ("one direction and its services, 52 weeks",
         selectors.Scope(frozenset(selectors._with_descendants({direction.id}, selectors._tree()))),
         today - datetime.timedelta(weeks=52), today),
    ]
    worst = 0.0
    for label, scope, start, end in views:
        ours_med, ours_p95, ours = timed(lambda s=scope, a=start, b=end: selectors.indicators_get(
            scope=s, start=a, end=b, now=now), args.repeats)
        peer_med, peer_p95, theirs = timed(lambda s=scope, a=start, b=end: peer(s, a, b, now),
                                           max(3, args.repeats // 3))
        _check_same(ours, theirs)
        worst = max(worst, ours_p95)
        print(f"{label}: ours median {ours_med * 1000:.1f} ms, p95 {ours_p95 * 1000:.1f} ms "
              f"({ours.totals['issued']:,} credentials, {len(ours.achievements)} achievements, "
              f"{len(ours.competencies)} competencies); GROUP BY peer median {peer_med * 1000:.0f} ms, "
              f"p95 {peer_p95 * 1000:.0f} ms; peer/ours {peer_med / ours_med:.1f}")
    t0 = time.perf_counter()
    again = rollup.rollup_refresh()
    print(f"rollup, the next beat run ({tail:,} new credentials): {(time.perf_counter() - t0) * 1000:.0f} ms, "
          f"{again}")
    print(f"target: the dashboard's queries under 200 ms (p95 of every view): "
          f"{'met' if worst < 0.2 else 'NOT met'} ({worst * 1000:.1f} ms)")


def _check_same(ours, theirs) -> None:
    weeks, per_achievement, used = theirs
    ours_weeks = {m: n for m, n in ours.weeks if n}
    assert ours_weeks == {m: n for m, n in weeks.items() if n}, "weekly counts differ"
    from issuers.models import Achievement

    slugs = dict(Achievement.objects.values_list("id", "slug"))
    assert {r.slug: (r.issued, r.revoked, r.held) for r in ours.achievements if r.issued} == {
        slugs[a]: v for a, v in per_achievement.items()}, "per-achievement counts differ"
    assert {(u.kind, u.channel): u.count for u in ours.usages} == used, "usage counts differ"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--credentials", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    arguments = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=not arguments.keep, serialize=False,
                                                   keepdb=arguments.keep)
    try:
        main(arguments)
    finally:
        if not arguments.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
