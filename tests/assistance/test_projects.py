"""Projects and funds: spent ≤ allocated ≤ budget, all at least 0; a village or township only;
one name per area and year; beneficiaries are the distinct households with linked measures;
totals per village; the wrong role and the wrong area."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.assistance.actions import do_create_project, do_record_measure, do_update_project
from fupin.assistance.models import Project
from fupin.assistance.queries import project_list, project_totals
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from tests.assistance.conftest import World

THIS_YEAR = timezone.localdate().year


def funds(**changes: Any) -> dict[str, Any]:
    return {
        "name": "猕猴桃基地",
        "kind": "industry",
        "year": "2024",
        "budget": "300000",
        "allocated": "200000",
        "spent": "150000.50",
        **changes,
    }


def codes(exc: FupinError) -> set[str]:
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    return {e.code.name for e in errors}


def here(code: str = VILLAGE) -> Area:
    return Area.objects.get(code=code)


def test_a_clerk_creates_a_project_and_it_is_audited(world: World) -> None:
    clerk = world.personas["village_clerk"]
    p = do_create_project(here(), funds(started_on="2024-03-01", finished_on="2024-10-01"), actor=clerk)
    assert (p.area_id, p.name, p.year, p.budget, p.allocated, p.spent) == (
        VILLAGE,
        "猕猴桃基地",
        2024,
        Decimal("300000.00"),
        Decimal("200000.00"),
        Decimal("150000.50"),
    )
    assert AuditEntry.objects.get(action="assistance.create_project").after["spent"] == "150000.50"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"allocated": "300000.01"}, "ALLOCATED_OVER_BUDGET"),
        ({"spent": "200000.01"}, "SPENT_OVER_ALLOCATED"),
        ({"budget": "-1", "allocated": "0", "spent": "0"}, "NEGATIVE_AMOUNT"),
        ({"spent": "-0.01"}, "NEGATIVE_AMOUNT"),
        ({"budget": "1.001"}, "BAD_AMOUNT"),
        ({"name": ""}, "NAME_REQUIRED"),
        ({"kind": "lottery"}, "UNKNOWN_CHOICE"),
        ({"year": "2009"}, "BAD_YEAR"),
        ({"year": str(THIS_YEAR + 2)}, "BAD_YEAR"),
        ({"year": "soon"}, "BAD_YEAR"),
        ({"started_on": "2024-05-01", "finished_on": "2024-04-30"}, "END_BEFORE_START"),
    ],
)
def test_funds_and_fields_breaking_a_rule_are_refused(
    world: World, changes: dict[str, Any], code: str
) -> None:
    with pytest.raises(FupinError) as caught:
        do_create_project(here(), funds(**changes), actor=SYSTEM)
    assert code in codes(caught.value)
    assert not Project.objects.exists()


def test_equal_amounts_are_allowed_and_next_years_budget_may_be_planned(world: World) -> None:
    p = do_create_project(
        here(), funds(year=str(THIS_YEAR + 1), budget="100", allocated="100", spent="100"), actor=SYSTEM
    )
    assert p.spent == p.allocated == p.budget == Decimal("100.00")


def test_a_project_belongs_to_a_village_or_a_township(world: World) -> None:
    assert do_create_project(here(TOWNSHIP), funds(), actor=SYSTEM).area_id == TOWNSHIP
    with pytest.raises(FupinError) as caught:
        do_create_project(here(COUNTY), funds(name="全县"), actor=SYSTEM)
    assert codes(caught.value) == {"AREA_VILLAGE_OR_TOWNSHIP"}


def test_one_name_per_area_and_year(world: World) -> None:
    do_create_project(here(), funds(), actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        do_create_project(here(), funds(budget="1", allocated="0", spent="0"), actor=SYSTEM)
    assert codes(caught.value) == {"PROJECT_EXISTS"}
    assert do_create_project(here(), funds(year="2025"), actor=SYSTEM)
    assert do_create_project(here(NEIGHBOUR_VILLAGE), funds(), actor=SYSTEM)
    assert Project.objects.count() == 3


def test_recording_the_funds_as_they_move(world: World) -> None:
    officer = world.personas["township_officer"]
    p = do_create_project(here(), funds(spent="0"), actor=officer)
    do_update_project(p, funds(spent="180000"), actor=officer)
    p.refresh_from_db()
    assert p.spent == Decimal("180000.00")
    with pytest.raises(FupinError) as caught:
        do_update_project(p, funds(allocated="100000"), actor=officer)  # spent would exceed allocated
    assert codes(caught.value) == {"SPENT_OVER_ALLOCATED"}
    p.refresh_from_db()
    assert p.allocated == Decimal("200000.00")
    entry = AuditEntry.objects.get(action="assistance.update_project")
    assert entry.before["spent"] == "0.00" and entry.after["spent"] == "180000.00"
    other = do_create_project(here(), funds(name="光伏电站"), actor=officer)
    with pytest.raises(FupinError) as caught:
        do_update_project(other, funds(), actor=officer)  # renamed onto the first
    assert codes(caught.value) == {"PROJECT_EXISTS"}


@pytest.mark.parametrize("persona", ["org_dept", "first_secretary", "cadre", "supervisor", "dept_provider"])
def test_roles_without_the_permission_are_refused(world: World, persona: str) -> None:
    p = do_create_project(here(), funds(), actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        do_create_project(here(), funds(name="新项目"), actor=world.personas[persona])
    with pytest.raises(PermissionDenied):
        do_update_project(p, funds(spent="0"), actor=world.personas[persona])
    assert Project.objects.count() == 1 and Project.objects.get().spent == Decimal("150000.50")


def test_outside_the_area_is_not_found(world: World) -> None:
    p = do_create_project(here(), funds(), actor=SYSTEM)
    for persona in ("outsider", "neighbour_clerk"):
        with pytest.raises(NotFound):
            do_create_project(here(), funds(name="x"), actor=world.personas[persona])
        with pytest.raises(NotFound):
            do_update_project(p, funds(spent="0"), actor=world.personas[persona])
    # A village clerk cannot create a township project either: the township is above his area.
    with pytest.raises(NotFound):
        do_create_project(here(TOWNSHIP), funds(), actor=world.personas["village_clerk"])


def test_beneficiaries_and_totals_per_village(world: World) -> None:
    admin = world.personas["county_admin"]
    kiwi = do_create_project(here(), funds(), actor=SYSTEM)
    solar = do_create_project(
        here(), funds(name="光伏", budget="50000", allocated="50000", spent="40000"), actor=SYSTEM
    )
    tea = do_create_project(here(NEIGHBOUR_VILLAGE), funds(name="茶园", spent="0"), actor=SYSTEM)
    day = "2024-06-01"
    for household, project in (
        (world.home, kiwi),
        (world.home, kiwi),
        (world.unpaired, kiwi),
        (world.home, solar),
    ):
        do_record_measure(
            household,
            {"kind": "industry", "day": day, "description": "分红", "project": project.pk},
            actor=SYSTEM,
        )
    do_record_measure(
        world.neighbour,
        {"kind": "industry", "day": day, "description": "茶苗", "project": tea.pk},
        actor=SYSTEM,
    )
    rows = {p.name: p.beneficiaries for p in project_list(admin, here(COUNTY))}
    assert rows == {"猕猴桃基地": 2, "光伏": 1, "茶园": 1}
    totals = {t["area"].code: t for t in project_totals(project_list(admin, here(COUNTY)))}
    assert totals[VILLAGE]["projects"] == 2
    assert totals[VILLAGE]["budget"] == Decimal("350000.00")
    assert totals[VILLAGE]["allocated"] == Decimal("250000.00")
    assert totals[VILLAGE]["spent"] == Decimal("190000.50")
    assert totals[VILLAGE]["beneficiaries"] == 3  # per project, summed
    assert totals[NEIGHBOUR_VILLAGE]["spent"] == Decimal("0.00")
    # A village clerk sees only his village's projects; a year filter keeps that year's.
    assert {p.name for p in project_list(world.personas["village_clerk"], here())} == {"猕猴桃基地", "光伏"}
    assert project_list(admin, here(COUNTY), 2023) == []
