"""API for a household's assistance: its home visits (走访) and measures (帮扶措施), read and
recorded. The phone clients of cadres record visits here.

Thin like the rest: the household is looked up through ``registry.queries`` (the same 404 for
a missing household and one outside the caller's area); who may record — the permission
inside the area, and a cadre only for the households paired to them — and every rule of the
record are the actions' business, so the pages and the API refuse alike.
"""

# No ``from __future__ import annotations``: ninja reads the annotations at import.
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from fupin.accounts.models import User
from fupin.api.schemas import ErrorOut
from fupin.assistance import actions
from fupin.assistance.common import may_record, village_code
from fupin.assistance.models import Measure, Visit
from fupin.assistance.visits import KEY, expected_so_far, months_elapsed
from fupin.cases.area_settings import setting_for
from fupin.registry.models import Household
from fupin.registry.queries import access_household_by_id

router = Router(tags=["assistance"])

HouseholdId = Annotated[int, Path(description="The household's id.")]
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, **READ_ERRORS}
MAX_ITEMS = 500


def _caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


# --- schemas -------------------------------------------------------------------------------


class ListFilter(Schema):
    limit: int = Field(100, ge=1, le=MAX_ITEMS, description=f"How many, newest first (1 to {MAX_ITEMS}).")


class VisitOut(Schema):
    id: int
    household_id: int
    day: dt.date = Field(description="The day of the visit.")
    visitor_name: str = Field(description="Who visited.")
    visitor: str | None = Field(description="The login that recorded it, if any.")
    discussed: str = Field(description="What was discussed.")
    done: str = Field(description="What was done.")


class VisitsOut(Schema):
    household_id: int
    year: int = Field(description="This year.")
    visits_this_year: int
    minimum: int = Field(description="Visits a year the household's village asks for (a local setting).")
    expected_by_now: int = Field(
        description="The minimum spread over the whole months of this year already over, rounded up."
    )
    behind: bool = Field(description="Fewer visits this year than expected by now.")
    last_visit: dt.date | None
    can_record: bool = Field(description="Whether the caller may record a visit or a measure here.")
    items: list[VisitOut]


class HouseholdVisitIn(Schema):
    day: dt.date = Field(description="The day of the visit; not in the future.")
    discussed: str = Field(description="What was discussed; required, at most 500 characters.")
    done: str = Field("", description="What was done; at most 500 characters.")
    visitor_name: str = Field("", description="Who visited; empty means the caller.")


class MeasureOut(Schema):
    id: int
    household_id: int
    kind: str = Field(description="industry, employment, education, health, housing, … (MeasureKind).")
    kind_label: str = Field(description="The kind's name in the request's language.")
    day: dt.date
    amount: Decimal = Field(description="Yuan; 0 for help in kind.")
    description: str
    responsible_id: int | None = Field(description="The pairing (帮扶责任人) that answers for it.")
    responsible_name: str | None
    project_id: int | None = Field(description="The project the money came from.")
    project_name: str | None
    recorded_by: str | None


class MeasuresOut(Schema):
    household_id: int
    year: int = Field(description="This year.")
    count_this_year: int
    amount_this_year: Decimal
    can_record: bool
    items: list[MeasureOut]


class MeasureIn(Schema):
    kind: str = Field(description="One of the MeasureKind values (or its label).")
    day: dt.date = Field(description="The day of the measure; not in the future.")
    amount: Decimal = Field(Decimal("0"), description="Yuan, at least 0, at most two decimals.")
    description: str = Field(description="What was done; required, at most 300 characters.")
    responsible_id: int | None = Field(None, description="One of the household's active pairings.")
    project_id: int | None = Field(
        None,
        description="A project of the household's village or township, of the measure's year or earlier.",
    )


# --- building the answer -------------------------------------------------------------------


def _visit(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "household_id": visit.household_id,
        "day": visit.day,
        "visitor_name": visit.visitor_name,
        "visitor": visit.visitor.username if visit.visitor else None,
        "discussed": visit.discussed,
        "done": visit.done,
    }


