"""The area overview reads snapshots and shows them as stored: key figures of the chosen year,
trends over years, compositions, a ranking of the sub-areas with drill-down links, the county
map's data for a prefecture or province, the counties with most overdue alerts, a breadcrumb
that never climbs above the user's own area, and the village's way into its households."""

from __future__ import annotations

import html
import itertools
import json
import re
from typing import Any

import pytest
from django.test import Client

from fupin.areas.models import Area
from fupin.core.models import StaleMark
from fupin.core.personas import COUNTY, OTHER_COUNTY, PREFECTURE, PROVINCE, TOWNSHIP, VILLAGE
from fupin.stats.catalogue import INDICATORS, TREND_KEYS
from fupin.stats.refresh import store

PAYLOAD = re.compile(r'<script id="stats-data" type="application/json">(.*?)</script>', re.S)


def payload(response: Any) -> dict[str, Any]:
    assert response.status_code == 200
    found = PAYLOAD.search(response.content.decode())
    assert found, "the page carries no stats-data"
    return json.loads(found.group(1))


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def county_values(year: int) -> dict[str, Any]:
    """花垣县 over the years, shaped like seed 003's 表1: incidence and poor people falling."""
    poor = {2019: 6577, 2020: 3120, 2021: 900, 2022: 400, 2023: 156}[year]
    return {
        "covered_households": 9000,
        "covered_people": 36000,
        "poor_households": poor // 4,
        "poor_people": poor,
        "population": 20600,
        "incidence": round(poor / 20600 * 100, 2),
        "exited_households": 120,
        "monitored_households": 90,
        "monitored_per_thousand": 10.0,
        "income_mean": 9000 + 1000 * (year - 2019),
        "share_wage": 60.0,
        "share_business": 20.0,
        "share_property": 5.0,
        "share_transfer": 15.0,
        "cause_illness": 20,
        "cause_skills": 35,
        "cause_disability": 0,
        "short_housing": 4,
        "short_water": 9,
        "short_any": 11,
        "monitored_unstable": 50,
        "monitored_edge": 30,
        "monitored_sudden": 10,
        "alerts_open": 7 if year == 2023 else None,
        "alerts_overdue": 3 if year == 2023 else None,
    }


@pytest.fixture
def townships(db: Any) -> list[Area]:
    """Three townships of 花垣县 including 双龙镇, with poor households 5, 40 and 17."""
    others = list(Area.objects.filter(parent_id=COUNTY).exclude(code=TOWNSHIP).order_by("code")[:2])
    chosen = [area(TOWNSHIP), *others]
    for township, poor, incidence in zip(chosen, (5, 40, 17), (0.5, 2.25, 1.0), strict=True):
        store(township, 2023, {"poor_households": poor, "incidence": incidence, "alerts_overdue": poor % 7})
        store(township, 2022, {"poor_households": poor * 2, "incidence": incidence * 2})
    return chosen


@pytest.fixture
def stored(db: Any, townships: list[Area]) -> dict[str, Any]:
    for year in range(2019, 2024):
        store(area(COUNTY), year, county_values(year))
    store(
        area(OTHER_COUNTY), 2023, {"monitored_per_thousand": 25.5, "alerts_overdue": 11, "poor_households": 3}
    )
    store(
        area(PREFECTURE), 2023, {"monitored_per_thousand": 12.0, "poor_households": 500, "alerts_overdue": 14}
    )
    store(area(PROVINCE), 2023, {"monitored_per_thousand": 11.0, "poor_households": 9000})
    store(area(VILLAGE), 2023, {"poor_households": 4, "covered_households": 230})
    return {"townships": townships}


def cards(data: dict[str, Any]) -> dict[str, Any]:
    return {c["key"]: c["value"] for c in data["cards"]}


def test_the_county_overview_shows_the_latest_year_as_stored(stored: Any, client_for: Any) -> None:
    data = payload(client_for("county_admin").get("/stats/"))
    assert (data["code"], data["year"]) == (COUNTY, 2023)
    shown = cards(data)
    assert shown["poor_people"] == 156
    assert shown["poor_households"] == 39
    assert shown["incidence"] == round(156 / 20600 * 100, 2)
    assert shown["alerts_overdue"] == 3
    # Units and decimal places come from the catalogue.
    incidence = next(c for c in data["cards"] if c["key"] == "incidence")
    assert (incidence["unit"], incidence["places"], incidence["text"]) == ("%", 2, "0.76")
    assert next(c for c in data["cards"] if c["key"] == "covered_people")["text"] == "36,000"


