"""One issuer, one achievement and one public credential (with its status-list entry) in a benchmark's
database, as ``credential_issue`` makes them: what the public-page and verification-API benchmarks serve."""

from __future__ import annotations


def public_credential():
    from issuers import services
    from issuers.permissions import SYSTEM

    ville = services.issuer_create(slug="ville", name="Ville de Paris-Exemple", kind="city",
                                   url="https://www.ville-exemple.fr", email="badges@ville-exemple.fr")
    drh = services.issuer_create(slug="drh", name="Direction des ressources humaines", parent=ville,
                                 email="formation.drh@ville-exemple.fr")
    achievement = services.achievement_create(
        issuer=drh, slug="accueil-1", name="Accueil des usager·es, niveau 1",
        description="Accueillir, informer et orienter le public avec l'aide d'outils « simples ».",
        criteria_narrative="Suivre le module de formation et réussir l'évaluation finale.",
        tags=["accueil", "relation usager"], actor=SYSTEM)
    credential = services.credential_issue(achievement=achievement, recipient_email="camille.dupont@ville-exemple.fr",
                                           recipient_name="Camille Dupont", actor=SYSTEM)
    return services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM), drh
