"""Reads of the responsibility lists, always scoped to the reader's area.

The lists are read by whoever reads party work or the registry (VIEW_PARTY or VIEW_REGISTRY)
at the county or the township: the lists are drawn up and ranked there. A village's users and
the departments' data providers do not read them.

A county reader sees every list of the county. A township reader sees its own township's list
and the tasks of the county's list that its township (or a unit inside it) owns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fupin.accounts.permissions import VIEW_PARTY, VIEW_REGISTRY
from fupin.areas.models import Area, Level, prefix_range
from fupin.areas.queries import access_area_by_code
from fupin.core.errors import NotFound, PermissionDenied
from fupin.duty.models import ProgressReport, Task
from fupin.party.models import Unit

READ_LEVELS = (Level.COUNTY, Level.TOWNSHIP)


def may_read(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    area: Area | None = getattr(user, "area", None)
    if area is None or area.level not in READ_LEVELS:
        return False
    return bool(user.can(VIEW_PARTY) or user.can(VIEW_REGISTRY))


def require_reader(user: Any) -> None:
    if not may_read(user):
        raise PermissionDenied()


def scope_q(area: Area) -> Q:
    """Tasks of a list inside ``area``, or owned by a township or unit inside it."""
    return (
        prefix_range(area.prefix, "area_id")
        | prefix_range(area.prefix, "owner_area_id")
        | prefix_range(area.prefix, "owner_unit__area_id")
    )


def access_list_area(user: Any, code: str = "") -> Area:
    """A county or township inside the reader's area (default: the reader's own)."""
    require_reader(user)
    if not code:
        return user.area  # type: ignore[no-any-return]
    area = access_area_by_code(user, code)
    if area.level not in READ_LEVELS:
        raise NotFound()
    return area


def tasks_within(user: Any, area: Area | None = None) -> QuerySet[Task]:
    """The tasks the reader sees, narrowed to lists inside ``area`` (inside the reader's)."""
    require_reader(user)
    qs = Task.objects.filter(scope_q(user.area))
    if area is not None and area.code != user.area.code:
        if not area.code.startswith(user.area.prefix):
            return Task.objects.none()
        qs = qs.filter(scope_q(area))
    return qs.select_related("area", "owner_area", "owner_unit")


def access_task_by_id(user: Any, task_id: Any) -> Task:
    """The task, or NotFound alike for a missing one and one the reader cannot see."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    task = tasks_within(user).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


def history(task: Task) -> list[ProgressReport]:
    """Every progress report of a task (the caller may read it), newest first."""
    return list(ProgressReport.objects.filter(task=task).select_related("by").order_by("-day", "-pk"))


def has_progress(task: Task) -> bool:
    return ProgressReport.objects.filter(task=task).exists()


def list_areas(area: Area) -> list[Area]:
    """The lists a county keeps: its own and each township's; a township keeps its own."""
    if area.level == Level.COUNTY:
        townships = Area.objects.filter(prefix_range(area.prefix, "code"), level=Level.TOWNSHIP)
        return [area, *townships.order_by("code")]
    return [area]


def owner_choices(area: Area) -> dict[str, list[tuple[str, str]]]:
    """The townships and units that may own a task on ``area``'s list, as form values
    (``area:<code>``, ``unit:<id>``)."""
    townships = Area.objects.filter(prefix_range(area.prefix, "code"), level=Level.TOWNSHIP).order_by("code")
    units = Unit.objects.filter(prefix_range(area.prefix, "area_id")).order_by("area_id", "name")
    return {
        "townships": [(f"area:{a.code}", a.name) for a in townships],
        "units": [(f"unit:{u.pk}", u.name) for u in units],
    }


def parse_owner(value: str) -> tuple[Area | None, Unit | None]:
    """The owner a form names; anything unknown is no owner, which the action refuses."""
    kind, _, key = (value or "").partition(":")
    if kind == "area" and key:
        return Area.objects.filter(code=key).first(), None
    if kind == "unit" and key.isdigit():
        return None, Unit.objects.filter(pk=int(key)).first()
    return None, None


def owner_value(task: Task) -> str:
    return f"area:{task.owner_area_id}" if task.owner_area_id else f"unit:{task.owner_unit_id}"


def filter_owner(qs: QuerySet[Task], value: str) -> QuerySet[Task]:
    kind, _, key = (value or "").partition(":")
    if kind == "area" and key:
        return qs.filter(owner_area_id=key)
    if kind == "unit" and key.isdigit():
        return qs.filter(owner_unit_id=int(key))
    return qs


def years_of(qs: QuerySet[Task]) -> list[int]:
    return sorted(set(qs.values_list("year", flat=True)), reverse=True)
