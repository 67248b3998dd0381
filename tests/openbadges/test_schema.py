"""Our own OB 3.0 JSON schema and the messages of the verifier's "schema" check (no Django needed)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from jsonschema import Draft202012Validator

from badges_service.openbadges import ob3
from badges_service.openbadges.schema import MAX_MESSAGES, SCHEMA_PATH, schema_errors

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
SALTED_HASH = "sha256$" + "ab" * 32
PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2025-01-15T09:30:00Z",
    "verificationMethod": "did:web:badges.villeapp.example#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z58DAdFfa9SkqZMVPxAQpic7ndSayn1PzZs6ZjWp1CktyGesjuTSwRdoWhAfGFCF5bppETSTojQCrfFPP2oumHKtz",
}

# The 1EdTech OB 3.0 test-vector credential, verbatim.
TEST_VECTOR = json.loads("""
{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
 "id":"http://example.com/credentials/3527","type":["VerifiableCredential","OpenBadgeCredential"],
 "issuer":{"id":"https://example.edu/issuers/565049","type":["Profile"],"url":"https://www.imsglobal.org",
 "name":"Example Corp"},"validFrom":"2010-01-01T00:00:00Z","name":"Teamwork Badge",
 "credentialSubject":{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21","type":["AchievementSubject"],
 "achievement":{"id":"https://example.com/achievements/21st-century-skills/teamwork","type":["Achievement"],
 "criteria":{"narrative":"Team members are nominated for this badge by their peers and recognized upon review by Example Corp management."},
 "description":"This badge recognizes the development of the capacity to collaborate within a group environment.",
 "name":"Teamwork"}}}
