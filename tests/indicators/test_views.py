"""The dashboard page, its CSV exports and the JSON API: who gets in, what they see, what the files hold.

Roles: a platform admin (superuser) sees every issuer; issuer staff and admins see their issuers and those
below them in the tree, never a sibling or a parent; learners and managers without an issuer role get 403;
anonymous visitors are sent to the sign-in page (the API answers 401/403 instead).
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.conf import settings

from indicators import rollup
from indicators.services import usage_record
from issuers import services
from issuers.models import IssuerMembership
from issuers.permissions import SYSTEM
from tests.indicators.factories import City, at, competencies_for, issue
from tests.issuers.factories import AchievementFactory, UserFactory

URL = "/indicateurs/"
API = "/api/v1/indicators"
PERIOD = {"du": "2025-12-22", "au": "2026-01-11"}


@pytest.fixture
def city(db):
    city = City()
    competencies_for(city)
    for when in [at(2025, 12, 22, 9), at(2025, 12, 29, 10), at(2026, 1, 1, 10), at(2026, 1, 4, 18)]:
        issue(city.accueil, when)
    issue(city.tutorat, at(2026, 1, 2))
    issue(city.cyber, at(2026, 1, 6))
    issue(city.cyber, at(2026, 1, 7))
    return city


def staff_of(issuer, role=IssuerMembership.Role.STAFF):
    user = UserFactory()
    services.membership_set(issuer=issuer, user=user, role=role, actor=SYSTEM)
    return user


def get(client, user, url=URL, **params):
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


# --- who gets in -------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client, city):
    response = get(client, None)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL) and "next=/indicateurs/" in response["Location"]
    assert get(client, None, URL + "export/weeks.csv").status_code == 302


def test_a_learner_without_a_role_is_refused_with_a_page_that_says_why(client, city):
    response = get(client, UserFactory())
    assert response.status_code == 403
    assert "réservé" in response.content.decode()
    assert get(client, None, URL + "export/weeks.csv").status_code == 403


def test_the_api_refuses_anonymous_callers_and_learners(client, city):
    assert client.get(API).status_code in (401, 403)
    response = get(client, UserFactory(), API)
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("role", [IssuerMembership.Role.STAFF, IssuerMembership.Role.ADMIN])
def test_direction_staff_see_their_direction_and_the_services_below_it_only(client, city, role):
    response = get(client, staff_of(city.drh, role), **PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accueil des usagers" in html and "Tutorat" in html and "Cybersécurité" not in html
    options = re.findall(r'<option value="([a-z-]+)"', html)
    assert options == ["drh", "drh-formation"]


def test_staff_of_a_service_do_not_see_the_direction_above_it(client, city):
    user = staff_of(city.formation)
    assert get(client, user, emetteur="drh", **PERIOD).status_code == 403
    assert get(client, user, API, issuer="drh").status_code == 403
    data = get(client, user, API, start=PERIOD["du"], end=PERIOD["au"]).json()
    assert [a["achievement"] for a in data["achievements"]] == ["tutorat"]


def test_staff_cannot_ask_for_a_sibling_direction(client, city):
    user = staff_of(city.drh)
    assert get(client, user, emetteur="dsin", **PERIOD).status_code == 403
    assert get(client, user, URL + "export/achievements.csv", emetteur="dsin", **PERIOD).status_code == 403
    response = get(client, user, API, issuer="dsin")
    assert response.status_code == 403 and response.json()["error"]["code"] == "issuer_not_visible"


def test_a_platform_admin_sees_every_issuer_and_may_pick_one(client, city):
    admin = UserFactory(is_superuser=True, is_staff=True)
    data = get(client, admin, API, start=PERIOD["du"], end=PERIOD["au"]).json()
    assert data["totals"]["issued"] == 7
    assert {i["issuer"]: i["issued"] for i in data["issuers"]} == {"drh": 4, "drh-formation": 1, "dsin": 2}
    data = get(client, admin, API, issuer="dsin", start=PERIOD["du"], end=PERIOD["au"]).json()
    assert data["totals"]["issued"] == 2 and data["issuer"] == "dsin"


def test_bad_dates_are_explained(client, city):
    user = staff_of(city.drh)
    response = get(client, user, du="2026-02-01", au="2026-01-01")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    response = get(client, user, API, start="hier")
    assert response.status_code == 400 and "start" in response.json()["error"]["details"]["fields"]


# --- what the page shows -----------------------------------------------------------------------------------


def test_the_chart_draws_each_week_and_the_table_repeats_the_numbers(client, city):
    rollup.rollup_refresh()
    issue(city.accueil, at(2026, 1, 8))  # in the live tail
    html = get(client, UserFactory(is_superuser=True), **PERIOD).content.decode()
    chart = html.split("<svg", 2)[2].split("</svg>")[0]  # the first <svg> is the site's logo
    assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
    bars = dict(re.findall(r'data-key="([\d-]+)" data-value="(\d+)"', chart))
    assert bars == {"2025-12-22": "1", "2025-12-29": "4", "2026-01-05": "3"}
    table = html.split('id="weeks-table"', 1)[1].split("</table>")[0]
    cells = re.findall(r'<time datetime="([\d-]+)">.*?</time></th><td class="num">(\d+)</td>', table)
    assert dict(cells) == bars
    assert "8 badges délivrés en 3 semaines" in chart


def test_the_page_lists_directions_achievements_competencies_and_usages(client, city):
    credential = issue(city.cyber, at(2026, 1, 9))
    usage_record(credential=credential, kind="share", channel="linkedin")
    today = datetime.date.today().isoformat()
    html = get(client, UserFactory(is_superuser=True), du="2025-12-22", au=today).content.decode()
    for text in ["Direction des ressources humaines", "Service formation", "Direction du numérique",
                 "Accueil des usagers", "Accueillir le public", "Protéger ses accès", "LinkedIn"]:
        assert text in html, text


# --- CSV -------------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_table_exports_as_csv_with_the_same_figures(client, city):
    admin = UserFactory(is_superuser=True)
    assert read_csv(get(client, admin, URL + "export/weeks.csv", **PERIOD)) == [
        ["week_start", "issued"], ["2025-12-22", "1"], ["2025-12-29", "4"], ["2026-01-05", "2"]]
    rows = read_csv(get(client, admin, URL + "export/issuers.csv", **PERIOD))
    assert rows[0] == ["issuer", "name", "issued", "revoked", "held", "verifications", "shares"]
    assert rows[1] == ["drh", "Direction des ressources humaines", "4", "0", "4", "0", "0"]
    rows = read_csv(get(client, admin, URL + "export/competencies.csv", du="2025-12-22",
                        au=datetime.date.today().isoformat()))
    assert rows[0] == ["framework", "competency", "label", "held"]
    assert ["ville", "TRA-01", "Travailler en équipe", "5"] in rows
    assert get(client, admin, URL + "export/secrets.csv").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised(client, city):
    sneaky = AchievementFactory(issuer=city.dsin, slug="sneaky", name="=HYPERLINK(\"http://x\";\"y\")")
    other = AchievementFactory(issuer=city.dsin, slug="other", name="+33 1 23 45 67 89")
    issue(sneaky, at(2026, 1, 3))
    issue(other, at(2026, 1, 3))
    rows = read_csv(get(client, UserFactory(is_superuser=True), URL + "export/achievements.csv", **PERIOD))
    names = {r[0]: r[1] for r in rows[1:]}
    assert names["sneaky"] == "'=HYPERLINK(\"http://x\";\"y\")"
    assert names["other"] == "'+33 1 23 45 67 89"
    assert names["accueil"] == "Accueil des usagers"


def test_phones_get_a_chart_drawn_for_their_width_and_channels_read_in_words():
    """The weekly chart is drawn twice, wide and narrow (CSS shows one); channels are words, not codes."""
    from indicators import charts
    from indicators.views import CHANNEL_LABELS

    bars = [charts.Bar(key=f"2026-01-{d:02d}", label=f"{d:02d}/01", text="t", value=d) for d in range(1, 27)]
    narrow = charts.bar_chart_svg(bars, title="T", desc="D", element_id="n", css_class="chart chart--narrow",
                                  **charts.NARROW)
    assert 'viewBox="0 0 360 240"' in narrow and 'class="chart chart--narrow"' in narrow
    assert narrow.count('text-anchor="middle"') <= charts.NARROW["max_labels"] + 1, "few date labels on a phone"
    assert str(CHANNEL_LABELS["link"]) and CHANNEL_LABELS["png"] != "png"
