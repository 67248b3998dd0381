"""The rows the benchmarks start from, made through the services as in production: the city and its HR
direction, the achievement the pipeline benchmarks award, and one public credential (with its status-list
entry) for the public-page and verification-API benchmarks. Call after ``django.setup()``."""

from __future__ import annotations


def city_and_hr():
    """The city (the root issuer) and its HR direction."""
    from issuers import services

    ville = services.issuer_create(slug="ville", name="Ville de Paris-Exemple", kind="city",
                                   url="https://www.ville-exemple.fr", email="badges@ville-exemple.fr")
    drh = services.issuer_create(slug="drh", name="Direction des ressources humaines", parent=ville,
                                 email="formation.drh@ville-exemple.fr")
    return ville, drh


def cybersecurity(issuer):
    """The achievement the pipeline benchmarks award, of ``issuer``."""
    from issuers import services
    from issuers.permissions import SYSTEM

    return services.achievement_create(
        issuer=issuer, slug="cybersecurite-essentiels", name="Cybersécurité : les essentiels",
        description="Reconnaître un hameçonnage, protéger ses mots de passe et les données des usagers.",
        criteria_narrative="Avoir terminé le module en ligne « Cybersécurité : les essentiels ».", tags=["numérique"],
        actor=SYSTEM)


def public_credential():
    from issuers import services
    from issuers.permissions import SYSTEM

    _ville, drh = city_and_hr()
    achievement = services.achievement_create(
        issuer=drh, slug="accueil-1", name="Accueil des usager·es, niveau 1",
        description="Accueillir, informer et orienter le public avec l'aide d'outils « simples ».",
        criteria_narrative="Suivre le module de formation et réussir l'évaluation finale.",
        tags=["accueil", "relation usager"], actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                           recipient_name="Camille Dupont", actor=SYSTEM)
    return services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM), drh