""")  # noqa: E501


def minimal_credential() -> dict:
    """The smallest credential the OB 3.0 data model allows, built by hand, with a proof."""
    return {
        "@context": [VC_V2, OB_CONTEXT],
        "id": "urn:uuid:2d5c4b4e-7f1c-4d0c-9a53-7d1f6f0c8a11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Accueil du public",
        "issuer": {"id": "did:web:badges.villeapp.example", "type": ["Profile"]},
        "validFrom": "2025-01-15T09:30:00Z",
        "credentialSubject": {
            "id": "did:example:agent-42",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.villeapp.example/achievements/accueil",
                "type": ["Achievement"],
                "name": "Accueil du public",
                "description": "Accueille et oriente les usagers.",
                "criteria": {"narrative": "Formation suivie et mise en situation validée."},
            },
        },
        "proof": [PROOF],
    }


def issued_credential() -> dict:
    """Every property our issuer can produce (ob3.open_badge_credential and friends), built by hand."""
    image = {"id": "https://badges.villeapp.example/media/accueil.png", "type": "Image", "caption": "Accueil"}
    city = {"id": "did:web:badges.villeapp.example", "type": ["Profile"], "name": "Ville de Exempleville",
            "url": "https://www.villeapp.example", "email": "badges@villeapp.example",
            "description": "Direction des ressources humaines", "image": image}
    level = {"id": "https://badges.villeapp.example/achievements/accueil/levels/2",
             "type": ["RubricCriterionLevel"], "name": "Confirmé", "description": "Autonome.", "level": "2",
             "points": "2"}
    document = {
        "@context": [VC_V2, OB_CONTEXT, OB_EXTENSIONS],
        "id": "https://badges.villeapp.example/credentials/2d5c4b4e",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Accueil du public",
        "issuer": city,
        "validFrom": "2025-01-15T09:30:00Z",
        "validUntil": "2028-01-15T09:30:00+01:00",
        "awardedDate": "2025-01-14T17:00:00.123Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": SALTED_HASH, "identityType": "emailAddress",
                            "hashed": True, "salt": "pepper-123"}],
            "achievement": {
                "id": "https://badges.villeapp.example/achievements/accueil",
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": "Accueil du public",
                "description": "Accueille et oriente les usagers.",
                "criteria": {"id": "https://badges.villeapp.example/achievements/accueil/criteria",
                             "narrative": "Formation suivie et mise en situation validée."},
                "image": image,
                "tag": ["accueil", "relation usager"],
                "version": "2",
                "inLanguage": "fr",
                "humanCode": "ACC-01",
                "creator": city,
                "alignment": [{"type": ["Alignment"], "targetName": "Accueillir un public",
                               "targetUrl": "http://data.europa.eu/esco/skill/0a1b2c", "targetType": "ext:ESCO",
                               "targetCode": "0a1b2c", "targetFramework": "ESCO",
                               "targetDescription": "Compétence ESCO."}],
                "resultDescription": [{"id": "https://badges.villeapp.example/achievements/accueil/results/1",
                                       "type": ["ResultDescription"], "name": "Niveau",
                                       "resultType": "RubricCriterionLevel", "rubricCriterionLevel": [level]}],
            },
            "result": [{"type": ["Result"],
                        "resultDescription": "https://badges.villeapp.example/achievements/accueil/results/1",
                        "achievedLevel": level["id"], "value": "2", "status": "Completed"}],
        },
        "evidence": [{"id": "https://badges.villeapp.example/evidence/9", "type": ["Evidence"],
                      "name": "Mise en situation", "narrative": "Observée le 10 janvier.", "genre": "Observation"}],
        "credentialSchema": [{"id": ob3.OB3_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {"id": "https://badges.villeapp.example/status/1#94567", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": "94567",
                             "statusListCredential": "https://badges.villeapp.example/status/1"},
        "proof": PROOF,
    }
    return json.loads(json.dumps(document))  # no shared sub-objects: each test edits one place


def _edit(document: dict, path: str, edit) -> dict:
    """A copy of ``document`` with ``edit(parent, key)`` applied at the dotted ``path`` (``[0]`` for items)."""
    document = copy.deepcopy(document)
    *parents, last = path.replace("[", ".[").split(".")
    node = document
    for part in parents:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    edit(node, last)
    return document


def without(document: dict, path: str) -> dict:
    return _edit(document, path, lambda node, key: node.pop(key))


def changed(document: dict, path: str, value) -> dict:
    return _edit(document, path, lambda node, key: node.__setitem__(key, value))


def test_schema_is_a_valid_draft_2020_12_schema_that_names_itself_ours():
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://badges.villeapp.example/schemas/ob3_open_badge_credential.schema.json"
    assert "Ville@pp Badges project" in schema["description"]
    assert "imsglobal" not in schema["$id"]


def test_minimal_hand_built_credential_with_a_proof_conforms():
    assert schema_errors(minimal_credential()) == []


def test_1edtech_test_vector_credential_conforms():
    assert schema_errors(TEST_VECTOR) == []


def test_credential_in_the_shape_our_issuer_produces_conforms():
    assert schema_errors(issued_credential()) == []


def test_credential_built_by_our_issuer_code_conforms():
    city = ob3.IssuerProfile(id="did:web:badges.villeapp.example", name="Ville de Exempleville",
                             url="https://www.villeapp.example", image=ob3.Image("https://x.example/a.png", "A"))
    achievement = ob3.AchievementDefinition(
        id="https://badges.villeapp.example/achievements/accueil", name="Accueil du public",
        description="Accueille et oriente les usagers.", criteria_narrative="Formation suivie.",
        tags=("accueil",), creator=city,
        alignments=(ob3.Alignment("Accueillir", "http://data.europa.eu/esco/skill/0a1b2c", "ext:ESCO"),),
    )
    document = ob3.open_badge_credential(
        credential_id="https://badges.villeapp.example/credentials/1", issuer=city, achievement=achievement,
        identity=ob3.email_identity("agent@villeapp.example", "salt"),
        valid_from=datetime(2025, 1, 15, 9, 30, tzinfo=UTC), valid_until=datetime(2028, 1, 15, tzinfo=UTC),
        evidence=(ob3.Evidence(name="Mise en situation", narrative="Observée."),),
    )
    assert schema_errors({**document, "proof": PROOF}) == []


def test_older_vc_1_1_credential_with_issuance_date_conforms():
    document = without(minimal_credential(), "validFrom")
    document["@context"] = [VC_V1, "https://purl.imsglobal.org/spec/ob/v3p0/context.json"]
    document["issuanceDate"] = "2022-06-01T12:00:00+02:00"
    document["expirationDate"] = "2032-06-01T12:00:00+02:00"
    assert schema_errors(document) == []


def test_single_string_types_and_a_single_proof_object_are_accepted():
    document = minimal_credential()
    document["issuer"]["type"] = "Profile"
    document["credentialSubject"]["type"] = "AchievementSubject"
    document["credentialSubject"]["achievement"]["type"] = "Achievement"
    document["proof"] = PROOF
    assert schema_errors(document) == []


def test_criteria_with_only_a_url_and_unknown_extension_properties_are_accepted():
    document = issued_credential()
    document["credentialSubject"]["achievement"]["criteria"] = {"id": "https://x.example/criteria"}
    document["credentialSubject"]["achievement"]["villeappDepartment"] = "DRH"
    document["issuer"]["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": "21750001600019",
                                              "identifierType": "ext:SIRET"}]
    assert schema_errors(document) == []


@pytest.mark.parametrize("path", [
    "@context", "type", "id", "name", "issuer", "credentialSubject",
    "issuer.id", "issuer.type", "issuer.image.id", "issuer.image.type",
    "credentialSubject.type", "credentialSubject.achievement",
    "credentialSubject.achievement.id", "credentialSubject.achievement.type",
    "credentialSubject.achievement.name", "credentialSubject.achievement.description",
    "credentialSubject.achievement.criteria",
    "credentialSubject.achievement.creator.id",
    "credentialSubject.achievement.alignment[0].type", "credentialSubject.achievement.alignment[0].targetName",
    "credentialSubject.achievement.alignment[0].targetUrl",
    "credentialSubject.achievement.resultDescription[0].id",
    "credentialSubject.achievement.resultDescription[0].name",
    "credentialSubject.achievement.resultDescription[0].resultType",
    "credentialSubject.achievement.resultDescription[0].rubricCriterionLevel[0].name",
    "credentialSubject.identifier[0].type", "credentialSubject.identifier[0].identityHash",
    "credentialSubject.identifier[0].identityType", "credentialSubject.identifier[0].hashed",
    "credentialSubject.result[0].type", "evidence[0].type",
    "credentialSchema[0].id", "credentialSchema[0].type",
    "credentialStatus.id", "credentialStatus.type", "proof.type",
])
def test_each_missing_required_property_is_reported_with_its_path(path):
    assert schema_errors(without(issued_credential(), path)) == [f"{path}: required property missing"]


def test_missing_achievement_name_is_reported():
    errors = schema_errors(without(TEST_VECTOR, "credentialSubject.achievement.name"))
    assert errors == ["credentialSubject.achievement.name: required property missing"]


def test_missing_valid_from_is_reported_with_its_vc_1_1_alternative():
    errors = schema_errors(without(minimal_credential(), "validFrom"))
    assert errors == ["validFrom or issuanceDate: required property missing"]


def test_subject_without_id_or_identifier_is_reported():
    errors = schema_errors(without(minimal_credential(), "credentialSubject.id"))
    assert errors == ["credentialSubject.id or credentialSubject.identifier: required property missing"]


def test_subject_with_an_empty_identifier_list_and_no_id_is_reported():
    errors = schema_errors(changed(issued_credential(), "credentialSubject.identifier", []))
    assert errors == ["credentialSubject.id: required property missing or "
                      "credentialSubject.identifier: must have at least 1 item"]


@pytest.mark.parametrize("value", [
    "yesterday", "2025-01-15", "2025-01-15T09:30:00", "2025-02-30T09:30:00Z", "2025-01-15T25:00:00Z",
    "2025-01-15 09:30:00Z", "2025-01-15T09:30:00+0100",
])
def test_valid_from_that_is_not_an_rfc_3339_date_time_with_time_zone_is_reported(value):
    errors = schema_errors(changed(minimal_credential(), "validFrom", value))
    assert errors == ["validFrom: not a valid date-time (RFC 3339, with a time zone)"]


@pytest.mark.parametrize("value", ["2025-01-15T09:30:00z", "2016-12-31T23:59:60Z", "2025-01-15T09:30:00.5-05:30"])
def test_unusual_but_valid_rfc_3339_date_times_are_accepted(value):
    assert schema_errors(changed(minimal_credential(), "validFrom", value)) == []


def test_valid_from_that_is_not_a_string_is_reported():
    assert schema_errors(changed(minimal_credential(), "validFrom", 1736933400)) == [
        "validFrom: must be of type string"]


def test_type_without_open_badge_credential_is_reported():
    errors = schema_errors(changed(minimal_credential(), "type", ["VerifiableCredential"]))
    assert errors == ['type: must contain "OpenBadgeCredential" or "AchievementCredential"']


def test_type_without_verifiable_credential_is_reported():
    errors = schema_errors(changed(minimal_credential(), "type", ["OpenBadgeCredential"]))
    assert errors == ['type: must contain "VerifiableCredential"']


def test_identity_hash_that_is_not_a_string_is_reported():
    errors = schema_errors(changed(issued_credential(), "credentialSubject.identifier[0].identityHash", 42))
    assert errors == ["credentialSubject.identifier[0].identityHash: must be of type string"]


def test_hashed_flag_that_is_not_a_boolean_is_reported():
    errors = schema_errors(changed(issued_credential(), "credentialSubject.identifier[0].hashed", "true"))
    assert errors == ["credentialSubject.identifier[0].hashed: must be of type boolean"]


def test_identity_object_with_another_type_is_reported():
    errors = schema_errors(changed(issued_credential(), "credentialSubject.identifier[0].type", "Identity"))
    assert errors == ['credentialSubject.identifier[0].type: must be "IdentityObject"']


def test_issuer_given_as_a_bare_uri_is_reported():
    errors = schema_errors(changed(minimal_credential(), "issuer", "did:web:badges.villeapp.example"))
    assert errors == ["issuer: must be of type object"]


def test_achievement_whose_type_lacks_achievement_is_reported():
    errors = schema_errors(changed(minimal_credential(), "credentialSubject.achievement.type", ["Badge"]))
    assert errors == ['credentialSubject.achievement.type: must contain "Achievement"']


def test_unknown_achievement_type_is_reported_unless_it_is_an_extension():
    document = issued_credential()
    errors = schema_errors(changed(document, "credentialSubject.achievement.achievementType", "Sticker"))
    assert len(errors) == 1
    assert errors[0].startswith('credentialSubject.achievement.achievementType: must be one of "Achievement", ')
    assert schema_errors(changed(document, "credentialSubject.achievement.achievementType", "ext:Sticker")) == []


def test_credential_id_that_is_not_a_uri_is_reported():
    errors = schema_errors(changed(minimal_credential(), "id", "credential 3527"))
    assert errors == ["id: not a valid uri"]


def test_context_not_starting_with_the_vc_context_is_reported():
    errors = schema_errors(changed(minimal_credential(), "@context", [OB_CONTEXT, VC_V2]))
    assert errors == [
        '@context[0]: must be one of "https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1"',
        "@context[1]: does not match the pattern "
        r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.0\.[0-9]+)?\.json$",
    ]


def test_several_problems_are_all_reported_with_their_paths():
    document = without(issued_credential(), "name")
    document["credentialSubject"]["achievement"]["criteria"] = "Be nice"
    document["proof"]["created"] = "now"
    assert schema_errors(document) == [
        "credentialSubject.achievement.criteria: must be of type object",
        "name: required property missing",
        "proof.created: not a valid date-time (RFC 3339, with a time zone)",
    ]


def test_number_of_messages_is_capped():
    document = issued_credential()
    document["credentialSubject"]["achievement"]["tag"] = list(range(50))
    errors = schema_errors(document)
    assert len(errors) == MAX_MESSAGES
    assert errors[0] == "credentialSubject.achievement.tag[0]: must be of type string"


def _mutations(document: dict):
    """The document with one thing changed: each key removed, each value made a number, an empty string, an
    empty list, a bad date or a URI with a space."""
    def walk(node, path):
        if isinstance(node, dict):
            for key, child in node.items():
                yield (*path, key), child
                yield from walk(child, (*path, key))
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield (*path, i), child
                yield from walk(child, (*path, i))

    for path, _value in walk(document, ()):
        for replacement in (None, 42, "", [], "2025-13-01T00:00:00Z", "not a uri", "ext:ok", "EXT:no\n"):
            mutated = copy.deepcopy(document)
            node = mutated
            for part in path[:-1]:
                node = node[part]
            if replacement is None:
                node.pop(path[-1])
            else:
                node[path[-1]] = replacement
            yield mutated


def test_the_fast_validator_and_jsonschema_agree_on_what_conforms():
    """jsonschema-rs decides "conforms" alone; it must never pass what jsonschema refuses (nor the reverse)."""
    from badges_service.openbadges.schema import _validator, conforms
    from tests.openbadges.corpus import our_credentials, signed

    documents = [minimal_credential(), TEST_VECTOR, *(signed(c) for c in our_credentials(4))]
    checked = refused = 0
    for base in documents:
        for document in [base, *_mutations(base)]:
            expected = not any(True for _ in _validator().iter_errors(document))
            assert conforms(document) is expected, document
            checked += 1
            refused += not expected
    assert refused > checked // 4  # the mutations do break documents, so both answers are exercised
