"""Rows -> Open Badges 3.0 documents (through the pure builders of ``badges_service.openbadges.ob3``)."""

from __future__ import annotations

from badges_service.openbadges import contexts, ob3
from competencies import documents as competency_documents
from competencies import selectors as competency_selectors

from . import identifiers
from .models import Achievement, Issuer


def issuer_profile(issuer: Issuer, *, issuer_id: str) -> ob3.IssuerProfile:
    return ob3.IssuerProfile(
        id=issuer_id, name=issuer.name, url=issuer.url or identifiers.issuer_profile_url(issuer),
        email=issuer.email or None, description=issuer.description or None,
        image=ob3.Image(identifiers.public_url(f"/issuers/{issuer.slug}/image")),
    )


def achievement_definition(achievement: Achievement, *,
                           creator: ob3.IssuerProfile | None) -> ob3.AchievementDefinition:
    """The OB 3.0 Achievement, with its competency alignments and the proficiency scales they use.

    Credentials embed it without ``creator``: the issuer is already embedded, and a second copy of the
    same Profile node would let fields be removed from one copy without changing the signed graph.
    """
    url = identifiers.achievement_url(achievement)
    alignments = competency_selectors.alignments_of(achievement_id=achievement.pk)
    return ob3.AchievementDefinition(
        id=url, name=achievement.name, description=achievement.description,
        criteria_narrative=achievement.criteria_narrative or None, criteria_url=achievement.criteria_url or None,
        achievement_type=achievement.achievement_type, tags=tuple(achievement.tags),
        version=achievement.version or None, language=achievement.language or None,
        image=ob3.Image(identifiers.public_url(f"/achievements/{achievement.slug}/image"),
                        achievement.image_caption or achievement.name),
        creator=creator,
        alignments=(*competency_documents.ob3_alignments(alignments),
                    *competency_documents.ob3_job_alignments(
                        competency_selectors.job_alignments_of(achievement_id=achievement.pk))),
        result_descriptions=tuple(competency_documents.ob3_result_descriptions(url, alignments)),
    )


def issuer_document(issuer: Issuer) -> dict:
    """The issuer's public OB 3.0 Profile, as served at its profile URL."""
    profile = issuer_profile(issuer, issuer_id=identifiers.issuer_did_web(issuer))
    return {"@context": [contexts.VC_V2, contexts.OB_V3], **profile.as_json()}


def achievement_document(achievement: Achievement) -> dict:
    """The achievement's public OB 3.0 Achievement, as served at its URL."""
    creator = issuer_profile(achievement.issuer, issuer_id=identifiers.issuer_did_web(achievement.issuer))
    definition = achievement_definition(achievement, creator=creator)
    return {"@context": [contexts.VC_V2, contexts.OB_V3], **definition.as_json()}
