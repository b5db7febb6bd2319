"""Projects and their funds (项目资金) per village or township: budget, allocated, spent.

Money flows one way: a budget is approved, part of it allocated (拨付), part of that spent, so
spent ≤ allocated ≤ budget always, all at least 0. An update locks the row, so two people
correcting the figures at once cannot leave a project spending more than it was given.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from fupin.accounts.permissions import MANAGE_ASSISTANCE
from fupin.areas.models import Area
from fupin.assistance.common import VILLAGE_OR_TOWNSHIP, Cleaner, require_level
from fupin.assistance.errors import AssistanceError
from fupin.assistance.models import MeasureKind, Project
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import FupinError

FIELDS = ("name", "kind", "year", "budget", "allocated", "spent", "started_on", "finished_on")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    form = Cleaner(data)
    values = {
        "name": form.text("name", 100, AssistanceError.NAME_REQUIRED),
        "kind": form.choice("kind", MeasureKind),
        "year": form.year("year"),
        "budget": form.amount("budget"),
        "allocated": form.amount("allocated"),
        "spent": form.amount("spent"),
        "started_on": form.day("started_on", required=False, not_future=False),
        "finished_on": form.day("finished_on", required=False),
    }
    if values["allocated"] > values["budget"]:
        form.add(FupinError(AssistanceError.ALLOCATED_OVER_BUDGET, field="allocated"))
    if values["spent"] > values["allocated"]:
        form.add(FupinError(AssistanceError.SPENT_OVER_ALLOCATED, field="spent"))
    form.ends_after(values["started_on"], values["finished_on"], "finished_on")
    form.done()
    return values


def _save(project: Project, actor: Any, action: str, before: dict[str, Any] | None) -> Project:
    try:
        with transaction.atomic():
            project.save()
            audit.record(
                actor,
                f"assistance.{action}",
                obj=project,
                area_code=project.area_id,
                before=before,
                after=audit.snapshot(project),
            )
    except IntegrityError:
        raise FupinError(AssistanceError.PROJECT_EXISTS, field="name") from None
    return project


def do_create_project(area: Area, data: dict[str, Any], *, actor: Any) -> Project:
    require(actor, MANAGE_ASSISTANCE, area_code=area.code)
    require_level(area, VILLAGE_OR_TOWNSHIP, AssistanceError.AREA_VILLAGE_OR_TOWNSHIP)
    values = _clean(data)
    return _save(Project(area=area, **values), actor, "create_project", None)


def do_update_project(project: Project, data: dict[str, Any], *, actor: Any) -> Project:
    """Correct a project or record its funds as they move; ``data`` holds every field, the
    form shows them all."""
    require(actor, MANAGE_ASSISTANCE, area_code=project.area_id)
    values = _clean(data)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        before = audit.snapshot(current)
        for name, value in values.items():
            setattr(current, name, value)
        return _save(current, actor, "update_project", before)
