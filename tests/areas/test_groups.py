"""Village groups (村民小组), the sixth level: added by users, only under a village, in their area."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area, Level
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE

ALLOWED = {"county_admin", "township_officer", "village_clerk"}
OUTSIDE = {"outsider", "neighbour_clerk"}
EVERYONE = ALL_USERNAMES


def _state() -> tuple[int, int]:
    return Area.objects.count(), AuditEntry.objects.count()


def _refused(village_code: str, number: str, name: str = "一组", actor: Any = SYSTEM) -> FupinError:
    before = _state()
    with pytest.raises(FupinError) as caught:
        do_add_village_group(Area.objects.get(code=village_code), number, name, actor=actor)
    assert _state() == before
    return caught.value


def test_a_group_code_is_the_village_code_and_three_digits(db: Any) -> None:
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "3", " 三组 ", actor=SYSTEM)
    group.refresh_from_db()
    assert (group.code, group.name, group.level, group.parent_id) == (
        f"{VILLAGE}003",
        "三组",
        Level.GROUP,
        VILLAGE,
    )
    assert group.prefix == f"{VILLAGE}003"


@pytest.mark.parametrize(
    ("number", "code"), [("1", "001"), ("12", "012"), ("123", "123"), (" 7 ", "007"), ("１２", "012")]
)
def test_one_to_three_digits_are_a_group_number(db: Any, number: str, code: str) -> None:
    assert (
        do_add_village_group(Area.objects.get(code=VILLAGE), number, "组", actor=SYSTEM).code
        == VILLAGE + code
    )


@pytest.mark.parametrize("number", ["", "1234", "a1", "-1", "1.5", "٣", "１２３４"])
def test_anything_else_is_not_a_group_number(db: Any, number: str) -> None:
    error = _refused(VILLAGE, number)
    assert (error.code.name, error.field) == ("GROUP_NUMBER", "number")


def test_a_group_needs_a_name(db: Any) -> None:
    error = _refused(VILLAGE, "1", "  ")
    assert (error.code.name, error.field) == ("NAME_REQUIRED", "name")


def test_a_name_too_long_for_the_column_is_refused(db: Any) -> None:
    error = _refused(VILLAGE, "1", "组" * 101)
    assert (error.code.name, error.field) == ("NAME_TOO_LONG", "name")


def test_the_same_number_twice_in_one_village_is_refused(db: Any) -> None:
    do_add_village_group(Area.objects.get(code=VILLAGE), "2", "二组", actor=SYSTEM)
    error = _refused(VILLAGE, "002", "又一个二组")
    assert (error.code.name, error.field) == ("GROUP_EXISTS", "number")


def test_the_same_number_in_another_village_is_fine(db: Any) -> None:
    do_add_village_group(Area.objects.get(code=VILLAGE), "2", "二组", actor=SYSTEM)
    assert do_add_village_group(Area.objects.get(code=NEIGHBOUR_VILLAGE), "2", "二组", actor=SYSTEM)


@pytest.mark.parametrize("code", [TOWNSHIP, "433124000000"])
def test_groups_go_only_under_a_village(db: Any, code: str) -> None:
    assert _refused(code, "1").code.name == "NOT_A_VILLAGE"


def test_a_group_cannot_hold_a_group(db: Any) -> None:
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "1", "一组", actor=SYSTEM)
    assert _refused(group.code, "1").code.name == "NOT_A_VILLAGE"


@pytest.mark.parametrize("username", EVERYONE)
def test_adding_a_group_is_scoped_by_role_and_area_and_audited_once(
    personas: dict[str, User], username: str
) -> None:
    actor = personas[username]
    before = _state()
    if username in ALLOWED:
        group = do_add_village_group(Area.objects.get(code=VILLAGE), "9", "九组", actor=actor)
        assert _state() == (before[0] + 1, before[1] + 1)
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry is not None
        assert (entry.action, entry.actor, entry.object_type, entry.object_id, entry.area_code) == (
            "areas.add_group",
            actor,
            "areas.area",
            group.code,
            group.code,
        )
        assert entry.after == {"code": group.code, "name": "九组", "level": 6, "parent_id": VILLAGE}
    else:
        denied = NotFound if username in OUTSIDE else PermissionDenied
        with pytest.raises(denied):
            do_add_village_group(Area.objects.get(code=VILLAGE), "9", "九组", actor=actor)
        assert _state() == before
