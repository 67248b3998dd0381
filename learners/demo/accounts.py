"""Demo sign-in accounts (``seed_demo``): the demo agents, a manager of the DRH and the project team, so that
the learner space, the team view and the indicators can be tried after ``make run``.

Each account is made once, with a random password that ``seed_demo`` prints once; nothing is written in the
code. Development data only: production has no ``seed_demo``.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model

from issuers.models import Issuer
from issuers.permissions import SYSTEM
from learners import services
from learners.models import Learner

# (username, email, first name, last name, role)
ACCOUNTS = [
    ("camille.martin", "camille.martin@ville-exemple.fr", "Camille", "Martin", "agent"),
    ("karim.benali", "karim.benali@ville-exemple.fr", "Karim", "Benali", "agent"),
    ("manager.drh", "manager.drh@ville-exemple.fr", "Sophie", "Laurent", "manager:drh"),
    ("equipe.projet", "equipe.projet@ville-exemple.fr", "Équipe", "Projet", "platform-admin"),
]


def seed_accounts() -> list[tuple[str, str, str]]:
    """Make the missing demo accounts; returns (username, password, role) of those made."""
    User = get_user_model()
    made = []
    for username, email, first, last, role in ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(12)
        admin = role == "platform-admin"
        user = User.objects.create_user(username, email=email, password=password, first_name=first, last_name=last,
                                        is_staff=admin, is_superuser=admin)
        if role == "agent" and Learner.objects.filter(email=email).exists():
            services.learner_link(user=user, email=email, actor=SYSTEM)
        if role.startswith("manager:"):
            services.manager_scope_add(user=user, direction=Issuer.objects.get(slug=role.split(":", 1)[1]),
                                       actor=SYSTEM)
        made.append((username, password, role))
    return made
