"""Profiles, job fit and skills search over HTTP. Who may see whom is decided in ``learners.policy``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes  # noqa: F401
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from badges_service.api_schema import errors
from badges_service.errors import NotFound
from competencies import identifiers, selectors
from competencies.models import Competency, Job, ProficiencyLevel
from issuers.identifiers import credential_url
from issuers.models import Credential
from learners.models import Learner

from . import external, profiles

_CompetencyRef = inline_serializer("CompetencyRef", {
    "code": serializers.CharField(), "label": serializers.CharField(), "url": serializers.URLField()})
_Level = inline_serializer("ProvenLevel", {
    "code": serializers.CharField(), "label": serializers.CharField(), "rank": serializers.IntegerField(),
    "proficient": serializers.BooleanField()})
_Profile = inline_serializer("CompetencyProfile", {"competencies": serializers.ListField(child=inline_serializer(
    "ProvenCompetency", {"competency": _CompetencyRef, "level": _Level,  # null in a framework without a scale
                         "evidence": serializers.ListField(child=serializers.URLField())}))})
# ``score``, ``met`` and ``partial`` count the city's proof and badges earned elsewhere; ``city_score`` the city's
# proof alone; ``met_elsewhere``/``partial_elsewhere``: requirements whose status comes from a badge from elsewhere.
_FitCounts = {"score": serializers.FloatField(), "city_score": serializers.FloatField(),
              "met": serializers.IntegerField(), "partial": serializers.IntegerField(),
              "missing": serializers.IntegerField(), "met_elsewhere": serializers.IntegerField(),
              "partial_elsewhere": serializers.IntegerField()}
_JobsRanked = inline_serializer("JobsRanked", {"framework": serializers.URLField(), "jobs": serializers.ListField(
    child=inline_serializer("JobRanked", {"code": serializers.CharField(), "title": serializers.CharField(),
                                          **_FitCounts}))})
_JobFit = inline_serializer("JobFit", {
    "job": inline_serializer("JobRef", {"code": serializers.CharField(), "title": serializers.CharField(),
                                        "url": serializers.URLField()}),
    **_FitCounts,
    "requirements": serializers.ListField(child=inline_serializer("JobRequirementFit", {
        "competency": inline_serializer("RequiredCompetency", {"code": serializers.CharField(),
                                                               "label": serializers.CharField()}),
        "required_level": serializers.CharField(), "essential": serializers.BooleanField(),
        "status": serializers.ChoiceField(choices=[profiles.MET, profiles.PARTIAL, profiles.MISSING]),
        "proven_rank": serializers.IntegerField(allow_null=True),
        "proof": serializers.ChoiceField(choices=[profiles.CITY, profiles.EXTERNAL], allow_null=True),
        "attested_rank": serializers.IntegerField(allow_null=True),
        "attested_by": serializers.ListField(child=serializers.CharField())}))})


def _learner_email(request: Request) -> str:
    learner = Learner.objects.filter(user=request.user).first()
    email = learner.email if learner else request.user.email
    if not email:
        raise NotFound("No learner profile is linked to this account.", code="no_learner")
    return email


def _profile_json(profile: profiles.Profile) -> list[dict]:
    competencies = Competency.objects.in_bulk(profile.keys())
    levels = ProficiencyLevel.objects.in_bulk({p.level_id for p in profile.values()})
    public_ids = dict(Credential.objects.filter(id__in={i for p in profile.values() for i in p.credential_ids})
                      .values_list("id", "public_id"))
    rows = []
    for competency_id, proven in profile.items():
        competency, level = competencies[competency_id], levels.get(proven.level_id)
        rows.append({
            "competency": {"code": competency.code, "label": competency.label,
                           "url": identifiers.competency_url(competency)},
            "level": {"code": level.code, "label": level.label, "rank": level.rank, "proficient": level.proficient}
            if level else None,  # a framework without a scale
            "evidence": [credential_url(public_ids[i]) for i in proven.credential_ids],
        })
    return sorted(rows, key=lambda r: r["competency"]["code"])


def _fit_counts(fit: profiles.JobFit) -> dict:
    return {"score": round(fit.score, 3), "city_score": round(fit.city_score, 3),
            "met": fit.count(profiles.MET), "partial": fit.count(profiles.PARTIAL),
            "missing": fit.count(profiles.MISSING), "met_elsewhere": fit.count(profiles.MET, proof=profiles.EXTERNAL),
            "partial_elsewhere": fit.count(profiles.PARTIAL, proof=profiles.EXTERNAL)}


def _fit_json(fit: profiles.JobFit, job: Job, attested: external.ExternalProfile) -> dict:
    competencies = Competency.objects.in_bulk(r.competency_id for r in fit.requirements)
    levels = ProficiencyLevel.objects.in_bulk(r.required_level_id for r in fit.requirements)
    return {
        "job": {"code": job.code, "title": job.title, "url": identifiers.job_url(job)},
        **_fit_counts(fit),
        "requirements": [{
            "competency": {"code": competencies[r.competency_id].code, "label": competencies[r.competency_id].label},
            "required_level": levels[r.required_level_id].code if r.required_level_id else None,
            "essential": r.essential, "status": r.status,
            "proven_rank": r.proven_rank, "proof": r.proof, "attested_rank": r.attested_rank,
            "attested_by": attested[r.competency_id].issuers if r.competency_id in attested else [],
        } for r in fit.requirements],
    }


class MyProfileApi(APIView):
    @extend_schema(operation_id="my_profile", responses={200: _Profile, **errors(401, 403, 404)})
    def get(self, request: Request) -> Response:
        return Response({"competencies": _profile_json(profiles.learner_profile(email=_learner_email(request)))})


class MyJobsApi(APIView):
    """Jobs of a framework ranked by fit for the signed-in learner (``?framework=<code>[&version=]``)."""

    @extend_schema(operation_id="my_jobs", parameters=[
        OpenApiParameter("framework", str, required=True, description="Framework code."),
        OpenApiParameter("version", str, description="Framework version (default: the latest)."),
    ], responses={200: _JobsRanked, **errors(401, 403, 404)})
    def get(self, request: Request) -> Response:
        framework = selectors.framework_get(code=request.query_params.get("framework", ""),
                                            version=request.query_params.get("version"))
        email = _learner_email(request)
        ranked = profiles.jobs_ranked(profile=profiles.learner_profile(email=email), framework=framework,
                                      attested=external.external_profile(email=email))
        jobs = Job.objects.in_bulk(f.job_id for f in ranked)
        return Response({"framework": identifiers.framework_url(framework), "jobs": [
            {"code": jobs[f.job_id].code, "title": jobs[f.job_id].title, **_fit_counts(f)} for f in ranked]})


class MyJobFitApi(APIView):
    @extend_schema(operation_id="my_job_fit", responses={200: _JobFit, **errors(401, 403, 404)})
    def get(self, request: Request, code: str, version: str, job_code: str) -> Response:
        framework = selectors.framework_get(code=code, version=version)
        job = selectors.job_get(framework=framework, code=job_code)
        email = _learner_email(request)
        attested = external.external_profile(email=email)
        fit = profiles.job_fit(profile=profiles.learner_profile(email=email), job=job, attested=attested)
        return Response(_fit_json(fit, job, attested))


class AgentSearchApi(APIView):
    """Agents holding a competency at a minimum level, among those the caller may see."""

    @extend_schema_serializer(component_name="AgentSearchQuery")
    class InputSerializer(serializers.Serializer):
        framework = serializers.CharField()
        version = serializers.CharField(required=False)
        competency = serializers.CharField()
        min_level = serializers.CharField()

    @extend_schema(operation_id="agents_search", parameters=[InputSerializer], responses={
        200: inline_serializer("AgentsFound", {"competency": serializers.URLField(), "agents": serializers.ListField(
            child=inline_serializer("AgentFound", {
                "email": serializers.EmailField(), "name": serializers.CharField(),
                "direction": serializers.SlugField(allow_null=True), "level": serializers.CharField()}))}),
        **errors(400, 401, 403, 404)})
    def get(self, request: Request) -> Response:
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        framework = selectors.framework_get(code=data["framework"], version=data.get("version"))
        competency = selectors.competency_get(framework=framework, code=data["competency"])
        level = ProficiencyLevel.objects.filter(framework=framework, code=data["min_level"]).first()
        if level is None:
            raise NotFound(f"No level {data['min_level']!r} in {framework.code}.", code="unknown_level")
        found = profiles.agents_with_competency(user=request.user, competency=competency, min_level=level)
        ranks = {lv.rank: lv for lv in framework.levels.all()}
        return Response({"competency": identifiers.competency_url(competency), "agents": [
            {"email": learner.email, "name": learner.display_name,
             "direction": learner.direction.slug if learner.direction else None,
             "level": ranks[proven.rank].code} for learner, proven in found]})