def test_trend_lines_follow_the_years_like_table_1(stored: Any, client_for: Any) -> None:
    data = payload(client_for("county_admin").get(f"/stats/{COUNTY}/"))
    trend = data["trend"]
    assert trend["years"] == [2019, 2020, 2021, 2022, 2023]
    series = {s["key"]: s["values"] for s in trend["series"]}
    assert set(series) == set(TREND_KEYS)
    assert series["poor_people"] == [6577, 3120, 900, 400, 156]
    assert series["incidence"] == [county_values(y)["incidence"] for y in range(2019, 2024)]
    assert series["income_mean"] == [9000, 10000, 11000, 12000, 13000]


def test_an_earlier_year_is_shown_when_asked_and_an_unknown_one_falls_back(
    stored: Any, client_for: Any
) -> None:
    client = client_for("county_admin")
    data = payload(client.get(f"/stats/{COUNTY}/", {"year": 2020}))
    assert data["year"] == 2020 and cards(data)["poor_people"] == 3120
    assert "alerts_overdue" not in cards(data)  # a figure about today only, absent in past years
    # The most overdue are those of now, whatever year the page shows.
    assert [r["value"] for r in data["overdue"]] == [5, 5, 3]
    assert payload(client.get(f"/stats/{COUNTY}/", {"year": 1999}))["year"] == 2023
    assert payload(client.get(f"/stats/{COUNTY}/", {"year": "abc"}))["year"] == 2023


def test_compositions_keep_only_what_is_there_largest_first(stored: Any, client_for: Any) -> None:
    composition = payload(client_for("county_admin").get("/stats/"))["composition"]
    assert [p["key"] for p in composition["income"]] == [
        "share_wage",
        "share_business",
        "share_property",
        "share_transfer",
    ]
    assert [(p["key"], p["value"]) for p in composition["causes"]] == [
        ("cause_skills", 35),
        ("cause_illness", 20),
    ]
    assert [p["key"] for p in composition["shortfalls"]] == ["short_water", "short_housing"]
    assert {p["key"]: p["value"] for p in composition["monitored"]} == {
        "monitored_unstable": 50,
        "monitored_edge": 30,
        "monitored_sudden": 10,
    }


def test_the_ranking_orders_the_townships_and_links_each_to_its_page(
    stored: dict[str, Any], client_for: Any
) -> None:
    response = client_for("county_admin").get(f"/stats/{COUNTY}/")
    data = payload(response)
    ranking = data["ranking"]
    assert data["indicator"]["key"] == "poor_households"  # the default below a prefecture
    assert [r["value"] for r in ranking] == [40, 17, 5]
    assert ranking[-1]["code"] == TOWNSHIP
    for row in ranking:
        assert row["url"].startswith(f"/stats/{row['code']}/?")
    # The table says the same, with the same links.
    page = html.unescape(response.content.decode())
    table = page[page.index('id="stats-ranking-table"') :]
    rows = re.findall(r'<tr data-code="(\d+)">.*?<a class="drill" href="([^"]+)"', table, re.S)
    assert [code for code, _ in rows] == [r["code"] for r in ranking]
    assert [href for _, href in rows] == [r["url"] for r in ranking]


def test_another_indicator_reorders_the_ranking(stored: Any, client_for: Any) -> None:
    data = payload(client_for("county_admin").get(f"/stats/{COUNTY}/", {"indicator": "incidence"}))
    assert data["indicator"]["key"] == "incidence"
    assert [r["value"] for r in data["ranking"]] == [2.25, 1.0, 0.5]
    assert all("indicator=incidence" in r["url"] for r in data["ranking"])
    # An unknown key falls back to the default.
    data = payload(client_for("county_admin").get(f"/stats/{COUNTY}/", {"indicator": "nope"}))
    assert data["indicator"]["key"] == "poor_households"


