"""Two directions of agents with badges, their managers and the other roles, made through the services."""

from __future__ import annotations

from dataclasses import dataclass

from competencies.models import Competency, Framework, Job, ProficiencyLevel
from issuers import services
from issuers.alignments import alignment_set
from issuers.models import Issuer, IssuerMembership
from issuers.permissions import SYSTEM
from learners.models import Learner, ManagerScope
from tests.competencies.factories import small_framework
from tests.issuers.factories import AchievementFactory, UserFactory


@dataclass
class Team:
    framework: Framework
    drh: Issuer
    dsin: Issuer
    mine: Learner  # drh, accueil job: holds CMP-REL-01 at N3, CMP-ETR-01 at N1 (partial), lacks CMP-NUM-01
    other: Learner  # dsin, profile not visible: holds CMP-REL-01 at N3
    public: Learner  # dsin, profile visible: holds CMP-REL-01 at N3
    manager_drh: object
    manager_dsin: object

    def level(self, code: str) -> ProficiencyLevel:
        return ProficiencyLevel.objects.get(framework=self.framework, code=code)

    def competency(self, code: str) -> Competency:
        return Competency.objects.get(framework=self.framework, code=code)


def badge(framework: Framework, competency_code: str, level_code: str):
    achievement = AchievementFactory()
    alignment_set(achievement=achievement, competency=Competency.objects.get(framework=framework, code=competency_code),
                  level=ProficiencyLevel.objects.get(framework=framework, code=level_code), actor=SYSTEM)
    return achievement


def two_directions() -> Team:
    framework = small_framework()
    drh, dsin = Issuer.objects.get(slug="drh"), Issuer.objects.get(slug="dsin")
    accueil = Job.objects.get(framework=framework, code="MET-ACC-01")
    mine = Learner.objects.create(email="camille.martin@ville-exemple.fr", display_name="Camille Martin",
                                  direction=drh, job=accueil)
    other = Learner.objects.create(email="karim.benali@ville-exemple.fr", display_name="Karim Benali",
                                   direction=dsin, job=Job.objects.get(framework=framework, code="MET-NUM-01"))
    public = Learner.objects.create(email="lea.nguyen@ville-exemple.fr", display_name="Léa Nguyen",
                                    direction=dsin, profile_visible=True)
    accueil_n3 = badge(framework, "CMP-REL-01", "N3")
    for learner in (mine, other, public):
        services.credential_issue(achievement=accueil_n3, recipient_email=learner.email,
                                  recipient_name=learner.display_name, actor=SYSTEM)
    services.credential_issue(achievement=badge(framework, "CMP-ETR-01", "N1"), recipient_email=mine.email,
                              actor=SYSTEM)
    manager_drh, manager_dsin = UserFactory(username="manager-drh"), UserFactory(username="manager-dsin")
    ManagerScope.objects.create(user=manager_drh, direction=drh)
    ManagerScope.objects.create(user=manager_dsin, direction=dsin)
    return Team(framework, drh, dsin, mine, other, public, manager_drh, manager_dsin)


def issuer_staff(issuer: Issuer, role: str = IssuerMembership.Role.ADMIN):
    user = UserFactory()
    services.membership_set(issuer=issuer, user=user, role=role, actor=SYSTEM)
    return user
