"""Recording what was done for a household (精准施策): a measure by kind, and a home visit (走访).

Both are appends: two people recording at once add two rows, which is what happened, so
nothing is locked. Who may record is ``common.require_recorder``: anyone holding the
permission inside the area, a cadre only for the households paired to them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fupin.accounts.display import display_name
from fupin.assistance.common import (
    Cleaner,
    household_pairings,
    is_cadre,
    require_recorder,
    township_code,
    user_or_none,
    village_code,
)
from fupin.assistance.errors import AssistanceError
from fupin.assistance.models import Measure, MeasureKind, Project, Visit
from fupin.core import audit
from fupin.core.errors import FupinError
from fupin.pairing.models import Pairing
from fupin.registry.models import Household


def _pk(value: Any) -> int | None:
    if isinstance(value, Pairing | Project):
        return value.pk
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return -1  # no such row: answered as "not one of the household's" below


def _responsible(household: Household, raw: Any, actor: Any, form: Cleaner) -> Pairing | None:
    pairings = household_pairings(household)
    pk = _pk(raw)
    if pk is None:
        # A cadre records as the one who answers for the household: their own pairing.
        if is_cadre(actor):
            return pairings.filter(helper_user_id=actor.pk).order_by("started_on", "pk").first()
        return None
    found = pairings.filter(pk=pk).first()
    if found is None:
        form.add(FupinError(AssistanceError.RESPONSIBLE_NOT_PAIRED, field="responsible"))
    return found


def _project(household: Household, raw: Any, day: Any, form: Cleaner) -> Project | None:
    """A project of the household's own village or its township, of the measure's year or an
    earlier one (a project's funds reach households in the years after it starts)."""
    pk = _pk(raw)
    if pk is None:
        return None
    places = (village_code(household.area_id), township_code(household.area_id))
    project = Project.objects.filter(pk=pk, area_id__in=places).first()
    if project is None:
        form.add(FupinError(AssistanceError.PROJECT_OUTSIDE, field="project"))
    elif day is not None and project.year > day.year:
        form.add(FupinError(AssistanceError.PROJECT_LATER, field="project", year=project.year))
    return project


def do_record_measure(household: Household, data: dict[str, Any], *, actor: Any) -> Measure:
    """One measure the household enjoys: its kind, date, amount (yuan, 0 when in kind),
    what it was, who answers for it and the project it came from."""
    require_recorder(actor, household)
    form = Cleaner(data)
    kind = form.choice("kind", MeasureKind)
    day = form.day("day")
    amount = form.amount("amount")
    description = form.text("description", 300, AssistanceError.DESCRIPTION_REQUIRED)
    responsible = _responsible(household, data.get("responsible"), actor, form)
    project = _project(household, data.get("project"), day, form)
    form.done()
    measure = Measure(
        household=household,
        area_id=household.area_id,
        kind=kind,
        day=day,
        amount=amount,
        description=description,
        responsible=responsible,
        project=project,
        recorded_by=user_or_none(actor),
    )
    with transaction.atomic():
        measure.save(force_insert=True)
        audit.record(
            actor,
            "assistance.record_measure",
            obj=measure,
            area_code=household.area_id,
            after=audit.snapshot(measure),
        )
    return measure


def visitor_name_of(actor: Any) -> str:
    # The visit log is read by people: the visitor's name, else their role, never a login.
    return display_name(actor)[:50]


def do_record_visit(household: Household, data: dict[str, Any], *, actor: Any) -> Visit:
    """走访: a home visit, what was discussed and what was done. The visitor is the one
    recording unless another name is given (a clerk typing in a visit from a paper log)."""
    require_recorder(actor, household)
    form = Cleaner(data)
    day = form.day("day")
    discussed = form.text("discussed", 500, AssistanceError.DISCUSSED_REQUIRED)
    done = form.text("done", 500)
    name = form.text("visitor_name", 50) or visitor_name_of(actor)
    form.done()
    visit = Visit(
        household=household,
        area_id=household.area_id,
        day=day,
        visitor_name=name,
        visitor=user_or_none(actor),
        discussed=discussed,
        done=done,
    )
    with transaction.atomic():
        visit.save(force_insert=True)
        audit.record(
            actor,
            "assistance.record_visit",
            obj=visit,
            area_code=household.area_id,
            after=audit.snapshot(visit),
        )
    return visit
