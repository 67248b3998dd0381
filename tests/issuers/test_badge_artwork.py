"""Generated badge artwork: what the badge is (name, level, issuer, the City's mark), readable at 128 px, and
distinct for every achievement of the demo data; an uploaded image wins everywhere."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import call_command
from PIL import Image

from issuers import badge_images
from issuers.badge_artwork import SIZES, TEXT_WIDTH, Artwork, _width, artwork_svg, fit_name, style_of
from issuers.models import Achievement, Issuer
from issuers.permissions import SYSTEM
from verification.artefacts import rasterise


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_no_two_achievements_of_the_demo_data_produce_the_same_image(db):
    call_command("seed_demo", stdout=io.StringIO())
    achievements = list(Achievement.objects.select_related("issuer"))
    assert len(achievements) >= 6
    svgs = {a.slug: badge_images.achievement_image(a).content for a in achievements}
    assert len(set(svgs.values())) == len(svgs), "two achievements share an SVG"
    pngs = {hashlib.sha256(rasterise(svg, size=128)).hexdigest() for svg in svgs.values()}
    assert len(pngs) == len(svgs), "two achievements share a picture at 128 px"
    styles = [badge_images.achievement_artwork(a) for a in achievements]
    for issuer in {a.issuer_id for a in achievements}:
        mine = [(s.colour, s.frame) for a, s in zip(achievements, styles, strict=True) if a.issuer_id == issuer]
        assert len(set(mine)) == len(mine), "two badges of one issuer share colour and frame"
    issuers = [badge_images.issuer_image(i).content for i in Issuer.objects.all()]
    assert len(set(issuers)) == len(issuers)


def test_the_artwork_shows_the_name_the_level_and_the_issuer(db):
    call_command("seed_demo", stdout=io.StringIO())
    achievement = Achievement.objects.get(slug="accueil-usagers")
    svg = badge_images.achievement_image(achievement).content.decode()
    words = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
    assert "Accueil des usagers" in words
    assert "Direction des ressources humaines" in words
    assert "Niveau 2 · Pratique" in svg
    assert "<script" not in svg and "href" not in svg, "nothing external, nothing active"
    png = Image.open(io.BytesIO(rasterise(svg.encode(), size=128)))
    assert png.size == (128, 128)


def test_a_credential_s_baked_image_shows_the_level_it_achieved(db):
    from competencies.models import Framework, ProficiencyLevel
    from issuers import services
    from tests.issuers.factories import AchievementFactory

    framework = Framework.objects.create(code="fw", version="1", title="Référentiel")
    expert = ProficiencyLevel.objects.create(framework=framework, rank=4, code="N4", label="Expertise")
    achievement = AchievementFactory(name="Tableur")
    credential = services.credential_issue(achievement=achievement, recipient_email="a@example.org", actor=SYSTEM)
    credential.achieved_level = expert
    svg = badge_images.achievement_image(achievement, level=credential.achieved_level).content.decode()
    assert "Niveau 4 · Expertise" in svg
    assert "Niveau" not in badge_images.achievement_image(achievement).content.decode()


@pytest.mark.parametrize("name", [
    "Accueil des usagers",
    "Accueil des usagers et usagères en mairie de quartier",
    "Cybersécurité : les essentiels",
    "Habilitation électrique B1V BR BC H0V pour les agents des ateliers municipaux de la Ville",
    "Anticonstitutionnellementissimement",
])
def test_names_are_wrapped_within_the_frame_at_a_size_readable_at_128_px(name):
    size, lines = fit_name(name)
    assert size >= SIZES[-1][0] and size * 128 / 200 >= 8.9, "at least 9 px on a 128 px badge"
    assert 1 <= len(lines) <= 4
    assert all(_width(line, size) <= TEXT_WIDTH for line in lines)
    shown = " ".join(lines).replace("- ", "").replace("-", "")
    assert shown.rstrip("…").replace(" ", "") in name.replace(" ", ""), "nothing but the name, in order"


def test_the_first_badges_of_a_series_never_share_colour_and_frame():
    styles = [style_of(i, offset=3) for i in range(40)]
    assert len(set(styles)) == 40


def test_the_name_is_escaped():
    svg = artwork_svg(Artwork(name='<Badge & "co">', issuer_name="A < B"))
    assert "<Badge" not in svg and "&lt;Badge &amp;" in svg and "A &lt; B" in svg
