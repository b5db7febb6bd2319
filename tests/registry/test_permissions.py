"""Every registry action, for every persona: allowed ones write exactly one audit entry
(actor, action, object, area, before/after); denied ones write nothing and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.registry import actions
from fupin.registry.models import Household, Member
from tests.conftest import make_household, new_id_number
from tests.registry.helpers import ALL_PERSONAS, EDITORS, OUTSIDE, registry_fingerprint


class Case(NamedTuple):
    action: str
    object_type: str
    has_before: bool
    call: Callable[[Household, Member, User], Any]


def _create(h: Household, m: Member, actor: User) -> Household:
    return actions.do_create_household(
        Area.objects.get(code=VILLAGE),
        {"head_name": "新户", "main_cause": "labour"},
        actor=actor,
        members=[{"name": "新户", "relation": "head", "id_number": new_id_number(dt.date(1955, 5, 5))}],
    )


CASES = [
    Case("registry.create_household", "registry.household", False, _create),
    Case(
        "registry.update_household",
        "registry.household",
        True,
        lambda h, m, a: actions.do_update_household(h, {"bank_name": "农商银行"}, actor=a),
    ),
    Case(
        "registry.add_member",
        "registry.member",
        False,
        lambda h, m, a: actions.do_add_member(
            h,
            {"name": "新生", "relation": "grandchild", "id_number": new_id_number(dt.date(2020, 1, 1))},
            actor=a,
        ),
    ),
    Case(
        "registry.update_member",
        "registry.member",
        True,
        lambda h, m, a: actions.do_update_member(m, {"education": "junior"}, actor=a),
    ),
    Case(
        "registry.remove_member",
        "registry.member",
        True,
        lambda h, m, a: actions.do_remove_member(m, left_on=dt.date(2024, 1, 1), reason="迁出", actor=a),
    ),
    Case(
        "registry.record_income",
        "registry.incomerecord",
        False,
        lambda h, m, a: actions.do_record_income(h, 2023, {"wage": "5000"}, actor=a),
    ),
    Case(
        "registry.record_conditions",
        "registry.householdcondition",
        False,
        lambda h, m, a: actions.do_record_conditions(h, 2023, {"food_secure": True}, actor=a),
    ),
    Case(
        "registry.reveal_id_number",
        "registry.member",
        False,
        lambda h, m, a: actions.do_reveal_id_number(m, actor=a),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.action for c in CASES])
@pytest.mark.parametrize("username", ALL_PERSONAS)
def test_an_action_is_audited_once_when_allowed_and_changes_nothing_when_denied(
    personas: dict[str, User], username: str, case: Case
) -> None:
    household = make_household()
    member = household.members.exclude(relation="head").first()
    assert member is not None
    actor = personas[username]
    before = registry_fingerprint()
    last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    if username not in EDITORS:
        denied = NotFound if username in OUTSIDE else PermissionDenied
        with pytest.raises(denied):
            case.call(household, member, actor)
        assert registry_fingerprint() == before
        return

    result = case.call(household, member, actor)
    entries = list(AuditEntry.objects.filter(id__gt=last_id))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == case.action
    assert entry.actor == actor
    assert entry.actor_name == actor.username
    assert entry.object_type == case.object_type
    assert entry.area_code == VILLAGE
    if case.action == "registry.reveal_id_number":
        assert entry.object_id == str(member.pk)
    else:
        assert entry.object_id == str(result.pk)
        assert entry.after
    assert (entry.before is not None) == case.has_before


def test_a_write_outside_the_area_looks_exactly_like_a_missing_household(personas: dict[str, User]) -> None:
    household = make_household()
    with pytest.raises(NotFound) as caught:
        actions.do_update_household(household, {"bank_name": "x"}, actor=personas["outsider"])
    assert caught.value.as_dict() == NotFound().as_dict()


def test_an_inactive_editor_is_refused(personas: dict[str, User]) -> None:
    clerk = personas["village_clerk"]
    clerk.is_active = False
    household = make_household()
    before = registry_fingerprint()
    with pytest.raises(PermissionDenied):
        actions.do_update_household(household, {"bank_name": "x"}, actor=clerk)
    assert registry_fingerprint() == before


def test_a_household_is_registered_only_in_a_village_or_a_group(personas: dict[str, User]) -> None:
    township = Area.objects.get(code="433124110000")
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_create_household(township, {"head_name": "乡里人"}, actor=personas["county_admin"])
    assert caught.value.as_dict()["code"] == "AREA_NOT_VILLAGE"
    assert registry_fingerprint() == before
