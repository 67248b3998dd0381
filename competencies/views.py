"""Public, resolvable pages of the référentiel: HTML for people, CASE JSON for machines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from badges_service.collation import collation_key, sorted_by
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
    query = (request.GET.get("q") or "").strip()[:100]
    needle = collation_key(query)[0]

    def matches(*texts: str) -> bool:
        return not needle or any(needle in collation_key(text or "")[0] for text in texts)

    families = []
    for family in sorted_by(framework.families.prefetch_related("jobs"), "label"):
        jobs = [job for job in sorted_by(family.jobs.all(), "title")
                if matches(job.title, job.code, family.label)]
        if jobs:
            families.append({"family": family, "jobs": jobs})
    competencies = [c for c in framework.competencies.select_related("replaced_by")
                    if matches(c.label, c.code, c.domain)]
    domains: dict[str, list] = {}
    for competency in sorted_by(competencies, "label"):
        domains.setdefault(competency.domain or "", []).append(competency)
    return render(request, "competencies/framework.html", {
        "framework": framework, "url": identifiers.framework_url(framework),
        "levels": framework.levels.all(), "query": query,
        "families": families, "job_count": sum(len(f["jobs"]) for f in families),
        "domains": [{"name": name, "slug": f"domaine-{index}", "competencies": items} for index, (name, items)
                    in enumerate(sorted(domains.items(), key=lambda pair: collation_key(pair[0])), start=1)],
        "competency_count": len(competencies),
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
