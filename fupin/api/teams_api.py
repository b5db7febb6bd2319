"""API for a work-team member's phone app: today's check-in (一日一签到), who and where I am on
the team with this month's attendance, and the households paired to me with their last home
visit.

Thin like the rest: the rules (one check-in a day, the location's range, the membership and
its village inside the caller's area) and the audit entry are ``teams.actions``' business.
"""

# No ``from __future__ import annotations``: ninja reads the real types of the signatures.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, Router, Schema, Status

from fupin.accounts.models import User
from fupin.accounts.permissions import CHECK_IN
from fupin.api.schemas import ErrorOut
from fupin.core.access import covers, require
from fupin.teams import actions
from fupin.teams.errors import TeamError
from fupin.teams.models import CheckIn, TeamMember, TeamRole
from fupin.teams.queries import active_membership, month_attendance, my_households, todays_check_in

router = Router(tags=["teams"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 409: ErrorOut, **READ_ERRORS}


def _caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


# --- schemas -------------------------------------------------------------------------------


class CheckInIn(Schema):
    latitude: float | None = Field(None, description="Where the phone was, if it could tell: -90 to 90.")
    longitude: float | None = Field(None, description="-180 to 180; give both or neither.")


class CheckInOut(Schema):
    id: int
    day: dt.date = Field(description="The local date the check-in counts for.")
    at: dt.datetime
    latitude: float | None
    longitude: float | None
    village_code: str


class MembershipOut(Schema):
    id: int
    name: str
    role: TeamRole = Field(description="first_secretary, leader or member.")
    team_id: int
    village_code: str
    village_name: str
    unit: str = Field(description="The sending unit.")
    term_starts_on: dt.date
    term_ends_on: dt.date


class AttendanceOut(Schema):
    month: dt.date = Field(description="The month's first day.")
    days: int = Field(description="Days checked in this month.")
    required: int = Field(description="Days the village requires each month (a local setting).")
    short: int = Field(description="Days still missing to reach the requirement.")
    days_left: int = Field(description="Days of the month still open for a check-in, today included.")
    behind: bool = Field(description="The month can no longer reach the requirement.")


class TeamMeOut(Schema):
    membership: MembershipOut | None = Field(description="The caller's active team membership, if any.")
    problem: str | None = Field(
        description="Why the caller cannot check in (not on an active team, or the team's village "
        "lies outside the caller's area); empty when they can."
    )
    today: CheckInOut | None = Field(description="Today's check-in, once made.")
    attendance: AttendanceOut | None


class MyHouseholdOut(Schema):
    household_id: int
    head_name: str
    number: str
    area_code: str
    area_name: str
    pairing_kind: str = Field(description="cadre_household or member_household.")
    last_visit: dt.date | None = Field(description="The household's last home visit (走访).")
    overdue: bool = Field(description="No home visit yet in the current quarter.")


# --- building the answer -------------------------------------------------------------------


def _check_in(row: CheckIn) -> dict[str, Any]:
    return {
        "id": row.pk,
        "day": row.day,
        "at": row.at,
        "latitude": float(row.latitude) if row.latitude is not None else None,
        "longitude": float(row.longitude) if row.longitude is not None else None,
        "village_code": row.area_id,
    }


def _membership(member: TeamMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "name": member.name,
        "role": member.role,
        "team_id": member.team_id,
        "village_code": member.area_id,
        "village_name": member.area.name,
        "unit": member.unit.name,
        "term_starts_on": member.term_starts_on,
        "term_ends_on": member.term_ends_on,
    }


# --- endpoints -----------------------------------------------------------------------------


@router.post("/teams/check-in", response={201: CheckInOut, **WRITE_ERRORS}, summary="Check in for today")
def check_in(request: HttpRequest, payload: CheckInIn | None = Body(None)) -> Status[dict[str, Any]]:  # noqa: B008
    """一日一签到: one per person per day, in local time; the body is optional. A second one the
    same day answers 409 ALREADY_CHECKED_IN; not on an active work team 400 NOT_A_TEAM_MEMBER."""
    user = _caller(request)
    row = actions.do_check_in(
        user,
        latitude=payload.latitude if payload else None,
        longitude=payload.longitude if payload else None,
    )
    return Status(201, _check_in(row))


@router.get("/teams/me", response={200: TeamMeOut, **READ_ERRORS}, summary="My team and today's check-in")
def team_me(request: HttpRequest) -> dict[str, Any]:
    """The caller's team membership, today's check-in and this month's days in the village."""
    user = _caller(request)
    require(user, CHECK_IN)
    member = active_membership(user)
    answer: dict[str, Any] = {"membership": None, "problem": None, "today": None, "attendance": None}
    if member is None:
        answer["problem"] = TeamError.NOT_A_TEAM_MEMBER.message()
        return answer
    answer["membership"] = _membership(member)
    if not covers(user, member.area_id):
        answer["problem"] = TeamError.TEAM_OUTSIDE_AREA.message(village=member.area.name)
        return answer
    today = todays_check_in(member)
    attendance = month_attendance(member)
    answer["today"] = _check_in(today) if today else None
    answer["attendance"] = {
        "month": attendance.month,
        "days": attendance.days,
        "required": attendance.required,
        "short": attendance.short,
        "days_left": attendance.days_left,
        "behind": attendance.behind,
    }
    return answer


@router.get("/my/households", response={200: list[MyHouseholdOut], **READ_ERRORS}, summary="My households")
def households(request: HttpRequest) -> list[dict[str, Any]]:
    """Households paired to the caller (干部包户, 党员联户), overdue ones first: those without a
    home visit in the current quarter."""
    user = _caller(request)
    return [
        {
            "household_id": row.household.pk,
            "head_name": row.household.head_name,
            "number": row.household.number,
            "area_code": row.household.area_id,
            "area_name": row.household.area.name,
            "pairing_kind": row.pairing.kind,
            "last_visit": row.last_visit,
            "overdue": row.overdue,
        }
        for row in my_households(user)
    ]
