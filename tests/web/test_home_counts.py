"""The home page of a county and above reads its tiles and sub-area table from the statistics
snapshot (refreshed after every change), not by counting households and members on each view
(0.8–1 s on the 80,000-household demo). The figures are the same as counted live; the number of
queries does not grow with the households, and none touches the household or member tables."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, PREFECTURE, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.queries import area_counts, child_counts
from fupin.stats.refresh import refresh_all, refresh_marked
from tests.conftest import make_household

HOUSEHOLD_TABLES = ("registry_household", "registry_member")


def tiles(html: str) -> list[str]:
    """The figures of the household cards, in order."""
    cards = html[html.index('<section class="cards">') :]
    cards = cards[: cards.index("</section>")]
    return re.findall(r"<strong>([\d,]+)</strong>", cards)


def table(html: str) -> list[tuple[str, ...]]:
    rows = re.findall(r"<tr><td><a href=\"/areas/(\d+)/\">[^<]+</a></td>(.*?)</tr>", html, re.S)
    return [(code, *re.findall(r'class="num">([\d,]+)<', cells)) for code, cells in rows]


@pytest.fixture
def county_file(personas: dict[str, User]) -> dict[str, Any]:
    made = {
        "poor": make_household(VILLAGE, members=4, status="poor"),
        "monitored": make_household(NEIGHBOUR_VILLAGE, members=2, status="monitored"),
        "exited": make_household(OTHER_TOWNSHIP_VILLAGE, members=3, status="exited"),
        "ordinary": make_household(VILLAGE, members=1),
    }
    refresh_all("433124")
    return made


def live(user: User, code: str) -> tuple[list[str], list[tuple[str, ...]]]:
    area = Area.objects.get(code=code)
    c = area_counts(user, area)
    cards = [c["households"], c["people"], c["poor"], c["exited"], c["monitored"]]
    rows = [
        (r["area"].code, *(str(r[k]) for k in ("total", "poor", "exited", "monitored")))
        for r in child_counts(user, area)
    ]
    return [f"{n:,}" for n in cards], rows


@pytest.mark.parametrize("login, code", [("county_admin", COUNTY), ("prefecture_supervisor", PREFECTURE)])
def test_the_tiles_and_sub_areas_are_the_live_figures(
    county_file: dict[str, Any], personas: dict[str, User], client_for: Any, login: str, code: str
) -> None:
    html = client_for(login).get("/").content.decode()
    cards, rows = live(personas[login], code)
    assert tiles(html) == cards
    assert tiles(html)[:2] == ["4", "10"]  # every household and its people, ordinary ones too
    assert table(html) == rows and len(rows) == Area.objects.filter(parent_id=code).count()
    assert "来自统计数据" in html  # the page says where the figures come from


def test_a_change_shows_after_the_refresh_it_triggers(
    county_file: dict[str, Any], personas: dict[str, User], client_for: Any
) -> None:
    client = client_for("county_admin")
    registry.do_change_status(county_file["poor"], "exited", year=2024, reason="脱贫", actor=SYSTEM)
    refresh_marked()  # what the background refresh after the commit does
    html = client.get("/").content.decode()
    assert tiles(html) == live(personas["county_admin"], COUNTY)[0]
    assert tiles(html)[2:4] == ["0", "2"]


def test_the_home_page_does_not_count_households(
    county_file: dict[str, Any], client_for: Any
) -> None:
    client = client_for("county_admin")
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for i in range(25):
        make_household(VILLAGE if i % 2 else NEIGHBOUR_VILLAGE, members=2, status="poor")
    refresh_all("433124")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/").content.decode()
    assert tiles(html)[:3] == ["29", "60", "26"]
    assert len(many) == len(few) <= 12
    touched = [q["sql"] for q in many if any(t in q["sql"] for t in HOUSEHOLD_TABLES)]
    assert touched == []


def test_without_a_snapshot_the_page_counts_live(personas: dict[str, User], client_for: Any) -> None:
    make_household(VILLAGE, members=2, status="poor")  # never refreshed
    html = client_for("county_admin").get("/").content.decode()
    assert tiles(html) == live(personas["county_admin"], COUNTY)[0] and tiles(html)[0] == "1"
    assert "来自统计数据" not in html
