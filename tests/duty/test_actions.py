"""The list's rules: who writes it, one owner per task inside the list's area, edits only before
any progress, copying last year's list; and progress: who reports on which task, 0–100, going
back only with a note, in date order, each report kept and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.duty import actions
from fupin.duty.errors import TaskError
from fupin.duty.models import ProgressReport, Task
from fupin.party.models import Unit
from tests.duty.conftest import make_task

WRITERS = {"county_admin", "org_dept"}
COUNTY_USERS = {"county_admin", "org_dept", "dept_provider", "supervisor"}  # area holds the county list


def codes(exc: FupinError) -> set[str]:
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    return {e.code.name for e in errors}


# --- creating ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_the_county_writes_its_list(
    persona: str, personas: dict[str, User], county: Area, township: Area
) -> None:
    actor = personas[persona]
    before = (Task.objects.count(), AuditEntry.objects.count())

    def create() -> Task:
        return actions.do_create_task(
            actor,
            county,
            2026,
            "完成危房改造",
            owner_area=township,
            owner_person="张主任",
            due_on="2026-06-30",
        )

    if persona in WRITERS:
        task = create()
        assert (task.area, task.owner_area, task.owner_unit, task.progress) == (county, township, None, 0)
        entry = AuditEntry.objects.latest("id")
        assert entry.action == "duty.create_task" and entry.actor == actor and entry.area_code == county.code
        return
    expected = PermissionDenied if persona in COUNTY_USERS else NotFound
    with pytest.raises(expected):
        create()
    assert (Task.objects.count(), AuditEntry.objects.count()) == before


def test_a_task_has_exactly_one_owner(county: Area, township: Area, bureau: Unit) -> None:
    base = {"owner_person": "张主任", "due_on": dt.date(2026, 6, 30)}
    with pytest.raises(FupinError) as none:
        actions.do_create_task(SYSTEM, county, 2026, "任务", **base)
    assert codes(none.value) == {"ONE_OWNER"} and none.value.field == "owner"
    with pytest.raises(FupinError) as both:
        actions.do_create_task(SYSTEM, county, 2026, "任务", owner_area=township, owner_unit=bureau, **base)
    assert codes(both.value) == {"ONE_OWNER"}
    assert not Task.objects.exists()
    by_unit = actions.do_create_task(SYSTEM, county, 2026, "任务", owner_unit=bureau, **base)
    assert by_unit.owner_unit == bureau and by_unit.owner_area is None
    # The database refuses two owners (or none) whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=by_unit.pk).update(owner_area=township)


def test_the_owner_lies_inside_the_lists_area(
    county: Area, township: Area, other_township: Area, township_unit: Unit, foreign_unit: Unit
) -> None:
    base = {"owner_person": "张主任", "due_on": dt.date(2026, 6, 30)}
    village = Area.objects.get(code=VILLAGE)
    for owner_kw, code in [
        ({"owner_area": village}, "OWNER_NOT_TOWNSHIP"),  # a village, not a township
        ({"owner_area": county}, "OWNER_NOT_TOWNSHIP"),
        ({"owner_unit": foreign_unit}, "OWNER_UNIT_OUTSIDE"),
    ]:
        with pytest.raises(FupinError) as caught:
            actions.do_create_task(SYSTEM, county, 2026, "任务", **base, **owner_kw)
        assert codes(caught.value) == {code}, owner_kw
    # A township's own list: only that township, or a unit inside it.
    with pytest.raises(FupinError) as caught:
        actions.do_create_task(SYSTEM, township, 2026, "任务", owner_area=other_township, **base)
    assert codes(caught.value) == {"OWNER_NOT_TOWNSHIP"}
    assert actions.do_create_task(SYSTEM, township, 2026, "任务", owner_area=township, **base).pk
    assert actions.do_create_task(SYSTEM, township, 2026, "任务", owner_unit=township_unit, **base).pk
    with pytest.raises(FupinError) as caught:
        actions.do_create_task(SYSTEM, village, 2026, "任务", owner_area=township, **base)
    assert codes(caught.value) == {"LIST_LEVEL"}


def test_title_person_and_a_due_date_in_the_year_are_required(county: Area, township: Area) -> None:
    with pytest.raises(ValidationFailed) as caught:
        actions.do_create_task(SYSTEM, county, 2026, " ", owner_area=township, owner_person="", due_on="")
    assert codes(caught.value) == {"TITLE_REQUIRED", "PERSON_REQUIRED", "DUE_REQUIRED"}
    with pytest.raises(FupinError) as caught:
        actions.do_create_task(
            SYSTEM, county, 2026, "任务", owner_area=township, owner_person="张", due_on="2027-01-05"
        )
    assert codes(caught.value) == {"DUE_OUTSIDE_YEAR"} and "2026" in caught.value.message
    with pytest.raises(FupinError) as caught:
        actions.do_create_task(
            SYSTEM, county, "2999", "任务", owner_area=township, owner_person="张", due_on=""
        )
    assert codes(caught.value) == {"BAD_YEAR"}
    with pytest.raises(FupinError) as caught:
        actions.do_create_task(
            SYSTEM, county, 2026, "任" * 201, owner_area=township, owner_person="张", due_on="2026-03-01"
        )
    assert codes(caught.value) == {"TOO_LONG"}
    assert not Task.objects.exists()


# --- editing and deleting ----------------------------------------------------------------


def test_a_task_is_edited_or_deleted_only_before_any_progress(
    personas: dict[str, User], tasks: dict[str, Task], county: Area, other_township: Area
) -> None:
    admin = personas["county_admin"]
    task = tasks["mine"]
    edited = actions.do_edit_task(
        admin,
        task,
        title="双龙镇完成危房改造(修订)",
        owner_area=other_township,
        owner_person="李",
        due_on="2026-09-30",
    )
    assert (edited.title, edited.owner_area, edited.due_on) == (
        "双龙镇完成危房改造(修订)",
        other_township,
        dt.date(2026, 9, 30),
    )
    assert AuditEntry.objects.filter(action="duty.edit_task", object_id=str(task.pk)).count() == 1
    actions.do_report_progress(admin, edited, 10, "开工")
    with pytest.raises(FupinError) as caught:
        actions.do_edit_task(
            admin, edited, title="改名", owner_area=other_township, owner_person="李", due_on="2026-09-30"
        )
    assert caught.value.code == TaskError.HAS_PROGRESS
    with pytest.raises(FupinError):
        actions.do_delete_task(admin, edited)
    assert Task.objects.get(pk=task.pk).title == "双龙镇完成危房改造(修订)"
    fresh = tasks["other"]
    actions.do_delete_task(personas["org_dept"], fresh)
    assert not Task.objects.filter(pk=fresh.pk).exists()
    assert AuditEntry.objects.get(action="duty.delete_task").before["title"] == "龙潭镇完成饮水工程"


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_edit_and_delete_are_refused_to_everyone_else_and_change_nothing(
    persona: str, personas: dict[str, User], tasks: dict[str, Task], township: Area
) -> None:
    if persona in WRITERS:
        return
    actor = personas[persona]
    task = tasks["mine"]
    before = (Task.objects.filter(pk=task.pk).values().get(), AuditEntry.objects.count())
    # the township officer sees its own township's task, but may not change the county's list
    expected = PermissionDenied if persona in COUNTY_USERS | {"township_officer"} else NotFound
    with pytest.raises(expected):
        actions.do_edit_task(
            actor, task, title="改", owner_area=township, owner_person="李", due_on="2026-09-30"
        )
    with pytest.raises(expected):
        actions.do_delete_task(actor, task)
    assert (Task.objects.filter(pk=task.pk).values().get(), AuditEntry.objects.count()) == before


# --- copying last year's list ------------------------------------------------------------


def test_a_years_list_is_copied_from_last_years_once(
    personas: dict[str, User], county: Area, township: Area, bureau: Unit
) -> None:
    make_task(county, township, title="危房改造", year=2024, due_on=dt.date(2024, 2, 29))
    make_task(county, bureau, title="组组通", year=2024, due_on=dt.date(2024, 11, 30), person="王局长")
    make_task(township, township, title="本镇任务", year=2024, due_on=dt.date(2024, 5, 1))  # another list
    made = actions.do_copy_list(personas["org_dept"], county, 2024, 2025)
    assert [(t.title, t.owner_area_id, t.owner_unit_id, t.due_on, t.progress, t.year) for t in made] == [
        ("危房改造", township.code, None, dt.date(2025, 2, 28), 0, 2025),
        ("组组通", None, bureau.pk, dt.date(2025, 11, 30), 0, 2025),
    ]
    assert made[1].owner_person == "王局长"
    assert AuditEntry.objects.filter(action="duty.copy_task").count() == 2
    with pytest.raises(FupinError) as again:
        actions.do_copy_list(personas["org_dept"], county, 2024, 2025)
    assert again.value.code == TaskError.LIST_NOT_EMPTY
    with pytest.raises(FupinError) as empty:
        actions.do_copy_list(personas["org_dept"], county, 2023, 2026)
    assert empty.value.code == TaskError.NOTHING_TO_COPY
    with pytest.raises(PermissionDenied):
        actions.do_copy_list(personas["supervisor"], county, 2024, 2026)
    with pytest.raises(NotFound):
        actions.do_copy_list(personas["outsider"], county, 2024, 2026)
    assert Task.objects.filter(year=2026).count() == 0


# --- progress ----------------------------------------------------------------------------


# Who may report on which task: the township only on its own; the county on all of its area.
REPORTS = {
    "mine": {"county_admin", "org_dept", "township_officer"},
    "other": {"county_admin", "org_dept"},
    "unit": {"county_admin", "org_dept"},
    "township_list": {"county_admin", "org_dept"},
}


def _refusal(persona: str, which: str) -> type[FupinError]:
    """What a refused reporter is told: not found when it cannot see the task at all."""
    sees = COUNTY_USERS | ({"township_officer"} if which in ("mine", "township_list") else set())
    return PermissionDenied if persona in sees else NotFound


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_who_reports_progress_on_which_task(
    persona: str, personas: dict[str, User], tasks: dict[str, Task]
) -> None:
    actor = personas[persona]
    for which, task in tasks.items():
        if persona in REPORTS[which]:
            report = actions.do_report_progress(actor, task, "40", "过半在建")
            assert (report.progress, report.by, report.day) == (40, actor, timezone.localdate())
            assert Task.objects.get(pk=task.pk).progress == 40
            continue
        before = (
            Task.objects.get(pk=task.pk).progress,
            ProgressReport.objects.count(),
            AuditEntry.objects.count(),
        )
        with pytest.raises(_refusal(persona, which)):
            actions.do_report_progress(actor, task, 40, "过半在建")
        after = (
            Task.objects.get(pk=task.pk).progress,
            ProgressReport.objects.count(),
            AuditEntry.objects.count(),
        )
        assert after == before, (persona, which)


def test_a_township_officer_cannot_report_on_another_townships_or_a_units_task(
    personas: dict[str, User], tasks: dict[str, Task]
) -> None:
    officer = personas["township_officer"]
    with pytest.raises(NotFound):
        actions.do_report_progress(officer, tasks["other"], 50)
    with pytest.raises(NotFound):
        actions.do_report_progress(officer, tasks["unit"], 50)
    with pytest.raises(PermissionDenied):  # a unit inside its own township, on its own list
        actions.do_report_progress(officer, tasks["township_list"], 50)
    assert not ProgressReport.objects.exists()
    assert actions.do_report_progress(officer, tasks["mine"], 50).progress == 50


def test_progress_is_0_to_100_and_going_back_needs_a_note(
    personas: dict[str, User], tasks: dict[str, Task]
) -> None:
    officer = personas["township_officer"]
    task = tasks["mine"]
    for bad in ("101", "-5", "50.5", "", "half", None):
        with pytest.raises(FupinError) as caught:
            actions.do_report_progress(officer, task, bad)
        assert caught.value.code == TaskError.BAD_PROGRESS, bad
    actions.do_report_progress(officer, task, 0)
    actions.do_report_progress(officer, task, 100)
    with pytest.raises(FupinError) as back:
        actions.do_report_progress(officer, task, 60, "  ")
    assert back.value.code == TaskError.BACKWARDS_NEEDS_NOTE and back.value.field == "note"
    assert "100" in back.value.message and "60" in back.value.message
    assert Task.objects.get(pk=task.pk).progress == 100
    report = actions.do_report_progress(officer, task, 60, "验收发现两户未完工")
    assert Task.objects.get(pk=task.pk).progress == 60 and report.note == "验收发现两户未完工"
    assert actions.do_report_progress(officer, task, 60).progress == 60  # holding steady needs no note
    entry = AuditEntry.objects.filter(action="duty.report_progress").latest("id")
    # the owning township finds it in its audit log
    assert entry.area_code == task.owner_area_id and entry.before == {"progress": 60}
    assert ProgressReport.objects.filter(task=task).count() == 4


def test_reports_are_dated_in_order_and_never_in_the_future(
    personas: dict[str, User], tasks: dict[str, Task]
) -> None:
    admin = personas["county_admin"]
    task = tasks["unit"]
    today = timezone.localdate()
    with pytest.raises(FupinError) as future:
        actions.do_report_progress(admin, task, 10, day=today + dt.timedelta(days=1))
    assert future.value.code == TaskError.DAY_IN_FUTURE
    with pytest.raises(FupinError) as bad:
        actions.do_report_progress(admin, task, 10, day="2026-13-01")
    assert bad.value.field == "day"
    actions.do_report_progress(admin, task, 20, day="2026-03-10")
    with pytest.raises(FupinError) as earlier:
        actions.do_report_progress(admin, task, 30, day="2026-03-09")
    assert earlier.value.code == TaskError.DAY_BEFORE_LAST and "2026-03-10" in earlier.value.message
    actions.do_report_progress(admin, task, 30, day="2026-03-10")
    assert list(ProgressReport.objects.filter(task=task).values_list("day", "progress")) == [
        (dt.date(2026, 3, 10), 30),
        (dt.date(2026, 3, 10), 20),
    ]
