"""Every write to the responsibility lists (职责任务清单化、定人定责): creating, editing and
deleting a task, copying last year's list, and reporting progress on a task.

A list belongs to a county (its 23 yearly items, signed level by level) or to a township; each
task is owned by exactly one township of the list's area or one unit in it, with a named person.
Only the county (organisation department, county bureau) writes the lists. Progress is reported
by the owning township's office on its own tasks, or by the county on any task of its area; each
report is kept, so a past period's ranking can be taken again from the history (``ranking``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.accounts.permissions import EDIT_TASKS, REPORT_PROGRESS
from fupin.areas.models import Area, Level
from fupin.core import audit
from fupin.core.access import SYSTEM, covers, require
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.duty.errors import TaskError
from fupin.duty.models import ProgressReport, Task
from fupin.party.models import Unit
from fupin.registry.errors import RegistryError

# Lists begin with targeted poverty alleviation (精准扶贫, 2013); a list may be drawn up for
# next year before this one ends.
FIRST_YEAR = 2013
LIST_LEVELS = (Level.COUNTY, Level.TOWNSHIP)
TITLE_MAX = 200
PERSON_MAX = 50
NOTE_MAX = 300


# --- who may do what to a task ---------------------------------------------------------------


def visible(actor: Any, task: Task) -> bool:
    """The same rule as ``queries.scope_q``: the task's list lies in the actor's area, or the
    task is owned by a township or unit there (a county task owned by the actor's township)."""
    if covers(actor, task.area_id):
        return True
    if task.owner_area_id and covers(actor, task.owner_area_id):
        return True
    return bool(task.owner_unit_id and covers(actor, task.owner_unit.area_id))


def may_edit(actor: Any, task: Task) -> bool:
    return bool(actor.can(EDIT_TASKS) and covers(actor, task.area_id))


def may_report(actor: Any, task: Task) -> bool:
    """A county user reports on any task of a list in the county; a township office only on the
    tasks its own township owns — never on a unit's, which the unit answers for through the
    county."""
    if not getattr(actor, "is_authenticated", False) or not actor.can(REPORT_PROGRESS):
        return False
    if actor is SYSTEM:
        return True
    area: Area | None = getattr(actor, "area", None)
    if area is None:
        return False
    if area.level <= Level.COUNTY:
        return covers(actor, task.area_id)
    return task.owner_area_id == area.code


def _find(actor: Any, task: Task) -> None:
    """NotFound for a task the actor cannot see, exactly as for a missing one."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    if not visible(actor, task):
        raise NotFound()


def _require_editor(actor: Any, task: Task) -> None:
    _find(actor, task)
    if not may_edit(actor, task):
        raise PermissionDenied()


# --- cleaning --------------------------------------------------------------------------------


def clean_year(raw: Any, field: str = "year") -> int:
    last = timezone.localdate().year + 1
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= last:
        raise FupinError(RegistryError.BAD_YEAR, field=field, first=FIRST_YEAR, last=last)
    return year


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _text(raw: Any, limit: int, field: str, required: TaskError | None, errors: list[FupinError]) -> str:
    text = str(raw or "").strip()
    if required is not None and not text:
        errors.append(FupinError(required, field=field))
    elif len(text) > limit:
        errors.append(FupinError(RegistryError.TOO_LONG, field=field, max=limit))
    return text


def _raise(errors: list[FupinError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationFailed(errors)


def _check_list_area(area: Area) -> None:
    if area.level not in LIST_LEVELS:
        raise FupinError(TaskError.LIST_LEVEL, field="area")


def _clean_task(
    area: Area,
    year: int,
    *,
    title: Any,
    owner_area: Area | None,
    owner_unit: Unit | None,
    owner_person: Any,
    due_on: Any,
) -> dict[str, Any]:
    errors: list[FupinError] = []
    data: dict[str, Any] = {
        "title": _text(title, TITLE_MAX, "title", TaskError.TITLE_REQUIRED, errors),
        "owner_person": _text(owner_person, PERSON_MAX, "owner_person", TaskError.PERSON_REQUIRED, errors),
        "owner_area": None,
        "owner_unit": None,
    }
    if (owner_area is None) == (owner_unit is None):
        errors.append(FupinError(TaskError.ONE_OWNER, field="owner"))
    elif owner_area is not None:
        if owner_area.level != Level.TOWNSHIP or not area.contains_code(owner_area.code):
            errors.append(FupinError(TaskError.OWNER_NOT_TOWNSHIP, field="owner"))
        data["owner_area"] = owner_area
    elif owner_unit is not None:
        if not area.contains_code(owner_unit.area_id):
            errors.append(FupinError(TaskError.OWNER_UNIT_OUTSIDE, field="owner"))
        data["owner_unit"] = owner_unit
    due = _date(due_on)
    if due is None:
        errors.append(FupinError(TaskError.DUE_REQUIRED, field="due_on"))
    elif due.year != year:
        # A yearly list: each item is due within its year, so every period of the year can
        # count it as done or overdue.
        errors.append(FupinError(TaskError.DUE_OUTSIDE_YEAR, field="due_on", year=year))
    data["due_on"] = due
    _raise(errors)
    return data


# --- the list --------------------------------------------------------------------------------


def do_create_task(
    actor: Any,
    area: Area,
    year: Any,
    title: Any,
    *,
    owner_area: Area | None = None,
    owner_unit: Unit | None = None,
    owner_person: Any = "",
    due_on: Any = None,
) -> Task:
    """Put a task on the list of ``area`` (a county or a township) for ``year``, owned by one
    township of that area or one unit in it."""
    require(actor, EDIT_TASKS, area_code=area.code)
    _check_list_area(area)
    year = clean_year(year)
    data = _clean_task(
        area,
        year,
        title=title,
        owner_area=owner_area,
        owner_unit=owner_unit,
        owner_person=owner_person,
        due_on=due_on,
    )
    with transaction.atomic():
        task = Task.objects.create(area=area, year=year, **data)
        audit.record(actor, "duty.create_task", obj=task, area_code=area.code, after=audit.snapshot(task))
    return task


def _lock_without_progress(task: Task) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    # Checked inside the lock: a report that arrives first makes the task history.
    if ProgressReport.objects.filter(task=locked).exists():
        raise FupinError(TaskError.HAS_PROGRESS)
    return locked


def do_edit_task(
    actor: Any,
    task: Task,
    *,
    title: Any,
    owner_area: Area | None = None,
    owner_unit: Unit | None = None,
    owner_person: Any = "",
    due_on: Any = None,
) -> Task:
    """Change a task's title, owner, person or due date, while no progress has been reported:
    after that the ranking's history depends on it."""
    _require_editor(actor, task)
    data = _clean_task(
        task.area,
        task.year,
        title=title,
        owner_area=owner_area,
        owner_unit=owner_unit,
        owner_person=owner_person,
        due_on=due_on,
    )
    with transaction.atomic():
        locked = _lock_without_progress(task)
        before = audit.snapshot(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save()
        audit.record(
            actor,
            "duty.edit_task",
            obj=locked,
            area_code=locked.area_id,
            before=before,
            after=audit.snapshot(locked),
        )
    return locked


def do_delete_task(actor: Any, task: Task) -> None:
    """Take a task off the list, while no progress has been reported on it."""
    _require_editor(actor, task)
    with transaction.atomic():
        locked = _lock_without_progress(task)
        before = audit.snapshot(locked)
        pk, area_code = locked.pk, locked.area_id
        locked.delete()
        audit.record(
            actor,
            "duty.delete_task",
            object_type="duty.task",
            object_id=pk,
            area_code=area_code,
            before=before,
        )


def _same_day_in(year: int, day: dt.date) -> dt.date:
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))  # 29 February becomes the 28th


