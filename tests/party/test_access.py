"""Every party action for every persona: only the roles holding the permission may act, an
object (or an area given in the data) outside the actor's area is NotFound like a missing one,
and a refusal changes nothing, not even the audit log. Every allowed action writes one entry."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, OTHER_TOWNSHIP_VILLAGE
from tests.party.conftest import build_world, other_county_village
from tests.party.helpers import ACTIONS, CREATING, EDITORS, NEEDS_RATE, OUTSIDE, RATERS, state


def outcome(name: str, persona: str) -> type[Exception] | None:
    """What acting on objects of 十八洞村 answers: None when it succeeds."""
    allowed = RATERS if name in NEEDS_RATE else EDITORS
    if name in CREATING:
        # The role is asked first; the area given in the data only after.
        if persona not in allowed:
            return PermissionDenied
        return NotFound if persona in OUTSIDE else None
    if persona in OUTSIDE:
        return NotFound
    return None if persona in allowed else PermissionDenied


@pytest.mark.parametrize("name", sorted(ACTIONS))
@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_each_action_answers_as_the_role_and_the_area_allow(
    name: str, persona: str, world: dict[str, Any], personas: dict[str, User]
) -> None:
    actor = personas[persona]
    expected = outcome(name, persona)
    before = state()
    if expected is None:
        entries = AuditEntry.objects.count()
        result = ACTIONS[name](world, actor)
        assert result.pk is not None
        new = AuditEntry.objects.order_by("-pk").first()
        assert AuditEntry.objects.count() == entries + 1
        assert new is not None and new.action.startswith("party.") and new.actor_id == actor.pk
        assert state() != before
    else:
        with pytest.raises(expected):
            ACTIONS[name](world, actor)
        assert state() == before


@pytest.mark.parametrize("name", sorted(ACTIONS))
@pytest.mark.parametrize(
    ("persona", "place"),
    [("township_officer", "other_township"), ("org_dept", "other_county")],
)
def test_an_editor_cannot_act_outside_their_own_area(
    name: str, persona: str, place: str, personas: dict[str, User]
) -> None:
    """The township officer of 双龙镇 on a village of 龙潭镇, the county's organisation department
    on a village of another county: NotFound for every action, and nothing changes."""
    code = OTHER_TOWNSHIP_VILLAGE if place == "other_township" else other_county_village()
    world = build_world(code)
    before = state()
    with pytest.raises(NotFound):
        ACTIONS[name](world, personas[persona])
    assert state() == before
