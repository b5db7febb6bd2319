"""Trainings with attendance (people inside the training's area, once each) and care flags
(one open flag per person and category) with follow-ups; the wrong role and the wrong area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.assistance.actions import (
    do_add_attendance,
    do_create_training,
    do_end_care_flag,
    do_flag_member,
    do_record_follow_up,
)
from fupin.assistance.models import CareFlag, CareFollowUp, Training, TrainingAttendance
from fupin.assistance.queries import care_flag_list, neglected
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry.models import Household, Member
from tests.assistance.conftest import World

TODAY = timezone.localdate()


def codes(exc: FupinError) -> set[str]:
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    return {e.code.name for e in errors}


def someone(household: Household) -> Member:
    member = household.members.exclude(relation="head").first()
    assert member is not None
    return member


def training(code: str = VILLAGE, **changes: Any) -> Training:
    data = {"title": "猕猴桃修剪", "day": "2024-04-10", "hours": "6.5", **changes}
    return do_create_training(Area.objects.get(code=code), data, actor=SYSTEM)


# --- trainings ----------------------------------------------------------------------------


def test_a_training_in_a_county_township_or_village(world: World) -> None:
    assert training(COUNTY).hours == Decimal("6.5")
    assert training(TOWNSHIP, organiser="县人社局").organiser == "县人社局"
    for changes, code in (
        ({"hours": "0"}, "HOURS"),
        ({"hours": "1000"}, "HOURS"),
        ({"hours": "1.25"}, "HOURS"),
        ({"hours": "many"}, "HOURS"),
        ({"title": ""}, "TITLE_REQUIRED"),
        ({"day": (TODAY + dt.timedelta(days=1)).isoformat()}, "DATE_IN_FUTURE"),
    ):
        with pytest.raises(FupinError) as caught:
            training(**changes)
        assert codes(caught.value) == {code}, changes
    from fupin.areas.actions import do_add_village_group

    group = do_add_village_group(Area.objects.get(code=VILLAGE), "001", "竹子寨组", actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        training(group.code)
    assert codes(caught.value) == {"AREA_FOR_TRAINING"}
    assert Training.objects.count() == 2


def test_attendance_once_each_and_inside_the_area(world: World) -> None:
    t = training()
    clerk = world.personas["village_clerk"]
    row = do_add_attendance(t, someone(world.home), actor=clerk)
    assert row.area_id == VILLAGE
    with pytest.raises(FupinError) as caught:
        do_add_attendance(t, someone(world.home), actor=clerk)
    assert codes(caught.value) == {"ALREADY_ATTENDED"}
    with pytest.raises(FupinError) as caught:
        do_add_attendance(t, someone(world.neighbour), actor=SYSTEM)
    assert codes(caught.value) == {"MEMBER_OUTSIDE"}
    county = training(COUNTY, title="全县电工培训")
    for household in (world.home, world.neighbour, world.far):
        do_add_attendance(county, someone(household), actor=SYSTEM)
    assert TrainingAttendance.objects.filter(training=county).count() == 3
    assert AuditEntry.objects.filter(action="assistance.add_attendance").count() == 4


@pytest.mark.parametrize("persona", ["org_dept", "first_secretary", "cadre", "supervisor", "dept_provider"])
def test_training_roles_without_the_permission_are_refused(world: World, persona: str) -> None:
    t = training()
    with pytest.raises(PermissionDenied):
        training_by = world.personas[persona]
        do_create_training(
            Area.objects.get(code=VILLAGE),
            {"title": "x", "day": "2024-01-01", "hours": "1"},
            actor=training_by,
        )
    with pytest.raises(PermissionDenied):
        do_add_attendance(t, someone(world.home), actor=world.personas[persona])
    assert Training.objects.count() == 1 and not TrainingAttendance.objects.exists()


def test_training_outside_the_area_is_not_found(world: World) -> None:
    t = training()
    clerk = world.personas["neighbour_clerk"]
    with pytest.raises(NotFound):
        do_add_attendance(t, someone(world.neighbour), actor=clerk)
    with pytest.raises(NotFound):
        do_create_training(
            Area.objects.get(code=VILLAGE), {"title": "x", "day": "2024-01-01", "hours": "1"}, actor=clerk
        )
    # A township training: the neighbour's clerk may not record his people there (the
    # training is above his area), the township may.
    township = training(TOWNSHIP)
    with pytest.raises(NotFound):
        do_add_attendance(township, someone(world.neighbour), actor=clerk)
    assert do_add_attendance(township, someone(world.neighbour), actor=world.personas["township_officer"])
    with pytest.raises(NotFound):
        do_add_attendance(
            training(OTHER_TOWNSHIP_VILLAGE), someone(world.far), actor=world.personas["township_officer"]
        )


# --- care ---------------------------------------------------------------------------------


FLAG = {"category": "child", "since": "2024-01-01", "followed_by": "儿童督导员龙妹"}


def test_one_open_flag_per_person_and_category(world: World) -> None:
    child = someone(world.home)
    clerk = world.personas["village_clerk"]
    flag = do_flag_member(child, FLAG, actor=clerk)
    assert (flag.area_id, flag.category, flag.since) == (VILLAGE, "child", dt.date(2024, 1, 1))
    with pytest.raises(FupinError) as caught:
        do_flag_member(child, {**FLAG, "since": "2024-05-01"}, actor=clerk)
    assert codes(caught.value) == {"FLAG_OPEN"}
    assert do_flag_member(child, {**FLAG, "category": "disabled"}, actor=clerk)
    do_end_care_flag(flag, "2024-09-01", actor=clerk)
    assert do_flag_member(child, {**FLAG, "since": "2025-02-01"}, actor=clerk)
    assert CareFlag.objects.filter(member=child, category="child").count() == 2
    assert CareFlag.objects.filter(member=child, ended_on__isnull=True).count() == 2


def test_a_flag_needs_a_category_a_day_and_who_follows(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        do_flag_member(
            someone(world.home),
            {"category": "orphan", "since": (TODAY + dt.timedelta(days=1)).isoformat()},
            actor=SYSTEM,
        )
    assert codes(caught.value) == {"UNKNOWN_CHOICE", "DATE_IN_FUTURE", "FOLLOWED_BY_REQUIRED"}
    flag = do_flag_member(someone(world.home), FLAG, actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        do_end_care_flag(flag, "2023-12-31", actor=SYSTEM)
    assert codes(caught.value) == {"END_BEFORE_START"}
    do_end_care_flag(flag, "2024-12-31", actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        do_end_care_flag(flag, "2025-01-31", actor=SYSTEM)
    assert codes(caught.value) == {"ALREADY_ENDED"}


def test_follow_ups(world: World) -> None:
    flag = do_flag_member(someone(world.home), FLAG, actor=SYSTEM)
    clerk = world.personas["village_clerk"]
    row = do_record_follow_up(flag, {"day": "2024-03-01", "note": "电话联系在外务工的父母"}, actor=clerk)
    assert (row.by, row.area_id) == (clerk, VILLAGE)
    for data, code in (
        ({"day": "2023-12-31", "note": "x"}, "BEFORE_FLAG"),
        ({"day": (TODAY + dt.timedelta(days=1)).isoformat(), "note": "x"}, "DATE_IN_FUTURE"),
        ({"day": "2024-03-02", "note": ""}, "NOTE_REQUIRED"),
    ):
        with pytest.raises(FupinError) as caught:
            do_record_follow_up(flag, data, actor=clerk)
        assert codes(caught.value) == {code}
    do_end_care_flag(flag, "2024-06-01", actor=clerk)
    flag.refresh_from_db()
    with pytest.raises(FupinError) as caught:
        do_record_follow_up(flag, {"day": "2024-07-01", "note": "x"}, actor=clerk)
    assert codes(caught.value) == {"ALREADY_ENDED"}
    assert CareFollowUp.objects.count() == 1


def test_a_flag_waits_too_long_after_90_days_without_a_follow_up(world: World) -> None:
    admin = world.personas["county_admin"]
    today = dt.date(2025, 6, 30)
    old = do_flag_member(someone(world.home), {**FLAG, "since": "2025-01-01"}, actor=SYSTEM)
    recent = do_flag_member(someone(world.unpaired), {**FLAG, "since": "2025-04-15"}, actor=SYSTEM)
    followed = do_flag_member(someone(world.neighbour), {**FLAG, "since": "2024-01-01"}, actor=SYSTEM)
    do_record_follow_up(followed, {"day": "2025-04-01", "note": "上门看望"}, actor=SYSTEM)
    stale = do_flag_member(someone(world.far), {**FLAG, "since": "2024-01-01"}, actor=SYSTEM)
    do_record_follow_up(stale, {"day": "2025-03-31", "note": "上门看望"}, actor=SYSTEM)  # 91 days before
    flags = {
        f.pk: neglected(f, today) for f in care_flag_list(admin, Area.objects.get(code=COUNTY), today=today)
    }
    assert flags == {old.pk: True, recent.pk: False, followed.pk: False, stale.pk: True}


@pytest.mark.parametrize("persona", ["org_dept", "first_secretary", "cadre", "supervisor", "dept_provider"])
def test_care_roles_without_the_permission_are_refused(world: World, persona: str) -> None:
    flag = do_flag_member(someone(world.home), FLAG, actor=SYSTEM)
    actor = world.personas[persona]
    for attempt in (
        lambda: do_flag_member(someone(world.unpaired), FLAG, actor=actor),
        lambda: do_record_follow_up(flag, {"day": "2024-03-01", "note": "x"}, actor=actor),
        lambda: do_end_care_flag(flag, "2024-03-01", actor=actor),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert CareFlag.objects.count() == 1 and not CareFollowUp.objects.exists()
    assert CareFlag.objects.get().ended_on is None


def test_care_outside_the_area_is_not_found(world: World) -> None:
    flag = do_flag_member(someone(world.home), FLAG, actor=SYSTEM)
    clerk = world.personas["neighbour_clerk"]
    for attempt in (
        lambda: do_flag_member(someone(world.home), {**FLAG, "category": "elderly"}, actor=clerk),
        lambda: do_record_follow_up(flag, {"day": "2024-03-01", "note": "x"}, actor=clerk),
        lambda: do_end_care_flag(flag, "2024-03-01", actor=clerk),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert do_flag_member(someone(world.neighbour), FLAG, actor=clerk).area_id == NEIGHBOUR_VILLAGE
