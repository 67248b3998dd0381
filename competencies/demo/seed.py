"""Demo référentiels (``seed_demo``): the city's synthetic framework and Pix's CRCN, imported through the
same service as any upload, once."""

from __future__ import annotations

from pathlib import Path

from competencies.interchange.files import read_path
from competencies.models import Framework
from competencies.services import framework_import

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