def _measure(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.pk,
        "household_id": measure.household_id,
        "kind": measure.kind,
        "kind_label": str(measure.get_kind_display()),
        "day": measure.day,
        "amount": measure.amount,
        "description": measure.description,
        "responsible_id": measure.responsible_id,
        "responsible_name": measure.responsible.helper_name if measure.responsible else None,
        "project_id": measure.project_id,
        "project_name": measure.project.name if measure.project else None,
        "recorded_by": measure.recorded_by.username if measure.recorded_by else None,
    }


def _this_year(qs: Any) -> Any:
    year = timezone.localdate().year
    return qs.filter(day__gte=dt.date(year, 1, 1), day__lte=dt.date(year, 12, 31))


# --- endpoints -----------------------------------------------------------------------------


@router.get(
    "/households/{household_id}/visits",
    response={200: VisitsOut, **READ_ERRORS},
    summary="A household's home visits",
)
def list_visits(
    request: HttpRequest, household_id: HouseholdId, filters: Query[ListFilter]
) -> dict[str, Any]:
    """The household's home visits, newest first, and how this year compares with its
    village's minimum."""
    user = _caller(request)
    household: Household = access_household_by_id(user, household_id)
    today = timezone.localdate()
    visits = household.visits.select_related("visitor").order_by("-day", "-pk")
    count = _this_year(visits).count()
    minimum = int(setting_for(village_code(household.area_id), KEY))
    expected = expected_so_far(minimum, months_elapsed(today.year, today))
    return {
        "household_id": household.pk,
        "year": today.year,
        "visits_this_year": count,
        "minimum": minimum,
        "expected_by_now": expected,
        "behind": count < expected,
        "last_visit": visits.values_list("day", flat=True).first(),
        "can_record": may_record(user, household),
        "items": [_visit(v) for v in visits[: filters.limit]],
    }


@router.post(
    "/households/{household_id}/visits",
    response={201: VisitOut, **WRITE_ERRORS},
    summary="Record a home visit",
)
def record_visit(
    request: HttpRequest, household_id: HouseholdId, payload: HouseholdVisitIn
) -> Status[dict[str, Any]]:
    """Record a home visit. A cadre may record only for the households paired to them (403
    NOT_PAIRED otherwise)."""
    user = _caller(request)
    household = access_household_by_id(user, household_id)
    visit = actions.do_record_visit(household, payload.model_dump(), actor=user)
    return Status(201, _visit(visit))


@router.get(
    "/households/{household_id}/measures",
    response={200: MeasuresOut, **READ_ERRORS},
    summary="A household's assistance measures",
)
def list_measures(
    request: HttpRequest, household_id: HouseholdId, filters: Query[ListFilter]
) -> dict[str, Any]:
    """The measures the household enjoys, newest first, with this year's count and amount."""
    user = _caller(request)
    household: Household = access_household_by_id(user, household_id)
    measures = household.measures.select_related("responsible", "project", "recorded_by").order_by(
        "-day", "-pk"
    )
    this_year = list(_this_year(measures).values_list("amount", flat=True))
    return {
        "household_id": household.pk,
        "year": timezone.localdate().year,
        "count_this_year": len(this_year),
        "amount_this_year": sum(this_year, Decimal("0")),
        "can_record": may_record(user, household),
        "items": [_measure(m) for m in measures[: filters.limit]],
    }


@router.post(
    "/households/{household_id}/measures",
    response={201: MeasureOut, **WRITE_ERRORS},
    summary="Record an assistance measure",
)
def record_measure(
    request: HttpRequest, household_id: HouseholdId, payload: MeasureIn
) -> Status[dict[str, Any]]:
    """Record a measure. A cadre may record only for the households paired to them (403
    NOT_PAIRED otherwise); a cadre who names no responsible pairing is recorded as it."""
    user = _caller(request)
    household = access_household_by_id(user, household_id)
    data = payload.model_dump(exclude={"responsible_id", "project_id"})
    data["responsible"] = payload.responsible_id
    data["project"] = payload.project_id
    measure = actions.do_record_measure(household, data, actor=user)
    return Status(201, _measure(measure))
