"""Measures and home visits: every rule of the record, who may record (a cadre only for the
households paired to them), the wrong role and the wrong area, and the audit entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.assistance.actions import do_create_project, do_record_measure, do_record_visit
from fupin.assistance.errors import AssistanceError, NotPaired
from fupin.assistance.models import Measure, Visit
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.pairing.models import PairingKind
from tests.assistance.conftest import World, pair

TODAY = timezone.localdate()


def measure(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "industry",
        "day": TODAY.isoformat(),
        "amount": "3000",
        "description": "猕猴桃苗",
        **changes,
    }


def codes(exc: FupinError) -> set[str]:
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    return {e.code.name for e in errors}


def project(code: str, year: int = 2024, name: str = "猕猴桃基地") -> Any:
    return do_create_project(
        Area.objects.get(code=code), {"name": name, "kind": "industry", "year": year}, actor=SYSTEM
    )


# --- measures -----------------------------------------------------------------------------


def test_a_clerk_records_a_measure_with_its_pairing_and_project(world: World) -> None:
    clerk = world.personas["village_clerk"]
    linked = project(VILLAGE)
    m = do_record_measure(
        world.home, measure(responsible=world.pairing.pk, project=linked.pk, amount="1234.5"), actor=clerk
    )
    assert (m.kind, m.day, m.amount, m.description) == ("industry", TODAY, Decimal("1234.50"), "猕猴桃苗")
    assert (m.responsible, m.project, m.area_id, m.recorded_by) == (world.pairing, linked, VILLAGE, clerk)
    entry = AuditEntry.objects.get(action="assistance.record_measure")
    assert entry.object_id == str(m.pk) and entry.area_code == VILLAGE and entry.actor == clerk
    assert entry.after["amount"] == "1234.50"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"day": (TODAY + dt.timedelta(days=1)).isoformat()}, "DATE_IN_FUTURE"),
        ({"day": ""}, "DATE_REQUIRED"),
        ({"day": "2024-02-30"}, "BAD_DATE"),
        ({"amount": "-1"}, "NEGATIVE_AMOUNT"),
        ({"amount": "10.005"}, "BAD_AMOUNT"),
        ({"amount": "ten"}, "BAD_AMOUNT"),
        ({"description": "  "}, "DESCRIPTION_REQUIRED"),
        ({"description": "x" * 301}, "TOO_LONG"),
        ({"kind": "charity"}, "UNKNOWN_CHOICE"),
    ],
)
def test_a_measure_breaking_a_rule_is_refused(world: World, changes: dict[str, Any], code: str) -> None:
    with pytest.raises(FupinError) as caught:
        do_record_measure(world.home, measure(**changes), actor=world.personas["village_clerk"])
    assert code in codes(caught.value)
    assert not Measure.objects.exists()


def test_every_problem_is_reported_at_once(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        do_record_measure(world.home, measure(amount="-5", description=""), actor=SYSTEM)
    assert {e.field for e in caught.value.errors} == {"amount", "description"}


def test_a_blank_amount_is_help_in_kind_and_the_kind_may_be_its_label(world: World) -> None:
    m = do_record_measure(world.home, measure(amount="", kind="industry"), actor=SYSTEM)
    assert m.amount == Decimal("0.00")


def test_the_responsible_must_be_an_active_pairing_of_the_household(world: World) -> None:
    elsewhere = pair(world.unpaired, name="吴队员")
    ended = pair(world.home, name="石老师", started_on=dt.date(2020, 1, 1), ended_on=dt.date(2023, 1, 1))
    future = pair(world.home, name="新干部", started_on=TODAY + dt.timedelta(days=30))
    for wrong in (elsewhere.pk, ended.pk, future.pk, 999999, "abc"):
        with pytest.raises(FupinError) as caught:
            do_record_measure(world.home, measure(responsible=wrong), actor=SYSTEM)
        assert codes(caught.value) == {"RESPONSIBLE_NOT_PAIRED"}, wrong
    member = pair(world.home, name="党员龙大", kind=PairingKind.MEMBER_HOUSEHOLD)
    assert do_record_measure(world.home, measure(responsible=member.pk), actor=SYSTEM).responsible == member
    # An end date still ahead: in force until then.
    leaving = pair(world.home, name="调走干部", ended_on=TODAY + dt.timedelta(days=3))
    assert do_record_measure(world.home, measure(responsible=leaving.pk), actor=SYSTEM).responsible == leaving


def test_the_project_must_be_of_the_village_or_its_township_and_not_later(world: World) -> None:
    village_project = project(VILLAGE, 2024)
    township_project = project(TOWNSHIP, 2023, "双龙镇光伏")
    neighbour_project = project(NEIGHBOUR_VILLAGE, 2024, "丙池茶园")
    other_township = project(OTHER_TOWNSHIP_VILLAGE[:9] + "000", 2024, "龙潭镇项目")
    next_year = project(VILLAGE, TODAY.year + 1, "明年项目")
    assert do_record_measure(world.home, measure(project=village_project.pk), actor=SYSTEM).project_id
    assert do_record_measure(world.home, measure(project=township_project.pk), actor=SYSTEM).project_id
    for outside in (neighbour_project, other_township):
        with pytest.raises(FupinError) as caught:
            do_record_measure(world.home, measure(project=outside.pk), actor=SYSTEM)
        assert codes(caught.value) == {"PROJECT_OUTSIDE"}
    with pytest.raises(FupinError) as caught:
        do_record_measure(world.home, measure(project=next_year.pk), actor=SYSTEM)
    assert codes(caught.value) == {"PROJECT_LATER"}
    # Same year as the measure: fine; a measure dated before the project's year: refused.
    with pytest.raises(FupinError) as caught:
        do_record_measure(world.home, measure(project=village_project.pk, day="2023-12-31"), actor=SYSTEM)
    assert caught.value.code == AssistanceError.PROJECT_LATER
    assert do_record_measure(world.home, measure(project=village_project.pk, day="2024-01-01"), actor=SYSTEM)


def test_a_household_of_a_village_group_uses_its_villages_projects(world: World) -> None:
    from fupin.areas.actions import do_add_village_group
    from tests.conftest import make_household

    group = do_add_village_group(Area.objects.get(code=VILLAGE), "001", "竹子寨组", actor=SYSTEM)
    household = make_household(group.code, status="poor")
    linked = project(VILLAGE)
    assert do_record_measure(household, measure(project=linked.pk), actor=SYSTEM).area_id == group.code


def test_a_cadre_records_only_for_the_households_paired_to_them(world: World) -> None:
    cadre = world.personas["cadre"]
    m = do_record_measure(world.home, measure(), actor=cadre)
    assert m.responsible == world.pairing  # recorded as the one who answers for the household
    v = do_record_visit(world.home, {"day": TODAY, "discussed": "产业发展"}, actor=cadre)
    assert v.visitor == cadre
    before = (Measure.objects.count(), Visit.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NotPaired) as caught:
        do_record_measure(world.unpaired, measure(), actor=cadre)
    assert caught.value.status == 403 and caught.value.code == AssistanceError.NOT_PAIRED
    with pytest.raises(PermissionDenied):
        do_record_visit(world.unpaired, {"day": TODAY, "discussed": "x"}, actor=cadre)
    assert (Measure.objects.count(), Visit.objects.count(), AuditEntry.objects.count()) == before


def test_a_cadre_whose_pairing_ended_may_no_longer_record(world: World) -> None:
    world.pairing.ended_on = TODAY
    world.pairing.save()
    with pytest.raises(NotPaired):
        do_record_visit(world.home, {"day": TODAY, "discussed": "x"}, actor=world.personas["cadre"])


def test_a_pairing_to_someone_else_does_not_let_the_cadre_in(world: World) -> None:
    pair(world.unpaired, user=world.personas["first_secretary"])
    with pytest.raises(NotPaired):
        do_record_measure(world.unpaired, measure(), actor=world.personas["cadre"])
    # Other roles record for any household of their area, paired or not.
    assert do_record_measure(world.unpaired, measure(), actor=world.personas["first_secretary"])
    assert do_record_measure(world.unpaired, measure(), actor=world.personas["township_officer"])


@pytest.mark.parametrize("persona", ["org_dept", "supervisor", "dept_provider"])
def test_roles_without_the_permission_are_refused(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        do_record_measure(world.home, measure(), actor=world.personas[persona])
    with pytest.raises(PermissionDenied):
        do_record_visit(world.home, {"day": TODAY, "discussed": "x"}, actor=world.personas[persona])
    assert not Measure.objects.exists() and not Visit.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "neighbour_clerk"])
def test_outside_the_area_is_not_found(world: World, persona: str) -> None:
    with pytest.raises(NotFound):
        do_record_measure(world.home, measure(), actor=world.personas[persona])
    with pytest.raises(NotFound):
        do_record_visit(world.home, {"day": TODAY, "discussed": "x"}, actor=world.personas[persona])
    assert do_record_measure(world.neighbour, measure(), actor=world.personas["neighbour_clerk"])


# --- visits -------------------------------------------------------------------------------


def test_a_visit_needs_a_date_not_in_the_future_and_what_was_discussed(world: World) -> None:
    clerk = world.personas["village_clerk"]
    for data, code in (
        ({"day": TODAY + dt.timedelta(days=1), "discussed": "x"}, "DATE_IN_FUTURE"),
        ({"discussed": "x"}, "DATE_REQUIRED"),
        ({"day": TODAY, "discussed": " "}, "DISCUSSED_REQUIRED"),
        ({"day": TODAY, "discussed": "x", "done": "y" * 501}, "TOO_LONG"),
        ({"day": TODAY, "discussed": "x", "visitor_name": "z" * 51}, "TOO_LONG"),
    ):
        with pytest.raises(FupinError) as caught:
            do_record_visit(world.home, data, actor=clerk)
        assert codes(caught.value) == {code}, data
    assert not Visit.objects.exists()


def test_the_visitor_defaults_to_the_users_name_or_role_never_the_login(world: World) -> None:
    clerk = world.personas["village_clerk"]
    clerk.first_name, clerk.last_name = "", ""
    clerk.save()
    v = do_record_visit(world.home, {"day": TODAY, "discussed": "危房改造进度"}, actor=clerk)
    assert v.visitor_name == "村信息员" and v.visitor == clerk and v.area_id == VILLAGE
    clerk.first_name, clerk.last_name = "秀英", "龙"
    clerk.save()
    v = do_record_visit(world.home, {"day": TODAY, "discussed": "x", "done": "送去春耕种子"}, actor=clerk)
    assert v.visitor_name in {"秀英 龙", "龙 秀英"} and v.done == "送去春耕种子"
    v = do_record_visit(
        world.home, {"day": "2024-05-06", "discussed": "x", "visitor_name": "吴队员"}, actor=clerk
    )
    assert (v.visitor_name, v.day) == ("吴队员", dt.date(2024, 5, 6))
    assert AuditEntry.objects.filter(action="assistance.record_visit").count() == 3
