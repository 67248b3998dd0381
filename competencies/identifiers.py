"""Stable public URLs of frameworks and their items: the alignment targets inside credentials."""

from __future__ import annotations

from urllib.parse import quote

from badges_service.public_urls import public_url

from .models import Competency, Framework, Job, ProficiencyLevel

CASE_API = "/ims/case/v1p0"  # the CASE 1.0 REST binding's base path


def case_api_url(path: str) -> str:
    return public_url(f"{CASE_API}/{path}")


def framework_url(framework: Framework) -> str:
    return public_url(f"/frameworks/{quote(framework.code)}/{quote(framework.version)}")


def job_url(job: Job) -> str:
    return f"{framework_url(job.framework)}/jobs/{quote(job.code)}"


def competency_url(competency: Competency) -> str:
    return f"{framework_url(competency.framework)}/competencies/{quote(competency.code)}"


def level_url(level: ProficiencyLevel) -> str:
    return f"{framework_url(level.framework)}/levels#{quote(level.code)}"
