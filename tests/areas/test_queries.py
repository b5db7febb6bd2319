"""Reading areas through the user's jurisdiction."""

from __future__ import annotations

import pytest

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.areas.queries import access_area_by_code, areas_within, children_of
from fupin.core.errors import NotFound
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_COUNTY, TOWNSHIP, VILLAGE


def test_an_area_inside_the_user_area_is_returned(personas: dict[str, User]) -> None:
    assert access_area_by_code(personas["county_admin"], VILLAGE).name == "十八洞村"
    assert access_area_by_code(personas["township_officer"], TOWNSHIP).code == TOWNSHIP
    assert access_area_by_code(personas["village_clerk"], VILLAGE).code == VILLAGE


@pytest.mark.parametrize(
    ("username", "outside", "missing"),
    [
        ("county_admin", OTHER_COUNTY, "433124999999"),
        ("township_officer", "433124102000", "433124110999"),
        ("village_clerk", NEIGHBOUR_VILLAGE, VILLAGE + "001"),
        ("village_clerk", TOWNSHIP, "433124110226999"),
        ("outsider", COUNTY, "433122999999"),
    ],
)
def test_a_missing_code_and_one_outside_give_the_same_not_found(
    personas: dict[str, User], username: str, outside: str, missing: str
) -> None:
    user = personas[username]
    assert Area.objects.filter(code=outside).exists()
    assert not Area.objects.filter(code=missing).exists()
    with pytest.raises(NotFound) as for_outside:
        access_area_by_code(user, outside)
    with pytest.raises(NotFound) as for_missing:
        access_area_by_code(user, missing)
    assert for_outside.value.as_dict() == for_missing.value.as_dict()
    assert for_outside.value.status == for_missing.value.status == 404


@pytest.mark.parametrize("code", ["", "433124", "4331241102260"])
def test_a_malformed_code_is_not_found_either(personas: dict[str, User], code: str) -> None:
    with pytest.raises(NotFound):
        access_area_by_code(personas["county_admin"], code)


def test_an_anonymous_reader_finds_no_area(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotFound):
        access_area_by_code(AnonymousUser(), COUNTY)


def test_areas_within_a_township_are_itself_and_its_villages(db: None) -> None:
    township = Area.objects.get(code=TOWNSHIP)
    codes = set(areas_within(township).values_list("code", flat=True))
    assert codes == {TOWNSHIP} | set(children_of(township).values_list("code", flat=True))
    assert VILLAGE in codes and NEIGHBOUR_VILLAGE in codes


def test_children_are_listed_in_code_order(db: None) -> None:
    codes = list(children_of(Area.objects.get(code=COUNTY)).values_list("code", flat=True))
    assert codes == sorted(codes)
    assert len(codes) == 12
