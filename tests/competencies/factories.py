"""Frameworks for tests: the small sample bundle imported through the service."""

from pathlib import Path

from competencies.interchange.csv_bundle import COLUMNS, read_bundle
from competencies.services import framework_import
from tests.issuers.factories import IssuerFactory

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks" / "small"


def small_framework(**info):
    """Import tests/fixtures/frameworks/small (directions drh and dsin are created if missing)."""
    from issuers.models import Issuer

    for slug in ("drh", "dsin"):
        if not Issuer.objects.filter(slug=slug).exists():
            IssuerFactory(slug=slug)
    bundle = read_bundle({name: (SMALL / name).read_bytes() for name in COLUMNS})
    for name, value in info.items():
        setattr(bundle.info, name, value)
    return framework_import(bundle=bundle)
