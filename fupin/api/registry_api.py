"""API for the caller, areas and the household file (建档立卡).

Every view is thin: parse, look the object up through ``registry.queries`` (which answers the
same 404 for a missing object and one outside the caller's area), call the action, and return
the schema. Role, area, validation and the audit entry are the actions' business.
"""

from typing import Annotated, Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from fupin.accounts.models import User
from fupin.accounts.permissions import EDIT_REGISTRY, VIEW_REGISTRY
from fupin.api.pagination import LimitOffset
from fupin.api.schemas import (
    AreaOut,
    ChildArea,
    ConditionsIn,
    ConditionsOut,
    ErrorOut,
    HouseholdCreateIn,
    HouseholdFieldsIn,
    HouseholdFilters,
    HouseholdListItem,
    HouseholdOut,
    IncomeIn,
    IncomeOut,
    MemberFieldsIn,
    MemberIn,
    MemberLeaveIn,
    MemberOut,
    MeOut,
    RevealedIdOut,
)
from fupin.areas.models import Area
from fupin.areas.queries import access_area_by_code, children_of
from fupin.core.access import require
from fupin.core.errors import NotFound
from fupin.registry import actions
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member
from fupin.registry.queries import (
    access_household_by_id,
    access_member_by_id,
    area_counts,
    child_counts,
    search_households,
)

router = Router()

# Path parameters, described once for the OpenAPI document.
AreaCode = Annotated[str, Path(description="Area code (12 digits; 15 for a village group).")]
HouseholdId = Annotated[int, Path(description="The household's id.")]
MemberId = Annotated[int, Path(description="The member's id.")]
Year = Annotated[int, Path(description="The year the record is for (1990 to this year).")]

# Documented error answers: every endpoint may refuse with these.
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 409: ErrorOut, **READ_ERRORS}


def _caller(request: HttpRequest) -> User:
    # BearerToken.authenticate returned the token's user; ninja keeps it as request.auth.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _area_in_scope(user: User, code: str, field: str) -> Area:
    """The area named by an input field: NotFound, naming the field, alike for a code that
    does not exist and one outside the caller's area."""
    try:
        return access_area_by_code(user, code)
    except NotFound as exc:
        exc.field = field
        raise


def _with_member_counts(households: QuerySet[Household]) -> QuerySet[Household]:
    """Current members per household as one correlated subquery: only the page's rows pay for
    it, and the total count (which does not reference it) leaves it out."""
    current = (
        Member.objects.filter(household=OuterRef("pk"), left_on=None)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return households.annotate(
        member_count=Coalesce(Subquery(current, output_field=IntegerField()), Value(0))
    )


# --- the caller and areas ------------------------------------------------------------------


@router.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["me"], summary="Who the token belongs to")
def me(request: HttpRequest) -> User:
    """The caller's user name, role, area and permissions."""
    return _caller(request)


@router.get("/areas/{code}", response={200: AreaOut, **READ_ERRORS}, tags=["areas"], summary="One area")
def get_area(request: HttpRequest, code: AreaCode) -> dict[str, Any]:
    """An area inside the caller's area, its children, and (for roles that may read the
    household file) its counts. An area outside answers 404 like one that does not exist."""
    user = _caller(request)
    area = access_area_by_code(user, code)
    counts = None
    if user.can(VIEW_REGISTRY):
        counts = area_counts(user, area)
        children = [
            ChildArea(
                code=row["area"].code,
                name=row["area"].name,
                level=row["area"].level,
                households=row["total"],
                poor=row["poor"],
                exited=row["exited"],
                monitored=row["monitored"],
            )
            for row in child_counts(user, area)
        ]
    else:
        children = [ChildArea(code=a.code, name=a.name, level=a.level) for a in children_of(area)]
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent_code": area.parent_id,
        "children": children,
        "counts": counts,
    }


# --- households ----------------------------------------------------------------------------


@router.get(
    "/households",
    response={200: list[HouseholdListItem], **READ_ERRORS},
    tags=["households"],
    summary="List households",
)
@paginate(LimitOffset)
def list_households(request: HttpRequest, filters: Query[HouseholdFilters]) -> QuerySet[Household]:
    """Households inside the caller's area, by area and number, a page at a time."""
    user = _caller(request)
    # A role that may not read the file is refused whatever filter it sends.
    require(user, VIEW_REGISTRY)
    area = _area_in_scope(user, filters.area, "area") if filters.area else None
    households = search_households(
        user,
        area=area,
        q=(filters.q or "").strip(),
        status=filters.status or "",
        cause=filters.main_cause or "",
    )
    listed = households.select_related(None).only(
        "id", "number", "area_id", "head_name", "status", "main_cause"
    )
    return _with_member_counts(listed).order_by("area_id", "number")


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, **READ_ERRORS},
    tags=["households"],
    summary="One household",
)
def get_household(request: HttpRequest, household_id: HouseholdId) -> Household:
    """The household with members (ID numbers and phones masked), incomes and living-condition
    checks by year, and its status history."""
    return access_household_by_id(_caller(request), household_id)