def test_a_prefecture_leader_gets_the_county_map_and_the_most_overdue_counties(
    stored: Any, client_for: Any
) -> None:
    client = client_for("prefecture_supervisor")
    data = payload(client.get("/stats/"))
    assert data["code"] == PREFECTURE
    assert data["indicator"]["key"] == "monitored_per_thousand"
    assert data["map"]["url"] == f"/stats/{PREFECTURE}/map.json"
    values = {d["name"]: d["value"] for d in data["map"]["data"]}
    assert values[COUNTY] == 10.0 and values[OTHER_COUNTY] == 25.5
    assert data["map"]["links"][COUNTY].startswith(f"/stats/{COUNTY}/?")
    assert [(r["code"], r["value"]) for r in data["overdue"]] == [(OTHER_COUNTY, 11), (COUNTY, 3)]
    # The boundaries the map is drawn with: the prefecture's eight counties.
    geo = client.get(data["map"]["url"])
    assert geo.status_code == 200
    features = json.loads(geo.content)["features"]
    assert len(features) == 8 and COUNTY in {f["properties"]["adcode"] for f in features}


def test_a_province_leader_gets_the_map_of_all_its_counties(stored: Any, client_for: Any) -> None:
    client = client_for("province_supervisor")
    data = payload(client.get("/stats/"))
    assert data["code"] == PROVINCE
    assert [r["code"] for r in data["ranking"]] == [PREFECTURE]  # one level down: the prefecture
    assert {d["name"] for d in data["map"]["data"]} >= {COUNTY, OTHER_COUNTY}
    assert len(json.loads(client.get(data["map"]["url"]).content)["features"]) > 100


def test_a_county_page_has_no_map_but_its_townships_most_overdue(stored: Any, client_for: Any) -> None:
    data = payload(client_for("county_admin").get("/stats/"))
    assert data["map"] is None
    # Townships with alerts overdue, the most first (5 % 7, 40 % 7, 17 % 7 = 5, 5, 3).
    assert [r["value"] for r in data["overdue"]] == [5, 5, 3]


def test_the_breadcrumb_stops_at_the_users_own_area(stored: Any, client_for: Any) -> None:
    def crumbs(username: str, code: str) -> list[str]:
        page = client_for(username).get(f"/stats/{code}/").content.decode()
        nav = page[page.index('id="stats-crumbs"') : page.index("</nav>", page.index('id="stats-crumbs"'))]
        return re.findall(r"<li>(?:<a href=\"/stats/(\d+)/[^\"]*\">)?([^<]+)", nav)

    assert crumbs("province_supervisor", VILLAGE) == [
        (PROVINCE, "湖南省"),
        (PREFECTURE, "湘西土家族苗族自治州"),
        (COUNTY, "花垣县"),
        (TOWNSHIP, "双龙镇"),
        ("", "十八洞村"),
    ]
    assert crumbs("township_officer", VILLAGE) == [(TOWNSHIP, "双龙镇"), ("", "十八洞村")]
    assert crumbs("village_clerk", VILLAGE) == [("", "十八洞村")]


def test_a_village_page_leads_to_its_households_instead_of_a_ranking(stored: Any, client_for: Any) -> None:
    client = client_for("township_officer")
    response = client.get(f"/stats/{VILLAGE}/")
    data = payload(response)
    assert data["ranking"] == [] and data["overdue"] == []
    page = html.unescape(response.content.decode())
    link = re.search(r'href="([^"]+)" id="stats-households-link"', page)
    assert link and link.group(1) == f"/households/?area={VILLAGE}"
    assert 'id="stats-ranking"' not in page
    assert client.get(link.group(1)).status_code == 200


