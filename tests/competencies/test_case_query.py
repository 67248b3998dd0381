"""CASE getAllCFDocuments query parameters, read and applied without a database (``competencies.case_query``)."""

import json

import pytest

from competencies import case_query
from competencies.interchange import case_schema

DOCS = [{"identifier": "a", "title": "L'accueil", "subject": ["Relation", "Accueil"], "version": "2"},
        {"identifier": "b", "title": "Numérique", "subject": ["Numérique"]},
        {"identifier": "c", "title": "Sécurité", "version": "1"}]


def run(**params) -> list[str]:
    page, _ = case_query.apply(DOCS, case_query.parse(params))
    return [d["identifier"] for d in page]


def test_a_quote_inside_a_value_is_doubled_and_a_list_member_matches_by_any_element():
    assert run(filter="title='L''accueil'") == ["a"]
    assert run(filter="subject='Numérique'") == ["b"]
    assert run(filter="subject~'ACCUEIL' OR title~'curi'") == ["a", "c"]
    assert run(filter="subject!='Numérique'") == ["a", "c"]  # c has no subject at all


def test_documents_without_the_sort_member_come_last_in_either_order():
    assert run(sort="version") == ["c", "a", "b"] and run(sort="version", orderBy="DESC") == ["a", "c", "b"]


def test_the_members_are_those_of_cases_published_cf_document():
    schema = json.loads((case_schema.DATA_DIR / case_schema.ANSWER_FILES["CFDocumentSet"]).read_bytes())
    assert set(schema["$defs"]["CFDocument"]["properties"]) == case_query.MEMBERS


@pytest.mark.parametrize("text", ["title=accueil", "title='a' AND", "title='a' XOR title='b'", "title>>'a'"])
def test_a_filter_that_cannot_be_read_is_refused(text):
    with pytest.raises(case_query.SelectionError) as caught:
        case_query.parse({"filter": text})
    assert caught.value.code_minor == "invalid_selection_field"
