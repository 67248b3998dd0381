"""OB 3.0 document builders: the shape the issue and the spec ask for."""

from badges_service.openbadges import contexts, ob3
from badges_service.openbadges.schema import schema_errors
from tests.openbadges.samples import sample_credential


def _walk(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_contexts_are_vc2_then_ob303_then_extensions():
    assert sample_credential()["@context"] == [contexts.VC_V2, contexts.OB_V3, contexts.OB_V3_EXTENSIONS]


def test_no_empty_arrays_no_empty_objects_and_no_nulls():
    for value in _walk(sample_credential()):
        assert value not in (None, [], {}, "")


def test_recipient_is_a_salted_email_hash_never_the_email():
    document = sample_credential()
    identity = document["credentialSubject"]["identifier"][0]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")
    assert "camille@ville-exemple.fr" not in str(document)
    assert ob3.email_identity_matches(identity, "Camille@Ville-Exemple.fr ")
    assert not ob3.email_identity_matches(identity, "dominique@ville-exemple.fr")


def test_the_same_email_with_another_salt_gives_another_hash():
    assert ob3.email_identity("a@b.fr", "1")["identityHash"] != ob3.email_identity("a@b.fr", "2")["identityHash"]


def test_credential_schema_points_at_the_1edtech_schema():
    assert sample_credential()["credentialSchema"] == [
        {"id": ob3.OB3_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]


def test_the_issuer_is_an_embedded_profile_and_the_subject_an_achievement_subject():
    document = sample_credential()
    assert document["issuer"]["type"] == ["Profile"]
    assert document["credentialSubject"]["type"] == ["AchievementSubject"]
    assert document["credentialSubject"]["achievement"]["type"] == ["Achievement"]


def test_the_built_credential_passes_the_data_model_schema():
    assert schema_errors(sample_credential()) == []


def test_compact_drops_nulls_and_empties_at_every_depth_and_keeps_zeros_and_false():
    """OB 3.0 §B.1: optional properties are omitted rather than null or empty; 0 and false are values."""
    document = {
        "id": "urn:x", "name": "", "zero": 0, "no": False, "none": None, "empty_list": [], "empty_object": {},
        "tuple": ("a", None, "", 0, False, [], {}, ("b",)),
        "nested": {"only_empties": {"a": None, "b": [None, "", {}]}, "kept": [{"c": None, "d": "x"}, [[]], 1.5]},
    }
    assert ob3.compact(document) == {
        "id": "urn:x", "zero": 0, "no": False, "tuple": ["a", 0, False, ["b"]],
        "nested": {"kept": [{"d": "x"}, 1.5]},
    }
    assert ob3.compact([None, {"a": ""}]) == [] and ob3.compact("") == "" and ob3.compact(None) is None