def test_without_a_snapshot_the_page_says_so(db: Any, client_for: Any) -> None:
    response = client_for("county_admin").get("/stats/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="stats-empty"' in page and 'id="stats-data"' not in page


def test_changes_waiting_for_the_refresh_are_counted(stored: Any, client_for: Any) -> None:
    client = client_for("county_admin")
    StaleMark.objects.all().delete()
    assert 'id="stats-pending"' not in client.get("/stats/").content.decode()
    StaleMark.objects.create(area_code=VILLAGE, year=2023)
    StaleMark.objects.create(area_code=TOWNSHIP, year=2022)
    StaleMark.objects.create(area_code="433122101201", year=2023)  # another county's: not counted
    page = client.get("/stats/").content.decode()
    assert 'data-pending="2"' in page
    assert 'id="stats-refreshed"' in page


def test_the_indicator_catalogue_lists_every_indicator(db: Any, client_for: Any) -> None:
    response = client_for("village_clerk").get("/stats/indicators/")
    assert response.status_code == 200
    page = response.content.decode()
    for key, indicator in INDICATORS.items():
        assert f'id="indicator-{key}"' in page
        assert html.escape(indicator.formula) in page or indicator.formula in html.unescape(page)


def test_pages_load_nothing_from_outside(stored: Any, client_for: Any) -> None:
    for username, url in (("prefecture_supervisor", "/stats/"), ("county_admin", "/stats/indicators/")):
        page = client_for(username).get(url).content.decode()
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
        assert "<script>" not in page  # no inline script: data travels as json_script only


def test_anonymous_visitors_are_sent_to_log_in(stored: Any) -> None:
    for url in ("/stats/", f"/stats/{COUNTY}/", f"/stats/{COUNTY}/map.json", "/stats/indicators/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_is_rendered_again_after_a_refresh_and_not_before(stored: Any, client_for: Any) -> None:
    client = client_for("county_admin")
    first = payload(client.get(f"/stats/{COUNTY}/"))
    assert payload(client.get(f"/stats/{COUNTY}/")) == first  # the second answer comes from the cache
    values = {**county_values(2023), "poor_households": 4321}
    store(area(COUNTY), 2023, values)
    again = payload(client.get(f"/stats/{COUNTY}/"))
    assert cards(again)["poor_households"] == 4321 != cards(first)["poor_households"]
    # Another user of the same county sees the same figures with their own page around them.
    assert cards(payload(client_for("supervisor").get(f"/stats/{COUNTY}/")))["poor_households"] == 4321


def test_the_map_legend_says_the_numbers_of_its_bands(stored: Any, client_for: Any) -> None:
    response = client_for("prefecture_supervisor").get("/stats/")
    data = payload(response)
    bands = data["map"]["bands"]
    # 10.0 ‰ (花垣县) to 25.5 ‰ (泸溪县) in five equal bands, each said with its bounds
    assert [b["label"] for b in bands] == [
        "10.0 – 13.1",
        "13.1 – 16.2",
        "16.2 – 19.3",
        "19.3 – 22.4",
        "22.4 – 25.5",
    ]
    assert all(a["max"] == b["min"] for a, b in itertools.pairwise(bands))
    colours = [b["color"] for b in bands]
    assert len(set(colours)) == 5
    # every county with a figure falls in exactly one band (the last one closed at the top)
    for value in (10.0, 25.5):
        inside = [b for b in bands if b["min"] <= value < b["max"] or (b["last"] and value == b["max"])]
        assert len(inside) == 1
    # the page lists them in words too, and the counties without a figure
    page = response.content.decode()
    start = page.index('id="stats-map-legend"')
    legend = page[start : page.index("</ul>", start)]
    assert [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li.*?</li>", legend, re.S)] == [
        *(f"{b['label']} ‰" for b in bands),
        "无数据",
    ]
    # a figure in whole numbers (3 and 11 alerts overdue) has whole-number bounds
    few = payload(client_for("prefecture_supervisor").get("/stats/?indicator=alerts_overdue"))["map"]["bands"]
    assert [b["label"] for b in few] == ["3 – 5", "5 – 7", "7 – 9", "9 – 11"]


def test_following_a_link_keeps_the_chosen_indicator(stored: Any, client_for: Any) -> None:
    client = client_for("prefecture_supervisor")
    chosen = "poor_households"
    response = client.get(f"/stats/?indicator={chosen}")
    data = payload(response)
    assert data["indicator"]["key"] == chosen
    links = [
        *data["map"]["links"].values(),
        *(r["url"] for r in data["ranking"]),
        *(r["url"] for r in data["overdue"]),  # ranked by overdue alerts, yet opening the chosen one
    ]
    assert data["overdue"] and data["ranking"] and links
    assert all(f"indicator={chosen}" in url for url in links), links
    # the county opened from the map shows the same indicator, not its own default
    county = payload(client.get(data["map"]["links"][COUNTY]))
    assert county["indicator"]["key"] == chosen
    # a village has no indicator to choose, but keeps it: its year form and its crumbs carry it
    page = html.unescape(client.get(f"/stats/{VILLAGE}/?indicator=incidence&year=2023").content.decode())
    form = page[page.index('id="stats-filters"') : page.index("</form>", page.index('id="stats-filters"'))]
    assert '<input type="hidden" name="indicator" value="incidence">' in form
    nav = page[page.index('id="stats-crumbs"') : page.index("</nav>", page.index('id="stats-crumbs"'))]
    assert nav.count("indicator=incidence") == 3  # the leader's prefecture, the county, the township
