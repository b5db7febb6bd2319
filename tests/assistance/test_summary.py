"""The assistance summary of an area on hand-made data: measures by kind with amounts this
year, visits and the households below the minimum, projects' money, workshops and workers,
transfer jobs, trainings and attendance, care flags open and waiting for a follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fupin.areas.models import Area
from fupin.assistance import actions
from fupin.assistance.queries import summary
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry.models import Household, Member
from tests.assistance.conftest import World

YEAR = 2025
TODAY = dt.date(2025, 10, 15)


def someone(household: Household) -> Member:
    member = household.members.exclude(relation="head").first()
    assert member is not None
    return member


def measure(household: Household, kind: str, day: str, amount: str) -> None:
    actions.do_record_measure(
        household, {"kind": kind, "day": day, "amount": amount, "description": "x"}, actor=SYSTEM
    )


def test_the_summary_counts_what_happened_in_the_area_and_year(world: World) -> None:
    admin = world.personas["county_admin"]
    measure(world.home, "industry", "2025-03-01", "3000")
    measure(world.home, "industry", "2025-04-01", "2000.50")
    measure(world.unpaired, "education", "2025-09-01", "1500")
    measure(world.home, "health", "2024-12-31", "999")  # last year
    measure(world.neighbour, "dibao", "2025-02-01", "400")
    measure(world.far, "housing", "2025-02-01", "20000")  # another township
    actions.do_record_visit(world.home, {"day": "2025-02-02", "discussed": "x"}, actor=SYSTEM)
    actions.do_record_visit(world.home, {"day": "2025-05-02", "discussed": "x"}, actor=SYSTEM)
    actions.do_record_visit(world.neighbour, {"day": "2025-05-02", "discussed": "x"}, actor=SYSTEM)
    village = Area.objects.get(code=VILLAGE)
    actions.do_create_project(
        village,
        {"name": "a", "kind": "industry", "year": 2025, "budget": "100", "allocated": "80", "spent": "50"},
        actor=SYSTEM,
    )
    actions.do_create_project(
        Area.objects.get(code=TOWNSHIP),
        {"name": "b", "kind": "industry", "year": 2025, "budget": "1000", "allocated": "500", "spent": "10"},
        actor=SYSTEM,
    )
    actions.do_create_project(
        village, {"name": "c", "kind": "industry", "year": 2024, "budget": "7"}, actor=SYSTEM
    )
    open_shop = actions.do_create_workshop(
        village, {"name": "w1", "kind": "home", "opened_on": "2024-01-01"}, actor=SYSTEM
    )
    closed = actions.do_create_workshop(
        village, {"name": "w2", "kind": "factory", "opened_on": "2024-01-01"}, actor=SYSTEM
    )
    actions.do_add_worker(open_shop, someone(world.home), {"started_on": "2024-02-01"}, actor=SYSTEM)
    ended = actions.do_add_worker(
        open_shop, someone(world.unpaired), {"started_on": "2024-02-01"}, actor=SYSTEM
    )
    actions.do_end_worker(ended, "2024-06-01", actor=SYSTEM)
    actions.do_add_worker(
        closed, world.home.members.get(relation="head"), {"started_on": "2024-02-01"}, actor=SYSTEM
    )
    actions.do_close_workshop(closed, "2024-12-31", actor=SYSTEM)
    for household, fair in ((world.home, True), (world.unpaired, False)):
        actions.do_add_transfer_job(
            someone(household),
            {"place": "p", "employer": "e", "started_on": "2024-03-01", "via_job_fair": fair},
            actor=SYSTEM,
        )
    training = actions.do_create_training(
        village, {"title": "t", "day": "2025-04-01", "hours": "3.5"}, actor=SYSTEM
    )
    actions.do_add_attendance(training, someone(world.home), actor=SYSTEM)
    actions.do_add_attendance(training, someone(world.unpaired), actor=SYSTEM)
    actions.do_create_training(village, {"title": "old", "day": "2024-04-01", "hours": "2"}, actor=SYSTEM)
    neglected = actions.do_flag_member(
        someone(world.home), {"category": "child", "since": "2025-01-01", "followed_by": "f"}, actor=SYSTEM
    )
    followed = actions.do_flag_member(
        someone(world.unpaired),
        {"category": "elderly", "since": "2025-01-01", "followed_by": "f"},
        actor=SYSTEM,
    )
    actions.do_record_follow_up(followed, {"day": "2025-09-01", "note": "ok"}, actor=SYSTEM)
    ended_flag = actions.do_flag_member(
        someone(world.home), {"category": "disabled", "since": "2025-01-01", "followed_by": "f"}, actor=SYSTEM
    )
    actions.do_end_care_flag(ended_flag, "2025-02-01", actor=SYSTEM)
    assert neglected.pk

    s = summary(admin, Area.objects.get(code=TOWNSHIP), YEAR, today=TODAY)
    kinds = {k["kind"]: (k["n"], k["amount"]) for k in s["kinds"]}
    assert kinds == {
        "industry": (2, Decimal("5000.50")),
        "education": (1, Decimal("1500.00")),
        "dibao": (1, Decimal("400.00")),
    }
    assert s["measures"] == {"n": 4, "amount": Decimal("6900.50")}
    assert s["households_helped"] == 3
    assert (s["visits"], s["households_visited"]) == (3, 2)
    # Poor households of the township below 4 visits: 龙先发 (2), 施成富 (0), 杨秀清 (1); by
    # mid-October three are expected (ceil(4 × 9 / 12)), so all three are behind.
    assert (s["below_minimum"], s["behind"]) == (3, 3)
    assert s["projects"] == {
        "n": 2,
        "budget": Decimal("1100.00"),
        "allocated": Decimal("580.00"),
        "spent": Decimal("60.00"),
    }
    assert (s["workshops"], s["workers"]) == (1, 1)
    assert (s["transfer_jobs"], s["via_job_fair"]) == (2, 1)
    assert (s["trainings"], s["training_hours"], s["attendance"]) == (1, Decimal("3.5"), 2)
    assert {c["category"]: c["open"] for c in s["care"]} == {
        "child": 1,
        "woman": 0,
        "elderly": 1,
        "disabled": 0,
    }
    assert (s["care_open"], s["care_neglected"]) == (2, 1)
    children = {c["area"].code: c for c in s["children"]}
    assert children[VILLAGE]["measures"] == 3 and children[VILLAGE]["amount"] == Decimal("6500.50")
    assert children[VILLAGE]["visits"] == 2 and children[VILLAGE]["below_minimum"] == 2
    assert children[NEIGHBOUR_VILLAGE]["measures"] == 1 and children[NEIGHBOUR_VILLAGE]["behind"] == 1
    assert children[VILLAGE]["care_open"] == 2

    county = summary(admin, Area.objects.get(code=COUNTY), YEAR, today=TODAY)
    assert county["measures"]["n"] == 5 and county["measures"]["amount"] == Decimal("26900.50")
    assert summary(admin, Area.objects.get(code=COUNTY), 2024, today=TODAY)["measures"]["n"] == 1
    # The village clerk sees his village only; the neighbour's clerk the other village.
    assert (
        summary(world.personas["village_clerk"], world.personas["village_clerk"].area, YEAR, today=TODAY)[
            "measures"
        ]["n"]
        == 3
    )
    neighbour = summary(
        world.personas["neighbour_clerk"], world.personas["neighbour_clerk"].area, YEAR, today=TODAY
    )
    assert neighbour["measures"]["n"] == 1 and neighbour["care_open"] == 0 and neighbour["children"] == []


def test_the_summary_page_shows_the_figures(world: World, client_for: Any) -> None:
    measure(world.home, "industry", dt.date.today().isoformat(), "3000")  # noqa: DTZ011
    text = client_for("township_officer").get("/assistance/").content.decode()
    assert "3,000.00" in text and "十八洞村" in text
    assert 'href="/assistance/visits/?area=' in text
