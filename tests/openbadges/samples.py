"""A representative OB 3.0 credential built with the pure builders (no database)."""

from datetime import UTC, datetime

from badges_service.openbadges import ob3


def sample_credential(**overrides) -> dict:
    issuer = ob3.IssuerProfile(id="did:web:badges.example.test:issuers:drh",
                               name="Direction des ressources humaines", url="https://www.ville-exemple.fr/drh",
                               email="drh@ville-exemple.fr", image=ob3.Image("https://badges.example.test/i.svg"))
    achievement = ob3.AchievementDefinition(
        id="https://badges.example.test/achievements/accueil", name="Accueil des usager·es « difficiles »",
        description="Accueillir, informer et orienter le public, y compris l'après-midi.",
        criteria_narrative="Suivre le module et réussir l'évaluation.", tags=("accueil", "relation usager"),
        image=ob3.Image("https://badges.example.test/achievements/accueil/image", "Accueil"), creator=issuer)
    values = dict(credential_id="https://badges.example.test/credentials/0b8e", issuer=issuer,
                  achievement=achievement, identity=ob3.email_identity("camille@ville-exemple.fr", "sel"),
                  valid_from=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
                  evidence=[ob3.Evidence(name="Module Accueil", narrative="Suivi le 2 janvier, note 17/20")])
    values.update(overrides)
    return ob3.open_badge_credential(**values)
