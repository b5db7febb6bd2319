"""Who sees which households: each persona sees exactly the households of its area, and an
outside household answers the same NotFound as one that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry import queries
from fupin.registry.models import Household
from tests.conftest import make_household

OTHER_COUNTY_VILLAGE = "433122102201"  # 六里村, 泸溪县

# Which of the world's households each persona's area holds.
SEES = {
    "county_admin": {"home", "home2", "group", "neighbour", "other_township"},
    "org_dept": {"home", "home2", "group", "neighbour", "other_township"},
    "supervisor": {"home", "home2", "group", "neighbour", "other_township"},
    "township_officer": {"home", "home2", "group", "neighbour"},
    "village_clerk": {"home", "home2", "group"},
    "first_secretary": {"home", "home2", "group"},
    "cadre": {"home", "home2", "group"},
    "outsider": {"other_county"},
    "neighbour_clerk": {"neighbour"},
}


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Household]:
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "3", "三组", actor=SYSTEM)
    return {
        "home": make_household(VILLAGE),
        "home2": make_household(VILLAGE, head_name="施二"),
        "group": make_household(group.code, head_name="组里人"),
        "neighbour": make_household(NEIGHBOUR_VILLAGE, head_name="丙池人"),
        "other_township": make_household(OTHER_TOWNSHIP_VILLAGE, head_name="土地村人"),
        "other_county": make_household(OTHER_COUNTY_VILLAGE, head_name="泸溪人"),
    }


@pytest.mark.parametrize("username", sorted(SEES))
def test_households_within_gives_exactly_the_households_of_the_persona_area(
    personas: dict[str, User], world: dict[str, Household], username: str
) -> None:
    expected = {world[name].pk for name in SEES[username]}
    assert set(queries.households_within(personas[username]).values_list("pk", flat=True)) == expected


def test_a_department_provider_sees_no_household_at_all(
    personas: dict[str, User], world: dict[str, Household]
) -> None:
    with pytest.raises(PermissionDenied):
        queries.households_within(personas["dept_provider"])
    with pytest.raises(PermissionDenied):
        queries.access_household_by_id(personas["dept_provider"], world["home"].pk)


@pytest.mark.parametrize("username", sorted(SEES))
def test_access_by_id_answers_the_same_not_found_outside_the_area_as_for_a_missing_id(
    personas: dict[str, User], world: dict[str, Household], username: str
) -> None:
    user = personas[username]
    missing = max(h.pk for h in world.values()) + 1000
    with pytest.raises(NotFound) as for_missing:
        queries.access_household_by_id(user, missing)
    for name, household in world.items():
        if name in SEES[username]:
            assert queries.access_household_by_id(user, household.pk) == household
            assert queries.access_household_by_id(user, str(household.pk)) == household
        else:
            with pytest.raises(NotFound) as for_outside:
                queries.access_household_by_id(user, household.pk)
            assert for_outside.value.as_dict() == for_missing.value.as_dict()
            assert for_outside.value.status == for_missing.value.status == 404


@pytest.mark.parametrize("raw", ["abc", None, "", "1.5", [1]])
def test_an_id_that_is_not_a_number_is_simply_not_found(personas: dict[str, User], raw: Any) -> None:
    with pytest.raises(NotFound):
        queries.access_household_by_id(personas["county_admin"], raw)


def test_members_follow_their_household_jurisdiction(
    personas: dict[str, User], world: dict[str, Household]
) -> None:
    inside = world["group"].members.first()
    outside = world["neighbour"].members.first()
    assert inside is not None and outside is not None
    clerk = personas["village_clerk"]
    assert queries.access_member_by_id(clerk, inside.pk) == inside
    with pytest.raises(NotFound) as for_outside:
        queries.access_member_by_id(clerk, outside.pk)
    with pytest.raises(NotFound) as for_missing:
        queries.access_member_by_id(clerk, 10**9)
    assert for_outside.value.as_dict() == for_missing.value.as_dict()


def test_asking_for_a_wider_or_foreign_area_gives_nothing_rather_than_more(
    personas: dict[str, User], world: dict[str, Household]
) -> None:
    clerk = personas["village_clerk"]
    for code in (COUNTY, TOWNSHIP, NEIGHBOUR_VILLAGE, "433122000000", "430000000000"):
        assert not queries.households_within(clerk, Area.objects.get(code=code)).exists()
    officer = personas["township_officer"]
    narrowed = queries.households_within(officer, Area.objects.get(code=NEIGHBOUR_VILLAGE))
    assert list(narrowed) == [world["neighbour"]]


def test_counts_for_an_area_outside_the_user_leak_nothing(
    personas: dict[str, User], world: dict[str, Household]
) -> None:
    clerk = personas["village_clerk"]
    counts = queries.area_counts(clerk, Area.objects.get(code=COUNTY))
    assert counts["households"] == 0
    assert counts["people"] == 0
    own = queries.area_counts(clerk, Area.objects.get(code=VILLAGE))
    assert own["households"] == 3
    assert own["people"] == 9


def test_child_counts_roll_up_by_sub_area(personas: dict[str, User], world: dict[str, Household]) -> None:
    rows = {
        r["area"].code: r["total"]
        for r in queries.child_counts(personas["county_admin"], Area.objects.get(code=COUNTY))
    }
    assert rows[TOWNSHIP] == 4
    assert rows["433124102000"] == 1
    assert sum(rows.values()) == 5


def test_search_stays_inside_the_area(personas: dict[str, User], world: dict[str, Household]) -> None:
    found = queries.search_households(personas["outsider"], q="人")
    assert list(found) == [world["other_county"]]
