"""GET /areas/{code}: an area inside the caller's, its children, and counts for roles that may
read the household file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry import actions
from tests.api.helpers import NOT_FOUND_BODY, Api
from tests.conftest import make_household


def test_a_township_lists_its_villages_with_their_counts(api_as: Callable[[str], Api]) -> None:
    # given two households in 十八洞村 (one registered poor) and one in 丙池村, same township
    make_household(VILLAGE)
    make_household(VILLAGE, status="poor")
    make_household(NEIGHBOUR_VILLAGE)

    # when the township officer opens the township
    response = api_as("township_officer").get(f"/areas/{TOWNSHIP}")

    # then it sees the township, its villages in code order, and the counts
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["name"], body["level"], body["parent_code"]) == (TOWNSHIP, "双龙镇", 4, COUNTY)
    codes = [child["code"] for child in body["children"]]
    assert codes == sorted(codes)
    assert codes == list(
        Area.objects.filter(parent_id=TOWNSHIP).order_by("code").values_list("code", flat=True)
    )
    by_code = {child["code"]: child for child in body["children"]}
    assert {k: by_code[VILLAGE][k] for k in ("households", "poor", "exited", "monitored")} == {
        "households": 2,
        "poor": 1,
        "exited": 0,
        "monitored": 0,
    }
    assert by_code[NEIGHBOUR_VILLAGE]["households"] == 1
    assert body["counts"] == {
        "households": 3,
        "people": 9,
        "none": 2,
        "poor": 1,
        "exited": 0,
        "monitored": 0,
        "eliminated": 0,
    }


def test_people_who_left_are_not_counted(api_as: Callable[[str], Api]) -> None:
    # given a household of three of whom one has left
    household = make_household(VILLAGE)
    leaver = household.members.exclude(relation="head").first()
    assert leaver is not None
    actions.do_remove_member(leaver, left_on=dt.date(2024, 1, 1), reason="出嫁", actor=SYSTEM)

    # when the village is opened
    counts = api_as("village_clerk").get(f"/areas/{VILLAGE}").json()["counts"]

    # then two people are counted
    assert (counts["households"], counts["people"]) == (1, 2)


def test_a_role_that_may_not_read_the_file_sees_the_areas_without_counts(
    api_as: Callable[[str], Api],
) -> None:
    # given a household in the county
    make_household(VILLAGE)

    # when the department provider opens its county
    response = api_as("dept_provider").get(f"/areas/{COUNTY}")

    # then it sees the townships, but no number about households
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] is None
    assert body["children"]
    assert all(child["households"] is None for child in body["children"])


def test_an_area_above_the_callers_own_is_not_found(api_as: Callable[[str], Api]) -> None:
    # when the township officer asks for its county, and the clerk for its township
    above = api_as("township_officer").get(f"/areas/{COUNTY}")
    township = api_as("village_clerk").get(f"/areas/{TOWNSHIP}")

    # then both are outside their areas and answer like an unknown code
    assert above.status_code == township.status_code == 404
    assert above.json() == township.json() == NOT_FOUND_BODY


def test_a_village_group_is_an_area_too(api_as: Callable[[str], Api]) -> None:
    # given a village group added to 十八洞村
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "3", "三组", actor=SYSTEM)

    # when the clerk opens the village and the group
    village = api_as("village_clerk").get(f"/areas/{VILLAGE}").json()
    opened = api_as("village_clerk").get(f"/areas/{group.code}").json()

    # then the group is the village's child, at level 6, with no children of its own
    assert [(c["code"], c["name"], c["level"]) for c in village["children"]] == [(group.code, "三组", 6)]
    assert (opened["level"], opened["parent_code"], opened["children"]) == (6, VILLAGE, [])