@router.post(
    "/households",
    response={201: HouseholdOut, **WRITE_ERRORS},
    tags=["households"],
    summary="Register a household",
)
def create_household(request: HttpRequest, payload: HouseholdCreateIn) -> Status[Household]:
    """Register a household in a village or village group, optionally with its members, all or
    nothing. The household number is assigned. An area code that does not exist or lies
    outside the caller's area answers 404 with field ``area_code``."""
    user = _caller(request)
    # The role is checked before the area, so a role that may not write learns nothing of areas.
    require(user, EDIT_REGISTRY)
    area = _area_in_scope(user, payload.area_code, "area_code")
    data = payload.model_dump(mode="json", exclude_unset=True, exclude={"area_code", "members"})
    members = [m.model_dump(mode="json", exclude_unset=True) for m in payload.members or []]
    household = actions.do_create_household(area, data, actor=user, members=members or None)
    return Status(201, household)


@router.patch(
    "/households/{household_id}",
    response={200: HouseholdOut, **WRITE_ERRORS},
    tags=["households"],
    summary="Change a household",
)
def update_household(
    request: HttpRequest, household_id: HouseholdId, payload: HouseholdFieldsIn
) -> Household:
    """Change the fields sent; those left out stay as they are."""
    user = _caller(request)
    household = access_household_by_id(user, household_id)
    data = payload.model_dump(mode="json", exclude_unset=True)
    return actions.do_update_household(household, data, actor=user)


@router.put(
    "/households/{household_id}/incomes/{year}",
    response={200: IncomeOut, **WRITE_ERRORS},
    tags=["households"],
    summary="Record a year's income",
)
def record_income(
    request: HttpRequest, household_id: HouseholdId, year: Year, payload: IncomeIn
) -> IncomeRecord:
    """Record or correct the year's income; totals and per-capita net income are computed
    from the amounts and the current number of members."""
    user = _caller(request)
    household = access_household_by_id(user, household_id)
    return actions.do_record_income(household, year, payload.model_dump(mode="json"), actor=user)


@router.put(
    "/households/{household_id}/conditions/{year}",
    response={200: ConditionsOut, **WRITE_ERRORS},
    tags=["households"],
    summary="Record a year's living conditions",
)
def record_conditions(
    request: HttpRequest, household_id: HouseholdId, year: Year, payload: ConditionsIn
) -> HouseholdCondition:
    """Record or correct the year's check of 两不愁三保障 and safe drinking water."""
    user = _caller(request)
    household = access_household_by_id(user, household_id)
    checks = payload.model_dump(exclude={"notes"})
    return actions.do_record_conditions(household, year, checks, actor=user, notes=payload.notes)


# --- members -------------------------------------------------------------------------------


@router.post(
    "/households/{household_id}/members",
    response={201: MemberOut, **WRITE_ERRORS},
    tags=["members"],
    summary="Add a member",
)
def add_member(request: HttpRequest, household_id: HouseholdId, payload: MemberIn) -> Status[Member]:
    """Add a member to the household; gender and birth date come from the ID number."""
    user = _caller(request)
    household = access_household_by_id(user, household_id)
    data = payload.model_dump(mode="json", exclude_unset=True)
    return Status(201, actions.do_add_member(household, data, actor=user))


@router.patch(
    "/members/{member_id}",
    response={200: MemberOut, **WRITE_ERRORS},
    tags=["members"],
    summary="Change a member",
)
def update_member(request: HttpRequest, member_id: MemberId, payload: MemberFieldsIn) -> Member:
    """Change the fields sent; those left out stay as they are."""
    user = _caller(request)
    member = access_member_by_id(user, member_id)
    data = payload.model_dump(mode="json", exclude_unset=True)
    return actions.do_update_member(member, data, actor=user)


@router.post(
    "/members/{member_id}/leave",
    response={200: MemberOut, **WRITE_ERRORS},
    tags=["members"],
    summary="A member leaves the household",
)
def remove_member(request: HttpRequest, member_id: MemberId, payload: MemberLeaveIn) -> Member:
    """Record that a member left (death, marriage, moving away); the member stays on file."""
    user = _caller(request)
    member = access_member_by_id(user, member_id)
    left_on = payload.left_on or timezone.localdate()
    return actions.do_remove_member(member, left_on=left_on, reason=payload.reason, actor=user)


@router.post(
    "/members/{member_id}/reveal-id",
    response={200: RevealedIdOut, **WRITE_ERRORS},
    tags=["members"],
    summary="Reveal a member's full ID number",
)
def reveal_id_number(request: HttpRequest, member_id: MemberId, response: HttpResponse) -> dict[str, Any]:
    """The full ID number, for roles that may see personal data. Every reveal is audited."""
    user = _caller(request)
    member = access_member_by_id(user, member_id)
    number = actions.do_reveal_id_number(member, actor=user)
    # Keep the plain number out of browser and proxy caches.
    response["Cache-Control"] = "no-store"
    return {"member_id": member.pk, "id_number": number}
