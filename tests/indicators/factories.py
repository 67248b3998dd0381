"""Data for the indicators tests: issuers in a tree, credentials issued at chosen instants."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from competencies.models import AchievementAlignment, Competency, Framework
from issuers import services
from issuers.models import Credential
from issuers.permissions import SYSTEM
from tests.issuers.factories import AchievementFactory, IssuerFactory

PARIS = ZoneInfo("Europe/Paris")


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0, tz=PARIS) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


def issue(achievement, when: datetime.datetime, *, valid_until: datetime.datetime | None = None,
          email: str = "agent@ville-exemple.fr") -> Credential:
    return services.credential_issue(achievement=achievement, recipient_email=email, now=when,
                                     valid_until=valid_until, actor=SYSTEM)


class City:
    """The city, two directions (DRH with a service below it, DSIN) and one achievement at each."""

    def __init__(self):
        self.city = IssuerFactory(slug="ville", name="Ville", kind="city")
        self.drh = IssuerFactory(slug="drh", name="Direction des ressources humaines", parent=self.city)
        self.formation = IssuerFactory(slug="drh-formation", name="Service formation", parent=self.drh)
        self.dsin = IssuerFactory(slug="dsin", name="Direction du numérique", parent=self.city)
        self.accueil = AchievementFactory(issuer=self.drh, slug="accueil", name="Accueil des usagers")
        self.tutorat = AchievementFactory(issuer=self.formation, slug="tutorat", name="Tutorat")
        self.cyber = AchievementFactory(issuer=self.dsin, slug="cyber", name="Cybersécurité")


def competencies_for(city: City) -> dict[str, Competency]:
    framework = Framework.objects.create(code="ville", version="1", title="Référentiel de la Ville")
    found = {code: Competency.objects.create(framework=framework, code=code, label=label, kind="savoir-faire")
             for code, label in [("ACC-01", "Accueillir le public"), ("SEC-01", "Protéger ses accès"),
                                 ("TRA-01", "Travailler en équipe")]}
    AchievementAlignment.objects.create(achievement=city.accueil, competency=found["ACC-01"])
    AchievementAlignment.objects.create(achievement=city.accueil, competency=found["TRA-01"])
    AchievementAlignment.objects.create(achievement=city.tutorat, competency=found["TRA-01"])
    AchievementAlignment.objects.create(achievement=city.cyber, competency=found["SEC-01"])
    return found
