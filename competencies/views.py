"""Public, resolvable pages of the référentiel: HTML for people, CASE JSON for machines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from badges_service.negotiation import json_response, public_view, wants_json

from . import documents, identifiers, selectors


@require_GET
@public_view
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "competencies/framework_list.html", {"frameworks": selectors.framework_list()})


@require_GET
@public_view
@vary_on_headers("Accept")
def framework_detail(request: HttpRequest, code: str, version: str | None = None) -> HttpResponse:
    framework = selectors.framework_get(code=code, version=version)
    if wants_json(request) or request.GET.get("format") == "case":
        return json_response(request, documents.case_package(framework))
    return render(request, "competencies/framework.html", {
        "framework": framework, "url": identifiers.framework_url(framework),
        "levels": framework.levels.all(),
        "families": framework.families.prefetch_related("jobs").order_by("label"),
        "competencies": framework.competencies.select_related("replaced_by").order_by("domain", "label"),
    })


@require_GET
@public_view
@vary_on_headers("Accept")
def job_detail(request: HttpRequest, code: str, version: str, job_code: str) -> HttpResponse:
    framework = selectors.framework_get(code=code, version=version)
    job = selectors.job_get(framework=framework, code=job_code)
    if wants_json(request):
        return json_response(request, documents.case_item(job))
    return render(request, "competencies/job.html", {"framework": framework, "job": job,
                                                      "url": identifiers.job_url(job)})


@require_GET
@public_view
@vary_on_headers("Accept")
def competency_detail(request: HttpRequest, code: str, version: str, competency_code: str) -> HttpResponse:
    framework = selectors.framework_get(code=code, version=version)
    competency = selectors.competency_get(framework=framework, code=competency_code)
    if wants_json(request):
        return json_response(request, documents.case_item(competency))
    jobs = competency.requirements.select_related("job", "level").order_by("job__title")
    return render(request, "competencies/competency.html", {
        "framework": framework, "competency": competency, "requirements": jobs,
        "url": identifiers.competency_url(competency)})


@require_GET
@public_view
def levels(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = selectors.framework_get(code=code, version=version)
    return render(request, "competencies/levels.html", {"framework": framework, "levels": framework.levels.all()})
