"""The public view of a county, township or village: open without logging in, the same key
figures and trend, small counts hidden (and the rates resting on them), the threshold a local
setting, and no link into pages that need a login."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path

from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, PREFECTURE, PROVINCE, TOWNSHIP, VILLAGE
from fupin.stats.refresh import store
from fupin.web.stats_views import public_urlpatterns

# The project includes the public pages under "open/"; so does this module, in case it runs
# before that line is in fupin/web/urls.py.
urlpatterns = [path("open/", include(public_urlpatterns)), path("", include("fupin.urls"))]
pytestmark = pytest.mark.urls(__name__)

PAYLOAD = re.compile(r'<script id="stats-data" type="application/json">(.*?)</script>', re.S)

VALUES = {
    "covered_households": 12,  # at or above the threshold: shown
    "covered_people": 40,
    "poor_households": 3,  # a small count: hidden
    "poor_people": 9,
    "incidence": 0.85,  # rests on poor_people (9): hidden
    "exited_households": 0,  # zero identifies nobody: shown
    "monitored_households": 3,
    "monitored_per_thousand": 250.0,  # rests on monitored_households (3): hidden
    "income_mean": 8000,  # rests on income_households (absent): hidden
    "alerts_open": 2,  # not a public figure at all
}


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def payload(response: Any) -> dict[str, Any]:
    assert response.status_code == 200
    found = PAYLOAD.search(response.content.decode())
    assert found
    return json.loads(found.group(1))


def cards(data: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    return {c["key"]: (c["value"], c["text"]) for c in data["cards"]}


@pytest.fixture
def county(db: Any) -> Area:
    store(area(COUNTY), 2022, {**VALUES, "poor_people": 30, "poor_households": 11, "incidence": 2.5})
    store(area(COUNTY), 2023, VALUES)
    return area(COUNTY)


def test_small_counts_and_the_rates_on_them_are_hidden(county: Area) -> None:
    data = payload(Client().get(f"/open/stats/{COUNTY}/"))
    shown = cards(data)
    assert shown["covered_households"] == (12, "12")
    assert shown["exited_households"] == (0, "0")
    assert shown["poor_households"] == (None, "<10")
    assert shown["poor_people"] == (None, "<10")
    assert shown["monitored_households"] == (None, "<10")
    assert shown["incidence"] == (None, "—")
    assert shown["monitored_per_thousand"] == (None, "—")
    assert "alerts_open" not in shown
    assert set(data["hidden"]) >= {"poor_households", "incidence", "monitored_per_thousand"}
    assert "covered_households" not in data["hidden"] and "exited_households" not in data["hidden"]


def test_the_trend_hides_the_same_way_year_by_year(county: Area) -> None:
    series = {
        s["key"]: s["values"] for s in payload(Client().get(f"/open/stats/{COUNTY}/"))["trend"]["series"]
    }
    assert series["poor_people"] == [30, None]
    assert series["incidence"] == [2.5, None]
    assert series["poor_households"] == [11, None]


def test_the_threshold_is_a_local_setting(county: Area) -> None:
    do_set_area_setting(county, "stats_small_cell", 2, actor=SYSTEM)
    shown = cards(payload(Client().get(f"/open/stats/{COUNTY}/")))
    assert shown["poor_households"] == (3, "3")
    assert shown["monitored_per_thousand"] == (250.0, "250.0")
    assert shown["incidence"] == (0.85, "0.85")


def test_the_footnote_names_the_threshold(county: Area) -> None:
    page = Client().get(f"/open/stats/{COUNTY}/").content.decode()
    footnote = page[page.index('id="stats-footnote"') :]
    assert "&lt;10" in footnote[: footnote.index("</p>")]


def test_sub_areas_are_listed_by_code_with_small_cells_hidden(db: Any) -> None:
    villages = list(Area.objects.filter(parent_id=TOWNSHIP).order_by("code")[:3])
    for village, poor in zip(villages, (25, 4, 0), strict=True):
        store(
            village,
            2023,
            {"poor_households": poor, "monitored_households": poor, "monitored_per_thousand": 1.5},
        )
    store(area(TOWNSHIP), 2023, {"poor_households": 29})
    response = Client().get(f"/open/stats/{TOWNSHIP}/")
    page = response.content.decode()
    table = page[
        page.index('id="stats-children-table"') : page.index(
            "</table>", page.index('id="stats-children-table"')
        )
    ]
    rows = re.findall(
        r'<tr data-code="(\d+)"><td><a href="([^"]+)">[^<]+</a></td>((?:<td class="num">[^<]*</td>)+)', table
    )
    # Listed by code, not ranked by a value that may be hidden.
    assert [code for code, _, _ in rows] == [v.code for v in villages]
    assert [href for _, href, _ in rows] == [f"/open/stats/{v.code}/" for v in villages]
    cells = [[html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', r[2])] for r in rows]
    # poor households, incidence, monitored households, monitored per thousand
    assert cells[0] == ["25", "—", "25", "1.5"]
    assert cells[1] == ["<10", "—", "<10", "—"]
    assert cells[2] == ["0", "—", "0", "—"]


def test_no_link_leads_into_pages_that_need_a_login(county: Area, personas: Any) -> None:
    for client in (Client(), _logged_in(personas)):
        page = client.get(f"/open/stats/{COUNTY}/").content.decode()
        links = re.findall(r'(?:href|src|action)="([^"]*)"', page)
        assert links
        assert all(link.startswith(("/static/", "/open/stats/", "data:")) for link in links), links


def _logged_in(personas: Any) -> Client:
    client = Client()
    client.force_login(personas["county_admin"])
    return client


@pytest.mark.parametrize("code", [VILLAGE, TOWNSHIP, COUNTY])
def test_county_township_and_village_are_open(db: Any, code: str) -> None:
    response = Client().get(f"/open/stats/{code}/")
    assert response.status_code == 200
    assert 'id="stats-empty"' in response.content.decode()  # nothing stored yet


@pytest.mark.parametrize("code", [PREFECTURE, PROVINCE, "433124110299", "433124110226001", "x"])
def test_other_levels_and_unknown_codes_are_not_found(db: Any, code: str) -> None:
    assert Client().get(f"/open/stats/{code}/").status_code == 404
