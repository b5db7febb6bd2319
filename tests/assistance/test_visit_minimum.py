"""The home-visit minimum on hand-made data: which households count, each village's minimum
from the local setting (changed for a township and a village), visits this year against it,
and the behind-schedule figure on fixed days, all in one aggregate query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area, AreaSetting
from fupin.assistance.models import Visit
from fupin.assistance.visits import expected_so_far, months_elapsed, visit_minimum
from fupin.cases.area_settings import do_set_area_setting, setting_for
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.pairing.models import PairingKind
from fupin.registry.models import Household
from tests.assistance.conftest import pair
from tests.conftest import make_household

YEAR = 2025
MID_JULY = dt.date(YEAR, 7, 15)  # six whole months over


def visits(household: Household, *days: str) -> None:
    for day in days:
        Visit.objects.create(
            household=household,
            area_id=household.area_id,
            day=dt.date.fromisoformat(day),
            visitor_name="吴",
            discussed="x",
        )


@pytest.mark.parametrize(
    ("year", "today", "months"),
    [
        (2025, dt.date(2025, 1, 1), 0),
        (2025, dt.date(2025, 1, 31), 0),
        (2025, dt.date(2025, 2, 1), 1),
        (2025, dt.date(2025, 7, 15), 6),
        (2025, dt.date(2025, 12, 31), 11),
        (2024, dt.date(2025, 3, 1), 12),
        (2026, dt.date(2025, 3, 1), 0),
    ],
)
def test_months_elapsed_counts_whole_months_over(year: int, today: dt.date, months: int) -> None:
    assert months_elapsed(year, today) == months


@pytest.mark.parametrize(
    ("minimum", "months", "expected"),
    [
        (4, 0, 0),
        (4, 1, 1),
        (4, 3, 1),
        (4, 4, 2),
        (4, 6, 2),
        (4, 7, 3),
        (4, 12, 4),
        (6, 6, 3),
        (2, 6, 1),
        (1, 1, 1),
        (12, 5, 5),
    ],
)
def test_expected_so_far_is_the_minimum_spread_over_the_months_rounded_up(
    minimum: int, months: int, expected: int
) -> None:
    assert expected_so_far(minimum, months) == expected


@pytest.fixture
def town(personas: dict[str, Any]) -> dict[str, Household]:
    admin = personas["county_admin"]
    do_set_area_setting(Area.objects.get(code=TOWNSHIP), "visits_per_year", "2", actor=admin)
    do_set_area_setting(Area.objects.get(code=NEIGHBOUR_VILLAGE), "visits_per_year", "6", actor=admin)
    h = {
        "a": make_household(VILLAGE, status="poor", head_name="甲"),
        "b": make_household(VILLAGE, status="poor", head_name="乙"),
        "c": make_household(VILLAGE, status="poor", head_name="丙"),
        "d": make_household(VILLAGE, head_name="丁"),
        "e": make_household(VILLAGE, head_name="戊"),
        "f": make_household(VILLAGE, head_name="己"),
        "f2": make_household(VILLAGE, status="exited", head_name="己二"),
        "g": make_household(NEIGHBOUR_VILLAGE, status="poor", head_name="庚"),
        "h": make_household(NEIGHBOUR_VILLAGE, status="monitored", head_name="辛"),
        "i": make_household(OTHER_TOWNSHIP_VILLAGE, status="poor", head_name="壬"),
    }
    visits(h["a"], "2024-11-02")  # last year: shows as the last visit, does not count this year
    visits(h["b"], "2025-03-01")
    visits(h["c"], "2025-02-01", "2025-06-30")
    pair(h["e"], user=personas["cadre"], started_on=dt.date(2024, 3, 1))
    pair(h["f"], started_on=dt.date(2023, 1, 1), ended_on=dt.date(2025, 1, 1))
    pair(h["f2"], kind=PairingKind.MEMBER_HOUSEHOLD)
    visits(h["g"], "2025-01-10", "2025-04-10", "2025-06-10")
    visits(h["h"], "2025-01-10", "2025-05-10", "2026-01-05")  # next year's visit does not count
    visits(h["i"], "2025-05-05")
    return h


def table(rows: list[Any]) -> dict[str, tuple[int, int, int, bool]]:
    return {r.household.head_name: (r.visits, r.minimum, r.expected, r.behind) for r in rows}


def test_the_county_sees_every_household_below_its_villages_minimum(
    town: dict[str, Household], personas: dict[str, Any]
) -> None:
    rows = visit_minimum(personas["county_admin"], Area.objects.get(code=COUNTY), YEAR, today=MID_JULY)
    assert table(rows) == {
        "甲": (0, 2, 1, True),  # the township's 2, spread over six months: 1 by now
        "乙": (1, 2, 1, False),
        "戊": (0, 2, 1, True),  # an ordinary household counted because a cadre is paired with it
        "庚": (3, 6, 3, False),  # the neighbouring village's own 6
        "辛": (2, 6, 3, True),
        "壬": (1, 4, 2, True),  # another township: the default 4
    }
    # 丙 has its two; 丁 is neither poor nor paired; 己's pairing ended; 己二 has only a party member.
    for row in rows:
        assert row.minimum == setting_for(row.household.area_id[:12], "visits_per_year")
    assert [r.behind for r in rows] == sorted((r.behind for r in rows), reverse=True)  # behind first
    by_name = {r.household.head_name: r for r in rows}
    assert by_name["甲"].last_visit == dt.date(2024, 11, 2) and by_name["乙"].last_visit == dt.date(
        2025, 3, 1
    )
    assert by_name["戊"].cadre == "彭学明" and by_name["甲"].cadre == ""
    assert by_name["辛"].last_visit == dt.date(2026, 1, 5)


def test_each_reader_sees_only_their_area(town: dict[str, Household], personas: dict[str, Any]) -> None:
    def names(persona: str, code: str | None = None) -> set[str]:
        user = personas[persona]
        area = Area.objects.get(code=code) if code else user.area
        return set(table(visit_minimum(user, area, YEAR, today=MID_JULY)))

    assert names("township_officer") == {"甲", "乙", "戊", "庚", "辛"}
    assert names("village_clerk") == {"甲", "乙", "戊"}
    assert names("neighbour_clerk") == {"庚", "辛"}
    assert names("county_admin", TOWNSHIP) == {"甲", "乙", "戊", "庚", "辛"}
    assert names("county_admin", NEIGHBOUR_VILLAGE) == {"庚", "辛"}
    assert names("outsider") == set()
    # An area outside the reader's lists nothing, whatever is asked.
    assert names("neighbour_clerk", VILLAGE) == set()


def test_changing_the_setting_changes_the_list(town: dict[str, Household], personas: dict[str, Any]) -> None:
    admin = personas["county_admin"]
    village = Area.objects.get(code=VILLAGE)
    do_set_area_setting(village, "visits_per_year", "1", actor=admin)
    assert table(visit_minimum(admin, village, YEAR, today=MID_JULY)) == {
        "甲": (0, 1, 1, True),
        "戊": (0, 1, 1, True),
    }
    do_set_area_setting(village, "visits_per_year", "3", actor=admin)
    rows = table(visit_minimum(admin, Area.objects.get(code=TOWNSHIP), YEAR, today=MID_JULY))
    assert rows["丙"] == (2, 3, 2, False) and rows["乙"] == (1, 3, 2, True) and rows["庚"] == (3, 6, 3, False)
    # Removing the township's value: 十八洞村 keeps its own 3, nothing else of the township changes.
    do_set_area_setting(Area.objects.get(code=TOWNSHIP), "visits_per_year", None, actor=admin)
    assert table(visit_minimum(admin, village, YEAR, today=MID_JULY))["甲"] == (0, 3, 2, True)
    # And a county-wide value reaches the other township's village.
    do_set_area_setting(Area.objects.get(code=COUNTY), "visits_per_year", "12", actor=admin)
    assert table(visit_minimum(admin, Area.objects.get(code=COUNTY), YEAR, today=MID_JULY))["壬"] == (
        1,
        12,
        6,
        True,
    )


def test_a_setting_on_a_village_group_is_not_its_villages(
    town: dict[str, Household], personas: dict[str, Any]
) -> None:
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "001", "竹子寨组", actor=SYSTEM)
    make_household(group.code, status="poor", head_name="癸")
    AreaSetting.objects.create(area=group, key="visits_per_year", value=10)
    rows = table(visit_minimum(personas["county_admin"], Area.objects.get(code=COUNTY), YEAR, today=MID_JULY))
    assert rows["癸"] == (0, 2, 1, True)
    assert table(visit_minimum(personas["county_admin"], group, YEAR, today=MID_JULY)) == {
        "癸": (0, 2, 1, True)
    }


def test_a_past_year_expects_the_whole_minimum_and_a_future_one_nothing(
    town: dict[str, Household], personas: dict[str, Any]
) -> None:
    admin = personas["county_admin"]
    county = Area.objects.get(code=COUNTY)
    rows = table(visit_minimum(admin, county, YEAR, today=dt.date(2026, 2, 1)))
    assert rows["乙"] == (1, 2, 2, True) and rows["庚"] == (3, 6, 6, True)
    assert all(behind for *_, behind in rows.values())
    early = table(visit_minimum(admin, county, YEAR, today=dt.date(2025, 1, 20)))
    assert not any(behind for *_, behind in early.values())  # nobody is behind in January
    later = table(visit_minimum(admin, county, 2026, today=MID_JULY))
    assert not any(behind for *_, behind in later.values())
    assert later["辛"] == (1, 6, 0, False)


def test_only_my_households(town: dict[str, Household], personas: dict[str, Any]) -> None:
    cadre = personas["cadre"]
    rows = visit_minimum(cadre, cadre.area, YEAR, today=MID_JULY, helper=cadre)
    assert table(rows) == {"戊": (0, 2, 1, True)}
    assert (
        visit_minimum(
            personas["first_secretary"], cadre.area, YEAR, today=MID_JULY, helper=personas["first_secretary"]
        )
        == []
    )


def test_one_aggregate_query_however_many_households(
    town: dict[str, Household], personas: dict[str, Any]
) -> None:
    admin = personas["county_admin"]
    county = Area.objects.get(code=COUNTY)
    with CaptureQueriesContext(connection) as few:
        first = visit_minimum(admin, county, YEAR, today=MID_JULY)
    for _ in range(6):
        make_household(NEIGHBOUR_VILLAGE, status="poor", head_name="新户")
    with CaptureQueriesContext(connection) as many:
        second = visit_minimum(admin, county, YEAR, today=MID_JULY)
    assert len(second) == len(first) + 6
    assert len(many.captured_queries) == len(few.captured_queries) <= 3
    # The settings are read first; then one query reads the households with their visits.
    household_queries = [q for q in many.captured_queries if "registry_household" in q["sql"]]
    assert len(household_queries) == 1 and "COUNT(" in household_queries[0]["sql"].upper()