def do_copy_list(actor: Any, area: Area, from_year: Any, to_year: Any) -> list[Task]:
    """Start a year's list from last year's: the same titles, owners and persons, each due on
    the same day of the new year, with no progress. Only into a year whose list is empty, so a
    copy made twice never doubles the list."""
    require(actor, EDIT_TASKS, area_code=area.code)
    _check_list_area(area)
    source_year = clean_year(from_year, "from_year")
    target_year = clean_year(to_year, "to_year")
    with transaction.atomic():
        # The list's area row serialises two copies into the same list.
        Area.objects.select_for_update().filter(pk=area.pk).first()
        if Task.objects.filter(area=area, year=target_year).exists():
            raise FupinError(TaskError.LIST_NOT_EMPTY, field="to_year", year=target_year)
        sources = list(Task.objects.filter(area=area, year=source_year).order_by("due_on", "pk"))
        if not sources:
            raise FupinError(TaskError.NOTHING_TO_COPY, field="from_year", year=source_year)
        made = []
        for old in sources:
            task = Task.objects.create(
                area=area,
                year=target_year,
                title=old.title,
                owner_area_id=old.owner_area_id,
                owner_unit_id=old.owner_unit_id,
                owner_person=old.owner_person,
                due_on=_same_day_in(target_year, old.due_on),
            )
            audit.record(
                actor,
                "duty.copy_task",
                obj=task,
                area_code=area.code,
                after=audit.snapshot(task, extra={"copied_from": old.pk}),
            )
            made.append(task)
    return made


# --- progress --------------------------------------------------------------------------------


def _clean_progress(raw: Any) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or int(text) > 100:  # also refuses "-5" and "50.5"
        raise FupinError(TaskError.BAD_PROGRESS, field="progress")
    return int(text)


def do_report_progress(
    actor: Any, task: Task, progress: Any, note: Any = "", day: Any = None
) -> ProgressReport:
    """Record how far a task has come (0–100 %) on ``day`` (today by default). Going back needs a
    note saying why; a report cannot be dated in the future or before the last one, so the
    history reads in order and a past period's ranking never changes."""
    _find(actor, task)
    if not may_report(actor, task):
        raise PermissionDenied()
    errors: list[FupinError] = []
    value: int | None = None
    try:
        value = _clean_progress(progress)
    except FupinError as exc:
        errors.append(exc)
    text = _text(note, NOTE_MAX, "note", None, errors)
    today = timezone.localdate()
    when = today if day in (None, "") else _date(day)
    if when is None:
        errors.append(FupinError(RegistryError.BAD_DATE, field="day"))
    elif when > today:
        errors.append(FupinError(TaskError.DAY_IN_FUTURE, field="day"))
    _raise(errors)
    assert value is not None and when is not None
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        last = ProgressReport.objects.filter(task=locked).order_by("-day", "-pk").first()
        if last is not None and when < last.day:
            raise FupinError(TaskError.DAY_BEFORE_LAST, field="day", day=last.day.isoformat())
        if value < locked.progress and not text:
            raise FupinError(
                TaskError.BACKWARDS_NEEDS_NOTE, field="note", before=locked.progress, after=value
            )
        # Scoped like the owner: the township's office finds its reports in its audit log.
        area_code = locked.owner_area_id or locked.area_id
        report = ProgressReport.objects.create(
            task=locked, area_id=area_code, day=when, progress=value, note=text, by=_user(actor)
        )
        before = {"progress": locked.progress}
        locked.progress = value
        locked.save(update_fields=["progress"])
        audit.record(
            actor,
            "duty.report_progress",
            obj=locked,
            area_code=area_code,
            before=before,
            after={"progress": value, "day": when, "note": text, "report": report.pk},
        )
    task.progress = value
    return report


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
