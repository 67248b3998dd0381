# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these messages.
"""The managers' team view (``/equipe/``): the agents of their direction(s), their competencies and their
gaps against their métier, and a skills search. Reads only; the boundaries live in ``skills.profiles``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from learners import policy
from skills import external, profiles

from . import selectors
from .forms import SkillSearchForm

TEAM_PAGE_SIZE = 25
FORBIDDEN = {  # templates/forbidden.html
    "section": _lazy("Espace manager"),
    "title": _lazy("Accès réservé aux managers"),
    "reason": _lazy("La vue d’équipe montre les compétences des agents d’une direction : elle est réservée aux "
                    "managers de cette direction."),
    "advice": _lazy("Votre compte n’est rattaché à aucune direction en tant que manager. Si vous encadrez une "
                    "équipe, demandez à l’administration de la plateforme de vous donner ce rôle."),
}


@require_GET
@login_required
def team(request: HttpRequest) -> HttpResponse:
    roles = policy.request_roles(request)
    if not policy.can_see_team(roles):
        return render(request, "forbidden.html", FORBIDDEN, status=403)

    competency_groups, level_groups = selectors.searchable_competencies(), selectors.scale_levels()
    # "Filtrer la liste" narrows the competency list (without JavaScript); it is not a search yet.
    query = (request.GET.get("filtre") or "").strip()[:100]
    shown_groups = selectors.searchable_competencies(query=query) if query else competency_groups
    searched = ("competence" in request.GET or "niveau" in request.GET) and "filtrer" not in request.GET
    form = SkillSearchForm(request.GET if searched else None, competency_groups=competency_groups,
                           level_groups=level_groups)
    found = elsewhere = None
    if searched and form.is_valid():
        competency, level = form.cleaned_data["competency"], form.cleaned_data["level"]
        pairs = profiles.agents_with_competency(user=request.user, competency=competency, min_level=level)
        levels = {lv.rank: lv for lv in competency.framework.levels.all()}
        found = [{"learner": learner, "level": levels[proven.rank],
                  "in_team": bool(learner.direction_id) and policy.can_manage_direction(roles, learner.direction_id)}
                 for learner, proven in pairs]
        proven_ids = {learner.id for learner, _ in pairs}
        elsewhere = [{"learner": learner, "issuers": attested.issuers} for learner, attested in
                     external.agents_attested_elsewhere(user=request.user, competency=competency)
                     if learner.id not in proven_ids]

    page = Paginator(selectors.team_learners(roles=roles), TEAM_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "managers/team.html", {
        "directions": selectors.managed_directions(roles=roles),
        "all_directions": policy.sees_every_direction(roles),
        "form": form, "searched": searched, "found": found, "elsewhere": elsewhere,
        "competency_groups": shown_groups, "level_groups": level_groups, "filtre": query,
        "page": page, "members": selectors.team_members(learners=list(page.object_list)),
    })
