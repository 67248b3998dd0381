"""LinkedIn's add-to-profile link carries every certification field, filled from the credential."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from issuers import services
from issuers.permissions import SYSTEM
from passport.selectors import linkedin_add_url


def _fields(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    return {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}


def test_the_link_names_the_certification_its_issuer_dates_and_page(credential):
    fields = _fields(linkedin_add_url(credential=credential))
    issued = credential.issued_at.astimezone(ZoneInfo("Europe/Paris"))
    assert fields == {
        "startTask": "CERTIFICATION_NAME", "name": "Accueil des usagers",
        "organizationName": "Direction des ressources humaines",
        "issueYear": str(issued.year), "issueMonth": str(issued.month),
        "certUrl": f"https://badges.example.test/credentials/{credential.public_id}",
        "certId": str(credential.public_id),
    }


def test_an_expiring_credential_gives_its_expiry(credential, learner):
    issued = datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))  # already 1 January in Paris
    expiring = services.credential_issue(achievement=credential.achievement, recipient_email=learner.email,
                                         now=issued, valid_until=issued.replace(year=2028), actor=SYSTEM)
    fields = _fields(linkedin_add_url(credential=expiring))
    assert (fields["issueYear"], fields["issueMonth"]) == ("2026", "1")
    assert (fields["expirationYear"], fields["expirationMonth"]) == ("2029", "1")


def test_a_configured_linkedin_organization_is_named_by_id(settings, credential):
    settings.BADGES_LINKEDIN_ORGANIZATION_ID = "1337"
    fields = _fields(linkedin_add_url(credential=credential))
    assert fields["organizationId"] == "1337"
    assert "organizationName" not in fields
