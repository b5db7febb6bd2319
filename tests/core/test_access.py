"""The check every action starts with: role (may this actor do it?) and area (here?)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fupin.accounts.models import User
from fupin.accounts.permissions import EDIT_REGISTRY, ROLE_PERMISSIONS, VIEW_REGISTRY
from fupin.core.access import SYSTEM, covers, require
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.personas import (
    COUNTY,
    NEIGHBOUR_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)

GROUP = VILLAGE + "004"


@pytest.mark.parametrize(
    ("username", "inside", "outside"),
    [
        (
            "county_admin",
            [COUNTY, TOWNSHIP, VILLAGE, GROUP, OTHER_TOWNSHIP_VILLAGE],
            [OTHER_COUNTY, "430000000000"],
        ),
        ("township_officer", [TOWNSHIP, VILLAGE, NEIGHBOUR_VILLAGE, GROUP], [COUNTY, OTHER_TOWNSHIP_VILLAGE]),
        ("village_clerk", [VILLAGE, GROUP], [TOWNSHIP, NEIGHBOUR_VILLAGE, COUNTY]),
        ("outsider", [OTHER_COUNTY, "433122102201"], [COUNTY, VILLAGE]),
    ],
)
def test_an_actor_covers_exactly_the_codes_under_its_area(
    personas: dict[str, User], username: str, inside: list[str], outside: list[str]
) -> None:
    user = personas[username]
    assert all(covers(user, code) for code in inside)
    assert not any(covers(user, code) for code in outside)


def test_nobody_covers_an_empty_code(personas: dict[str, User]) -> None:
    assert not covers(personas["county_admin"], "")


def test_the_operator_covers_everything_and_may_do_everything() -> None:
    assert covers(SYSTEM, "110101001001")
    require(SYSTEM, "anything.at_all", area_code="110101001001")


@pytest.mark.parametrize("username", sorted(ROLE_PERMISSIONS))
def test_require_follows_the_role_permission_table_inside_the_area(
    personas: dict[str, User], username: str
) -> None:
    user = personas[username]
    for perm in {p for perms in ROLE_PERMISSIONS.values() for p in perms}:
        if perm in ROLE_PERMISSIONS[user.role]:
            require(user, perm, area_code=VILLAGE)
        else:
            with pytest.raises(PermissionDenied):
                require(user, perm, area_code=VILLAGE)


def test_outside_the_area_is_not_found_whatever_the_permission(personas: dict[str, User]) -> None:
    # Even a permission the role lacks answers NotFound outside: nothing about the place leaks.
    for perm in (VIEW_REGISTRY, "accounts.manage", "made.up"):
        with pytest.raises(NotFound):
            require(personas["neighbour_clerk"], perm, area_code=VILLAGE)


def test_without_an_area_only_the_permission_is_checked(personas: dict[str, User]) -> None:
    require(personas["outsider"], VIEW_REGISTRY)
    with pytest.raises(PermissionDenied):
        require(personas["dept_provider"], VIEW_REGISTRY)


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_an_anonymous_or_missing_actor_is_denied(actor: object) -> None:
    with pytest.raises(PermissionDenied):
        require(actor, VIEW_REGISTRY)
    with pytest.raises(PermissionDenied):
        require(actor, VIEW_REGISTRY, area_code=VILLAGE)


def test_an_inactive_user_holds_no_permission(personas: dict[str, User]) -> None:
    clerk = personas["village_clerk"]
    clerk.is_active = False
    with pytest.raises(PermissionDenied):
        require(clerk, EDIT_REGISTRY, area_code=VILLAGE)
