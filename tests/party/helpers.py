"""The persona sets and one call of every party action, for the role and area matrices, and a
snapshot of every party table and the audit log to show a refused write changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fupin.core.errors import FupinError, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.party import actions
from fupin.party.models import Cadre, Linkage, Organisation, PartyMember, Rating, Unit

# Roles (persona names) by what the role holds; where they sit is separate.
VIEWERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "supervisor",
    "outsider",
    "neighbour_clerk",
}
EDITORS = {"org_dept", "township_officer"}
RATERS = {"org_dept"}
OUTSIDE = {"outsider", "neighbour_clerk"}  # their areas do not hold 十八洞村


def expected(persona: str, allowed: set[str], success: int = 200) -> int:
    """The status for a request about an object in 十八洞村 that needs one of ``allowed``
    besides VIEW_PARTY: a role without VIEW_PARTY is refused first (403), then outside the area
    it is 404 like a missing object, then the role decides."""
    if persona not in VIEWERS:
        return 403
    if persona in OUTSIDE:
        return 404
    return success if persona in allowed else 403


def state() -> tuple[Any, ...]:
    """Every row of every party table, the joint committees' villages and the audit log's size."""
    rows = [
        tuple(tuple(sorted(r.items())) for r in model.objects.order_by("pk").values())
        for model in (Unit, Organisation, Linkage, PartyMember, Cadre, Rating)
    ]
    through = Organisation.villages.through.objects.order_by("pk")
    villages = tuple(through.values_list("organisation_id", "area_id"))
    return (*rows, villages, AuditEntry.objects.count())


Action = Callable[[dict[str, Any], Any], Any]

# Each action on the objects of one village (``build_world``); creating ones name the village.
ACTIONS: dict[str, Action] = {
    "create_unit": lambda w, a: actions.do_create_unit(
        {"area": w["village"].code, "name": "新的帮扶单位", "kind": "department"}, actor=a
    ),
    "edit_unit": lambda w, a: actions.do_edit_unit(w["unit"], {"name": "改名的合作社"}, actor=a),
    "create_organisation": lambda w, a: actions.do_create_organisation(
        {"area": w["village"].code, "name": "新党小组支部", "kind": "branch", "setting": "village"}, actor=a
    ),
    "edit_organisation": lambda w, a: actions.do_edit_organisation(
        w["branch"], {"secretary_name": "新书记"}, actor=a
    ),
    "dissolve_organisation": lambda w, a: actions.do_dissolve_organisation(w["coop"], actor=a),
    "create_linkage": lambda w, a: actions.do_create_linkage(
        w["branch"], w["coop"], {"kind": "strong_weak"}, actor=a
    ),
    "end_linkage": lambda w, a: actions.do_end_linkage(w["link"], actor=a),
    "add_party_member": lambda w, a: actions.do_add_party_member(
        w["branch"], {"name": "吴新党员", "status": "probationary"}, actor=a
    ),
    "edit_party_member": lambda w, a: actions.do_edit_party_member(
        w["member"], {"post": "组织委员"}, actor=a
    ),
    "add_cadre": lambda w, a: actions.do_add_cadre(
        {
            "area": w["village"].code,
            "name": "杨会计",
            "post": "accountant",
            "birth_year": 1980,
            "education": "senior",
        },
        actor=a,
    ),
    "edit_cadre": lambda w, a: actions.do_edit_cadre(w["cadre"], {"reserve": True}, actor=a),
    "rate_organisation": lambda w, a: actions.do_rate_organisation(
        w["branch"], {"year": 2024, "stars": 3, "rating_class": "middle"}, actor=a
    ),
}
# Actions that first ask only for the role, then for the area they are given in their data.
CREATING = {"create_unit", "create_organisation", "add_cadre"}
# The permission each action needs (besides its area).
NEEDS_RATE = {"rate_organisation"}


def codes(exc: pytest.ExceptionInfo[FupinError]) -> set[tuple[str, str | None]]:
    err = exc.value
    errors = err.errors if isinstance(err, ValidationFailed) else [err]
    return {(e.code.name, e.field) for e in errors}


def refused(call: Any, *expected: tuple[str, str | None]) -> None:
    """The call fails with exactly these (code, field) errors and changes nothing."""
    before = state()
    with pytest.raises(FupinError) as exc:
        call()
    assert codes(exc) == set(expected)
    assert state() == before


def last_entry(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-pk").first()
    assert entry is not None
    return entry
