"""The framework page: a contents list with anchors, a filter that works without JavaScript, French order."""

from __future__ import annotations

import re

from badges_service.collation import collation_key, sorted_by
from competencies.models import Competency
from tests.competencies.factories import small_framework


def _page(client, framework, query=""):
    suffix = f"?q={query}" if query else ""
    return client.get(f"/frameworks/{framework.code}/{framework.version}{suffix}", HTTP_ACCEPT="text/html",
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_accented_and_capitalised_words_sort_where_a_french_reader_looks_for_them():
    words = ["Urbanisme", "éducation", "Économie", "Emploi", "œuvres", "Ordre", "Zèbre", "achats"]
    assert [w for w in sorted(words, key=collation_key)] == [
        "achats", "Économie", "éducation", "Emploi", "œuvres", "Ordre", "Urbanisme", "Zèbre"]
    assert [d["n"] for d in sorted_by([{"n": "Été"}, {"n": "Eau"}, {"n": "Zinc"}], "n")] == ["Eau", "Été", "Zinc"]


def test_the_page_has_a_contents_list_and_anchors_for_each_family_domain_job_and_skill(client, db):
    framework = small_framework()
    html = _page(client, framework)
    for competency in Competency.objects.filter(framework=framework):
        assert f'<li id="{competency.code}">' in html
    anchors = re.findall(r'<a href="#([^"]+)">', html)
    assert "jobs-title" in anchors and "competencies-title" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


def test_the_filter_keeps_matching_jobs_and_skills_accents_ignored_without_javascript(client, db):
    framework = small_framework()
    competency = Competency.objects.filter(framework=framework).first()
    word = competency.label.split()[0]
    plain = collation_key(word)[0]  # typed without accents or capitals
    html = _page(client, framework, plain)
    assert 'role="search"' in html and 'name="q"' in html
    assert f'<li id="{competency.code}">' in html
    assert 'id="filter-status"' in html
    others = [c for c in Competency.objects.filter(framework=framework)
              if plain not in collation_key(f"{c.label} {c.code} {c.domain}")[0]]
    for other in others:
        assert f'<li id="{other.code}">' not in html
    assert "Aucun" in _page(client, framework, "zzzzzz")
