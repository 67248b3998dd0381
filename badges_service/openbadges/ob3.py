"""Open Badges 3.0 documents (OB 3.0 §8: OpenBadgeCredential, Achievement, Profile, IdentityObject).

Builders are pure: they take plain values and return JSON-ready dicts with no empty arrays and no
nulls (OB 3.0 §B.1: optional properties are omitted rather than null).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import contexts
from .eddsa_rdfc_2022 import format_datetime

OB3_SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
OB3_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"

# OB 3.0 §B.2.1 AchievementType enumeration (extensions use the "ext:" prefix).
ACHIEVEMENT_TYPES = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award",
    "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
    "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree",
    "Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
    "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
    "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
)


_CONTAINERS = (dict, list, tuple)


def compact(value: Any) -> Any:
    """Drop None, empty strings, empty lists and empty objects, recursively (tuples become lists).

    A credential has about a hundred values: scalars are tested where they stand, without a call each."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(item, _CONTAINERS):
                item = compact(item)
                if not item:
                    continue
            elif item is None or item == "":
                continue
            out[key] = item
        return out
    if isinstance(value, _CONTAINERS):
        items = (compact(item) if isinstance(item, _CONTAINERS) else item for item in value)
        return [item for item in items if item or not (item is None or item == "" or isinstance(item, _CONTAINERS))]
    return value


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None = None

    def as_json(self) -> dict:
        return {"id": self.url, "type": "Image", "caption": self.caption}


@dataclass(frozen=True)
class IssuerProfile:
    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: Image | None = None

    def as_json(self) -> dict:
        return compact({
            "id": self.id, "type": ["Profile"], "name": self.name, "url": self.url, "email": self.email,
            "description": self.description, "image": self.image.as_json() if self.image else None,
        })


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_type: str | None = None  # e.g. "CFItem", "ext:ESCO"
    target_code: str | None = None
    target_framework: str | None = None
    target_description: str | None = None

    def as_json(self) -> dict:
        return {
            "type": ["Alignment"], "targetName": self.target_name, "targetUrl": self.target_url,
            "targetType": self.target_type, "targetCode": self.target_code,
            "targetFramework": self.target_framework, "targetDescription": self.target_description,
        }


@dataclass(frozen=True)
class AchievementDefinition:
    id: str
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    achievement_type: str = "Badge"
    image: Image | None = None
    tags: Sequence[str] = ()
    version: str | None = None
    language: str | None = "fr"
    human_code: str | None = None
    creator: IssuerProfile | None = None
    alignments: Sequence[Alignment] = field(default_factory=tuple)
    result_descriptions: Sequence[dict] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return compact({
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": self.achievement_type,
            "name": self.name,
            "description": self.description,
            "criteria": {"id": self.criteria_url, "narrative": self.criteria_narrative},
            "image": self.image.as_json() if self.image else None,
            "tag": list(self.tags),
            "version": self.version,
            "inLanguage": self.language,
            "humanCode": self.human_code,
            "creator": self.creator.as_json() if self.creator else None,
            "alignment": [a.as_json() for a in self.alignments],
            "resultDescription": list(self.result_descriptions),
        })


@dataclass(frozen=True)
class Evidence:
    name: str | None = None
    narrative: str | None = None
    description: str | None = None
    genre: str | None = None
    url: str | None = None

    def as_json(self) -> dict:
        return {"id": self.url, "type": ["Evidence"], "name": self.name, "narrative": self.narrative,
                "description": self.description, "genre": self.genre}


def email_identity(email: str, salt: str) -> dict:
    """OB 3.0 §B.1.14 IdentityObject: ``sha256$`` + hex SHA-256 of the normalised email and the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def email_identity_matches(identity: dict, email: str) -> bool:
    if identity.get("identityType") != "emailAddress" or not identity.get("hashed"):
        return False
    expected = email_identity(email, str(identity.get("salt") or ""))["identityHash"]
    return hmac.compare_digest(expected, str(identity.get("identityHash", "")).lower())


def open_badge_credential(*, credential_id: str, issuer: IssuerProfile, achievement: AchievementDefinition,
                          identity: dict, valid_from: datetime, name: str | None = None,
                          valid_until: datetime | None = None, awarded: datetime | None = None,
                          evidence: Sequence[Evidence] = (), results: Sequence[dict] = (),
                          credential_status: dict | None = None, subject_id: str | None = None) -> dict:
    """An unsigned ``OpenBadgeCredential`` (VC Data Model 2.0, OB context 3.0.3)."""
    document = {
        "@context": [contexts.VC_V2, contexts.OB_V3, contexts.OB_V3_EXTENSIONS],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name or achievement.name,
        "issuer": issuer.as_json(),
        "validFrom": format_datetime(valid_from),
        "validUntil": format_datetime(valid_until) if valid_until else None,
        "awardedDate": format_datetime(awarded) if awarded else None,
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [identity],
            "achievement": achievement.as_json(),
            "result": list(results),
        },
        "evidence": [e.as_json() for e in evidence],
        "credentialSchema": [{"id": OB3_SCHEMA_URL, "type": OB3_SCHEMA_TYPE}],
        "credentialStatus": credential_status,
    }
    return compact(document)


def competencies_of(achievement: dict, results: Sequence[dict] = ()) -> list[dict]:
    """What an OB 3.0 achievement attests, read back for display: its ``CFItem`` alignments, each with the
    level reached (the credential's ``result``) or else required (the result description). A level
    belongs to an alignment when both live under the same framework URL (``…/levels#N2`` and
    ``…/competencies/CODE``), which is how this service publishes them. ``kind`` is ``job`` for a métier
    (``…/jobs/CODE``), ``competency`` otherwise; a level comes with its place on its scale (``level_rank`` of
    ``level_count``) and its URL (``level_url``)."""
    scales: dict[str, tuple[str, int, int]] = {}  # level id -> (name, rank on its scale, levels on the scale)
    chosen: list[str] = []
    achieved = {r.get("resultDescription"): r.get("achievedLevel") for r in results if r.get("achievedLevel")}
    for description in achievement.get("resultDescription") or []:
        levels = [lv for lv in description.get("rubricCriterionLevel") or [] if isinstance(lv, dict)]
        for rank, level in enumerate(levels, start=1):
            scales[level.get("id")] = (level.get("name"), rank, len(levels))
        level_id = achieved.get(description.get("id")) or description.get("requiredLevel")
        if level_id:
            chosen.append(level_id)
    out = []
    for alignment in achievement.get("alignment") or []:
        if alignment.get("targetType") != "CFItem":
            continue
        url = alignment.get("targetUrl", "")
        framework_url = url.rsplit("/competencies/", 1)[0]
        level_id = next((lv for lv in chosen if lv.startswith(framework_url + "/levels#")), None) \
            if "/jobs/" not in url else None
        name, rank, count = scales.get(level_id, (None, None, None))
        out.append({"name": alignment.get("targetName"), "url": url, "code": alignment.get("targetCode"),
                    "framework": alignment.get("targetFramework"), "level": name, "level_rank": rank,
                    "level_count": count, "level_url": level_id if name else None,
                    "kind": "job" if "/jobs/" in url else "competency"})
    return out
