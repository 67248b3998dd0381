"""A badge earned elsewhere, aligned to an item of a CASE framework imported here, attests that competency when
its alignment names the item as its publisher does: the publisher's URI or the package's own identifier."""

from __future__ import annotations

from datetime import UTC, datetime

from competencies.interchange.case import read_case
from competencies.models import Competency
from competencies.services import framework_import
from learners import services
from learners.models import ForeignBadge
from skills import external
from tests.competencies.case_packages import package
from tests.issuers.factories import UserFactory


def _badge(user, *alignments) -> ForeignBadge:
    facts = services.ForeignBadgeFacts(credential_id=f"https://moodle.example/a/{ForeignBadge.objects.count()}",
                                       format="ob2-hosted", name="Badge", issuer_name="Académie",
                                       alignments=list(alignments))
    return services.foreign_badge_create(user=user, source="url", original=facts.credential_id, document="{}",
                                         facts=facts, report={"status": "valid", "valid": True},
                                         verified_at=datetime.now(UTC))


def test_the_publishers_uri_or_identifier_of_an_imported_item_matches(db):
    source = package("case_network_statements.json")
    framework_import(bundle=read_case(source))
    by_uri, by_code = source["CFItems"][1], source["CFItems"][3]  # a code, and an item whose code is its identifier
    user = UserFactory(email="alex@ville-exemple.fr")
    _badge(user, {"targetName": "Projet", "targetUrl": by_uri["uri"], "targetType": "CFItem"},
           {"targetName": "Réunion", "targetCode": by_code["identifier"].upper()},
           {"targetName": "Ailleurs", "targetUrl": "https://casenetwork.example.org/ims/case/v1p0/CFItems/other"})
    attested = external.external_profile(email=user.email)
    found = {Competency.objects.get(pk=pk).case_identifier for pk in attested}
    assert found == {by_uri["identifier"], by_code["identifier"]}
