"""CASE at city scale: the référentiel of bench/referentiel.py (300 jobs, 2,000 competencies, 6,000 requirements)
as a CASE package, imported, then served by the CASE 1.0 REST binding.

Peers measured in the same run:
* import: the same framework as the CSV bundle, through the same service (parse + validate + write): the CASE
  reader's cost is the difference;
* serving: ``json.dumps`` of the package already built; the binding serves a package cached as JSON text (built
  from rows once per import), and one item by reading that package back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badges .venv/bin/python bench/case_frameworks.py

A throwaway database (``test_<name>``) is created and dropped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from referentiel import DIRECTIONS, connection, on_throwaway_database, synthetic_bundle, timed


def main() -> None:
    from django.test import Client

    from competencies.documents import case_package
    from competencies.interchange.case import read_case, write_case
    from competencies.interchange.csv_bundle import read_bundle, write_bundle
    from competencies.services import framework_import
    from issuers.models import Issuer

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    for i in range(DIRECTIONS):
        Issuer.objects.create(slug=f"dir-{i}", name=f"Direction {i}")
    bundle = synthetic_bundle()
    files = {k: v.encode() for k, v in write_bundle(bundle).items()}
    bundle.info.code = "bench-case"
    package = json.dumps(write_case(bundle, base_url="https://x.test/frameworks/bench-case/1",
                                    changed="2026-01-01T00:00:00Z")).encode()
    items = len(json.loads(package)["CFItems"])
    associations = len(json.loads(package)["CFAssociations"])

    csv_s, _ = timed(lambda: framework_import(bundle=read_bundle(files)))
    case_s, framework = timed(lambda: framework_import(bundle=read_case(package)))
    print(f"import of {items} CFItems and {associations} CFAssociations ({len(package) // 1024} KiB): CASE "
          f"{case_s:.2f} s; the same framework as CSV {csv_s:.2f} s; CASE/CSV {case_s / csv_s:.2f}")

    client = Client()
    built = case_package(framework, case_version="1.0")
    document = built["CFDocument"]["identifier"]
    dumps_s, _ = timed(lambda: json.dumps(built, ensure_ascii=False), repeats=5)
    served_s, response = timed(lambda: client.get(f"/ims/case/v1p0/CFPackages/{document}"), repeats=5)
    assert response.status_code == 200
    print(f"GET /CFPackages/<id> ({len(response.content) // 1024} KiB): {served_s * 1000:.0f} ms (median of 5); "
          f"json.dumps of the built package {dumps_s * 1000:.0f} ms; served/dumps {served_s / dumps_s:.1f}")
    item = built["CFItems"][len(built["CFItems"]) // 2]["identifier"]
    item_s, response = timed(lambda: client.get(f"/ims/case/v1p0/CFItems/{item}"), repeats=5)
    assert response.status_code == 200
    print(f"GET /CFItems/<id>: {item_s * 1000:.0f} ms (median of 5; the cached package is parsed for each item); "
          f"item/package {item_s / served_s:.2f}")


if __name__ == "__main__":
    on_throwaway_database(main)
