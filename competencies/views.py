"""Public, resolvable pages of the référentiel: HTML for people, CASE JSON for machines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from badges_service.errors import NotFound
from verification.negotiation import json_response, not_found, wants_json

from . import documents, identifiers, selectors


@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "competencies/framework_list.html", {"frameworks": selectors.framework_list()})


@require_GET
@vary_on_headers("Accept")
def framework_detail(request: HttpRequest, code: str, version: str | None = None) -> HttpResponse:
    try:
        framework = selectors.framework_get(code=code, version=version)
    except NotFound as exc:
        return not_found(request, exc)
    if wants_json(request) or request.GET.get("format") == "case":
        return json_response(request, documents.case_package(framework))
    return render(request, "competencies/framework.html", {
        "framework": framework, "url": identifiers.framework_url(framework),
        "levels": framework.levels.all(),
        "families": framework.families.prefetch_related("jobs").order_by("label"),
        "competencies": framework.competencies.select_related("replaced_by").order_by("domain", "label"),
    })


@require_GET
@vary_on_headers("Accept")
def job_detail(request: HttpRequest, code: str, version: str, job_code: str) -> HttpResponse:
    try:
        framework = selectors.framework_get(code=code, version=version)
        job = selectors.job_get(framework=framework, code=job_code)
    except NotFound as exc:
        return not_found(request, exc)
    if wants_json(request):
        return json_response(request, documents.case_item(job))
    return render(request, "competencies/job.html", {"framework": framework, "job": job,
                                                      "url": identifiers.job_url(job)})


@require_GET
@vary_on_headers("Accept")
def competency_detail(request: HttpRequest, code: str, version: str, competency_code: str) -> HttpResponse:
    try:
        framework = selectors.framework_get(code=code, version=version)
        competency = selectors.competency_get(framework=framework, code=competency_code)
    except NotFound as exc:
        return not_found(request, exc)
    if wants_json(request):
        return json_response(request, documents.case_item(competency))
    jobs = competency.requirements.select_related("job", "level").order_by("job__title")
    return render(request, "competencies/competency.html", {
        "framework": framework, "competency": competency, "requirements": jobs,
        "url": identifiers.competency_url(competency)})


@require_GET
def levels(request: HttpRequest, code: str, version: str) -> HttpResponse:
    try:
        framework = selectors.framework_get(code=code, version=version)
    except NotFound as exc:
        return not_found(request, exc)
    return render(request, "competencies/levels.html", {"framework": framework, "levels": framework.levels.all()})
