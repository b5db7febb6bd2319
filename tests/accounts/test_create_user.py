"""Creating users: a known role, bound to an area at a level that role works at, a valid and
unique user name, an acceptable password, and only by an administrator of that area."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.accounts.permissions import ROLE_LEVELS, ROLE_PERMISSIONS, Role
from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import OTHER_COUNTY, VILLAGE
from tests.conftest import PASSWORD

AREA_AT_LEVEL = {
    1: "430000000000",
    2: "433100000000",
    3: "433124000000",
    4: "433124110000",
    5: VILLAGE,
    6: VILLAGE + "001",
}


def _state() -> tuple[int, int]:
    return User.objects.count(), AuditEntry.objects.count()


def _codes(exc: FupinError) -> list[str]:
    assert isinstance(exc, ValidationFailed)
    return [e.code.name for e in exc.errors]


@pytest.fixture
def every_level(db: Any) -> dict[int, Area]:
    do_add_village_group(Area.objects.get(code=VILLAGE), "1", "一组", actor=SYSTEM)
    return {level: Area.objects.get(code=code) for level, code in AREA_AT_LEVEL.items()}


def test_every_role_has_permissions_and_levels_declared() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role.values) == set(ROLE_LEVELS)


@pytest.mark.parametrize("level", sorted(AREA_AT_LEVEL))
@pytest.mark.parametrize("role", Role.values)
def test_a_role_is_bound_only_to_the_area_levels_it_works_at(
    every_level: dict[int, Area], role: str, level: int
) -> None:
    area = every_level[level]
    if level in ROLE_LEVELS[role]:
        user = do_create_user(f"u-{role}-{level}", role=role, area=area, password=PASSWORD)
        assert (user.role, user.area_id) == (role, area.code)
    else:
        before = _state()
        with pytest.raises(ValidationFailed) as caught:
            do_create_user(f"u-{role}-{level}", role=role, area=area, password=PASSWORD)
        assert _codes(caught.value) == ["WRONG_LEVEL"]
        assert caught.value.errors[0].field == "area"
        assert _state() == before


def test_an_unknown_role_is_refused_with_the_list_of_roles(db: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        do_create_user("li.ming", role="mayor", area=Area.objects.get(code=VILLAGE), password=PASSWORD)
    assert _codes(caught.value) == ["UNKNOWN_ROLE"]
    message = caught.value.errors[0].message
    assert "mayor" in message and "village_clerk" in message


@pytest.mark.parametrize("name", ["li.ming", "li_ming-2", "abc", "张三丰", "a" * 150])
def test_a_user_name_of_letters_digits_and_dot_dash_underscore_is_accepted(db: Any, name: str) -> None:
    assert do_create_user(name, role="village_clerk", area=Area.objects.get(code=VILLAGE)).username == name


@pytest.mark.parametrize("name", ["ab", "", "li ming", "li/ming", "li@ming", "a" * 151, "li\nming"])
def test_any_other_user_name_is_refused(db: Any, name: str) -> None:
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        do_create_user(name, role="village_clerk", area=Area.objects.get(code=VILLAGE))
    assert _codes(caught.value) == ["USERNAME_INVALID"]
    assert _state() == before


def test_a_taken_user_name_is_refused(db: Any) -> None:
    village = Area.objects.get(code=VILLAGE)
    do_create_user("li.ming", role="village_clerk", area=village)
    before = _state()
    with pytest.raises(ValidationFailed) as caught:
        do_create_user("li.ming", role="first_secretary", area=village)
    assert _codes(caught.value) == ["USERNAME_TAKEN"]
    assert _state() == before


def test_all_problems_are_reported_together(db: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        do_create_user("x", role="mayor", area=Area.objects.get(code=VILLAGE))
    assert _codes(caught.value) == ["UNKNOWN_ROLE", "USERNAME_INVALID"]
    assert [e.field for e in caught.value.errors] == ["role", "username"]


@pytest.mark.parametrize("password", ["short1!", "12345678901", "password123"])
def test_a_weak_password_is_refused_and_no_user_is_created(db: Any, password: str) -> None:
    before = _state()
    with pytest.raises(FupinError) as caught:
        do_create_user(
            "li.ming", role="village_clerk", area=Area.objects.get(code=VILLAGE), password=password
        )
    assert (caught.value.code.name, caught.value.field) == ("WEAK_PASSWORD", "password")
    assert caught.value.message  # the validators' reasons, not an empty text
    assert _state() == before


def test_without_a_password_the_account_cannot_log_in_yet(db: Any) -> None:
    user = do_create_user("li.ming", role="village_clerk", area=Area.objects.get(code=VILLAGE))
    assert not user.has_usable_password()


def test_creating_a_user_is_audited_once_without_the_password_hash(db: Any) -> None:
    before = AuditEntry.objects.count()
    user = do_create_user(
        "li.ming", role="village_clerk", area=Area.objects.get(code=VILLAGE), password=PASSWORD
    )
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="accounts.create_user")
    assert (entry.object_type, entry.object_id, entry.area_code) == ("accounts.user", str(user.pk), VILLAGE)
    assert entry.after["username"] == "li.ming"
    assert "password" not in entry.after
    assert user.password not in str(entry.after)


def test_a_county_administrator_creates_users_inside_the_county(personas: dict[str, User]) -> None:
    user = do_create_user(
        "new.clerk", role="village_clerk", area=Area.objects.get(code=VILLAGE), actor=personas["county_admin"]
    )
    assert (
        AuditEntry.objects.get(action="accounts.create_user", object_id=str(user.pk)).actor
        == personas["county_admin"]
    )


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("outsider", NotFound),  # a county administrator, but of 泸溪县
        ("township_officer", PermissionDenied),
        ("village_clerk", PermissionDenied),
        ("supervisor", PermissionDenied),
    ],
)
def test_others_cannot_create_users_here_and_nothing_is_written(
    personas: dict[str, User], username: str, error: type[FupinError]
) -> None:
    before = _state()
    with pytest.raises(error):
        do_create_user(
            "new.clerk", role="village_clerk", area=Area.objects.get(code=VILLAGE), actor=personas[username]
        )
    assert _state() == before


def test_the_outsider_administers_its_own_county(personas: dict[str, User]) -> None:
    user = do_create_user(
        "lx.admin2", role="county_admin", area=Area.objects.get(code=OTHER_COUNTY), actor=personas["outsider"]
    )
    assert user.area_id == OTHER_COUNTY
