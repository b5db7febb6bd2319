"""Workshops and their workers, transfer jobs: people of households inside the workshop's area,
one active job per workshop and person, a closed workshop takes nobody and its jobs end with it;
transfer jobs with their dates; the wrong role and the wrong area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.assistance.actions import (
    do_add_transfer_job,
    do_add_worker,
    do_close_workshop,
    do_create_workshop,
    do_end_transfer_job,
    do_end_worker,
)
from fupin.assistance.models import TransferJob, Workshop, WorkshopWorker
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry import actions as registry
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


def workshop(code: str = VILLAGE, name: str = "苗绣车间", **changes: Any) -> Workshop:
    data = {"name": name, "kind": "home", "opened_on": "2024-05-01", **changes}
    return do_create_workshop(Area.objects.get(code=code), data, actor=SYSTEM)


JOB = {"started_on": "2024-06-01", "monthly_wage": "2400"}


def test_a_workshop_needs_a_name_a_kind_and_an_opening_day(world: World) -> None:
    clerk = world.personas["village_clerk"]
    w = do_create_workshop(
        Area.objects.get(code=VILLAGE),
        {"name": "苗绣车间", "kind": "factory", "opened_on": "2024-05-01"},
        actor=clerk,
    )
    assert (w.area_id, w.kind, w.opened_on) == (VILLAGE, "factory", dt.date(2024, 5, 1))
    for data, code in (
        ({"name": "", "kind": "home", "opened_on": "2024-05-01"}, "NAME_REQUIRED"),
        ({"name": "x", "kind": "shop", "opened_on": "2024-05-01"}, "UNKNOWN_CHOICE"),
        (
            {"name": "x", "kind": "home", "opened_on": (TODAY + dt.timedelta(days=1)).isoformat()},
            "DATE_IN_FUTURE",
        ),
        ({"name": "苗绣车间", "kind": "home", "opened_on": "2024-05-01"}, "WORKSHOP_EXISTS"),
    ):
        with pytest.raises(FupinError) as caught:
            do_create_workshop(Area.objects.get(code=VILLAGE), data, actor=clerk)
        assert codes(caught.value) == {code}
    with pytest.raises(FupinError) as caught:
        do_create_workshop(
            Area.objects.get(code=COUNTY),
            {"name": "x", "kind": "home", "opened_on": "2024-05-01"},
            actor=SYSTEM,
        )
    assert codes(caught.value) == {"AREA_VILLAGE_OR_TOWNSHIP"}
    assert Workshop.objects.count() == 1


def test_one_active_job_per_workshop_and_person(world: World) -> None:
    w = workshop()
    person = someone(world.home)
    job = do_add_worker(w, person, JOB, actor=world.personas["village_clerk"])
    assert (job.area_id, job.monthly_wage) == (VILLAGE, Decimal("2400.00"))
    with pytest.raises(FupinError) as caught:
        do_add_worker(w, person, JOB, actor=SYSTEM)
    assert codes(caught.value) == {"ALREADY_WORKING"}
    # Working in another workshop at the same time is another job.
    assert do_add_worker(workshop(name="扶贫车间二"), person, JOB, actor=SYSTEM)
    do_end_worker(job, "2024-12-31", actor=SYSTEM)
    again = do_add_worker(w, person, {"started_on": "2025-03-01"}, actor=SYSTEM)
    assert again.monthly_wage == Decimal("0.00")
    assert WorkshopWorker.objects.filter(workshop=w, member=person).count() == 2


def test_workers_come_from_households_inside_the_workshops_area(world: World) -> None:
    w = workshop()
    with pytest.raises(FupinError) as caught:
        do_add_worker(w, someone(world.neighbour), JOB, actor=world.personas["township_officer"])
    assert codes(caught.value) == {"MEMBER_OUTSIDE"}
    township_workshop = workshop(TOWNSHIP, name="镇扶贫车间")
    assert (
        do_add_worker(township_workshop, someone(world.neighbour), JOB, actor=SYSTEM).area_id
        == NEIGHBOUR_VILLAGE
    )
    assert do_add_worker(township_workshop, someone(world.home), JOB, actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        do_add_worker(w, someone(world.far), JOB, actor=SYSTEM)
    assert codes(caught.value) == {"MEMBER_OUTSIDE"}


def test_a_member_who_left_cannot_start(world: World) -> None:
    person = someone(world.home)
    registry.do_remove_member(person, left_on=dt.date(2024, 1, 1), reason="出嫁", actor=SYSTEM)
    person.refresh_from_db()
    with pytest.raises(FupinError) as caught:
        do_add_worker(workshop(), person, JOB, actor=SYSTEM)
    assert codes(caught.value) == {"MEMBER_LEFT"}
    with pytest.raises(FupinError) as caught:
        do_add_transfer_job(
            person, {"place": "广州", "employer": "x", "started_on": "2024-02-01"}, actor=SYSTEM
        )
    assert codes(caught.value) == {"MEMBER_LEFT"}


def test_job_dates(world: World) -> None:
    w = workshop()
    person = someone(world.home)
    with pytest.raises(FupinError) as caught:
        do_add_worker(w, person, {"started_on": (TODAY + dt.timedelta(days=2)).isoformat()}, actor=SYSTEM)
    assert codes(caught.value) == {"DATE_IN_FUTURE"}
    with pytest.raises(FupinError) as caught:
        do_add_worker(w, person, {"monthly_wage": "-3"}, actor=SYSTEM)
    assert codes(caught.value) == {"DATE_REQUIRED", "NEGATIVE_AMOUNT"}
    job = do_add_worker(w, person, JOB, actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        do_end_worker(job, "2024-05-31", actor=SYSTEM)
    assert codes(caught.value) == {"END_BEFORE_START"}
    do_end_worker(job, "2024-06-01", actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        do_end_worker(job, "2024-07-01", actor=SYSTEM)
    assert codes(caught.value) == {"ALREADY_ENDED"}


def test_closing_a_workshop_ends_its_jobs_and_takes_nobody_more(world: World) -> None:
    w = workshop()
    first = do_add_worker(w, someone(world.home), JOB, actor=SYSTEM)
    do_add_worker(w, someone(world.unpaired), JOB, actor=SYSTEM)
    do_end_worker(first, "2024-09-30", actor=SYSTEM)
    closed = do_close_workshop(w, "2024-12-31", actor=world.personas["village_clerk"])
    assert closed.closed_on == dt.date(2024, 12, 31)
    ends = dict(
        WorkshopWorker.objects.filter(workshop=w).values_list("member__household__head_name", "ended_on")
    )
    assert ends == {"龙先发": dt.date(2024, 9, 30), "施成富": dt.date(2024, 12, 31)}
    assert AuditEntry.objects.get(action="assistance.close_workshop").after["jobs_ended"] == 1
    with pytest.raises(FupinError) as caught:
        do_add_worker(w, someone(world.home), {"started_on": "2025-01-02"}, actor=SYSTEM)
    assert codes(caught.value) == {"WORKSHOP_CLOSED"}
    with pytest.raises(FupinError) as caught:
        do_close_workshop(w, "2025-01-01", actor=SYSTEM)
    assert codes(caught.value) == {"ALREADY_ENDED"}


def test_a_transfer_job(world: World) -> None:
    person = someone(world.home)
    officer = world.personas["township_officer"]
    job = do_add_transfer_job(
        person,
        {
            "place": "浙江宁波",
            "employer": "宁波电子厂",
            "started_on": "2024-02-20",
            "monthly_income": "5200",
            "via_job_fair": "on",
        },
        actor=officer,
    )
    assert (job.area_id, job.via_job_fair, job.monthly_income) == (VILLAGE, True, Decimal("5200.00"))
    with pytest.raises(ValidationFailed) as caught:
        do_add_transfer_job(person, {"started_on": (TODAY + dt.timedelta(days=1)).isoformat()}, actor=officer)
    assert codes(caught.value) == {"PLACE_REQUIRED", "EMPLOYER_REQUIRED", "DATE_IN_FUTURE"}
    with pytest.raises(FupinError) as caught:
        do_end_transfer_job(job, "2024-02-19", actor=officer)
    assert codes(caught.value) == {"END_BEFORE_START"}
    assert do_end_transfer_job(job, "2024-12-01", actor=officer).ended_on == dt.date(2024, 12, 1)
    with pytest.raises(FupinError):
        do_end_transfer_job(job, "2024-12-02", actor=officer)
    assert TransferJob.objects.get().ended_on == dt.date(2024, 12, 1)


@pytest.mark.parametrize("persona", ["org_dept", "first_secretary", "cadre", "supervisor", "dept_provider"])
def test_roles_without_the_permission_are_refused(world: World, persona: str) -> None:
    w = workshop()
    job = do_add_worker(w, someone(world.home), JOB, actor=SYSTEM)
    transfer = do_add_transfer_job(
        someone(world.home), {"place": "p", "employer": "e", "started_on": "2024-01-01"}, actor=SYSTEM
    )
    actor = world.personas[persona]
    before = AuditEntry.objects.count()
    for attempt in (
        lambda: do_create_workshop(
            Area.objects.get(code=VILLAGE),
            {"name": "n", "kind": "home", "opened_on": "2024-01-01"},
            actor=actor,
        ),
        lambda: do_add_worker(w, someone(world.unpaired), JOB, actor=actor),
        lambda: do_end_worker(job, "2024-12-01", actor=actor),
        lambda: do_close_workshop(w, "2024-12-01", actor=actor),
        lambda: do_add_transfer_job(
            someone(world.unpaired), {"place": "p", "employer": "e", "started_on": "2024-01-01"}, actor=actor
        ),
        lambda: do_end_transfer_job(transfer, "2024-12-01", actor=actor),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert AuditEntry.objects.count() == before
    assert Workshop.objects.get().closed_on is None and WorkshopWorker.objects.get().ended_on is None


def test_outside_the_area_is_not_found(world: World) -> None:
    w = workshop()
    clerk = world.personas["neighbour_clerk"]
    with pytest.raises(NotFound):
        do_add_worker(w, someone(world.home), JOB, actor=clerk)
    with pytest.raises(NotFound):
        do_close_workshop(w, "2024-12-01", actor=clerk)
    with pytest.raises(NotFound):
        do_add_transfer_job(
            someone(world.home), {"place": "p", "employer": "e", "started_on": "2024-01-01"}, actor=clerk
        )
    # His own village's workshop cannot take a person from 十八洞村 either: that person is not his.
    own = workshop(NEIGHBOUR_VILLAGE, name="丙池车间")
    with pytest.raises(NotFound):
        do_add_worker(own, someone(world.home), JOB, actor=clerk)
    assert do_add_worker(own, someone(world.neighbour), JOB, actor=clerk)
