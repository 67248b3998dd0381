"""factory_boy factories that go through the services (so keys are created and encrypted as in production)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from issuers import services
from issuers.models import Achievement, Credential, Issuer
from issuers.permissions import SYSTEM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@ville-exemple.fr")
    password = factory.django.Password("motdepasse-solide-42")


class IssuerFactory(factory.Factory):
    class Meta:
        model = Issuer

    slug = factory.Sequence(lambda n: f"direction-{n}")
    name = factory.Sequence(lambda n: f"Direction numéro {n}")
    url = "https://www.ville-exemple.fr/direction"
    email = "direction@ville-exemple.fr"
    description = "Une direction de la Ville."

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.issuer_create(**kwargs)


class AchievementFactory(factory.Factory):
    class Meta:
        model = Achievement

    issuer = factory.SubFactory(IssuerFactory)
    slug = factory.Sequence(lambda n: f"badge-{n}")
    name = factory.Sequence(lambda n: f"Accueil des usager·es, niveau {n}")
    description = "Accueillir, informer et orienter le public avec l'aide d'outils « simples »."
    criteria_narrative = "Suivre le module de formation et réussir l'évaluation finale."
    achievement_type = "Badge"
    tags = factory.LazyFunction(lambda: ["accueil"])

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.achievement_create(**kwargs, actor=SYSTEM)


class CredentialFactory(factory.Factory):
    class Meta:
        model = Credential

    achievement = factory.SubFactory(AchievementFactory)
    recipient_email = factory.Sequence(lambda n: f"agent.{n}@ville-exemple.fr")
    recipient_name = "Camille Dupont"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.credential_issue(**kwargs, actor=SYSTEM)


class PublicCredentialFactory(CredentialFactory):
    """A credential its learner made public (through the service), for tests of the public pages."""

    @classmethod
    def _create(cls, model_class, **kwargs):
        credential = services.credential_issue(**kwargs, actor=SYSTEM)
        return services.credential_visibility_set(credential=credential, public=True, actor=SYSTEM)
