"""Reads for a work-team member's day and for those who review and approve their work: the
member's own team membership, today's check-in, the month's attendance, their reports and
leave; the review and approval queues, always inside the reader's area; and "my households",
the households paired to the reader, each with its last home visit.

Dates are local dates (settings.TIME_ZONE): a check-in at 23:30 in 花垣 belongs to that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fupin.accounts.permissions import APPROVE_LEAVE, CHECK_IN, RECORD_ASSISTANCE, REVIEW_REPORTS
from fupin.areas.models import Level
from fupin.areas.queries import within
from fupin.assistance.models import Visit
from fupin.cases.area_settings import setting_for
from fupin.core.access import covers, require
from fupin.core.errors import NotFound, PermissionDenied
from fupin.pairing.models import HOUSEHOLD_KINDS, Pairing
from fupin.registry.models import Household
from fupin.teams.grading import attendance
from fupin.teams.models import CheckIn, LeaveRequest, LeaveStatus, ReportKind, TeamMember, WorkReport

# Who approves a leave request, by the level its ``approver_level`` names (domain.md §7):
# short leave the township party committee, longer leave the county organisation department.
APPROVERS: dict[int, Promise] = {
    Level.TOWNSHIP: _("the township party committee"),
    Level.COUNTY: _("the county organisation department"),
}


def approver_name(level: int) -> str:
    return str(APPROVERS.get(level, level))


# --- periods -------------------------------------------------------------------------------


def period_start(kind: str, day: dt.date) -> dt.date:
    """The first day of the week (Monday) or month that holds ``day``."""
    if kind == ReportKind.WEEKLY_SUMMARY:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_end(kind: str, start: dt.date) -> dt.date:
    if kind == ReportKind.WEEKLY_SUMMARY:
        return start + dt.timedelta(days=6)
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


# --- the member's own ----------------------------------------------------------------------


def active_memberships() -> QuerySet[TeamMember]:
    """Members still serving: not left, not recalled, on a team that has not ended."""
    return TeamMember.objects.filter(left_on__isnull=True, recalled=False, team__ended_on__isnull=True)


def active_membership(user: Any) -> TeamMember | None:
    """The user's own active team membership, if any (at most one: a constraint says so)."""
    if getattr(user, "pk", None) is None:
        return None
    return active_memberships().select_related("team", "area", "unit").filter(user=user).first()


def todays_check_in(member: TeamMember, today: dt.date | None = None) -> CheckIn | None:
    return CheckIn.objects.filter(member=member, day=today or timezone.localdate()).first()


@dataclass(frozen=True)
class Attendance:
    """Days checked in during one month against the days the village requires."""

    month: dt.date  # the 1st
    days: int
    required: int
    days_left: int = 0  # days of the month still open for a check-in, today included if not yet done

    @property
    def short(self) -> int:
        return max(self.required - self.days, 0)

    @property
    def met(self) -> bool:
        return self.days >= self.required

    @property
    def behind(self) -> bool:
        """The month can no longer reach the requirement."""
        return self.short > self.days_left


def month_attendance(member: TeamMember, today: dt.date | None = None) -> Attendance:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    last = period_end(ReportKind.MONTHLY_PLAN, first)
    days_in = set(
        CheckIn.objects.filter(member=member, day__gte=first, day__lte=last).values_list("day", flat=True)
    )
    # The organisation department's figure (grading.attendance): the setting less approved
    # leave, prorated for a part month, so the phone and the department never disagree.
    rows = attendance(member, first.year, first.month, today=today)
    required = rows[0].required if rows else int(setting_for(member.area_id, "village_days_per_month"))
    left = (last - today).days + (0 if today in days_in else 1)
    return Attendance(month=first, days=len(days_in), required=required, days_left=max(left, 0))


def own_report(member: TeamMember, kind: str, start: dt.date) -> WorkReport | None:
    return WorkReport.objects.filter(member=member, kind=kind, period_start=start).first()


def own_reports(member: TeamMember, limit: int = 12) -> list[WorkReport]:
    return list(WorkReport.objects.filter(member=member).select_related("reviewed_by")[:limit])


def own_leave(member: TeamMember, limit: int = 20) -> list[LeaveRequest]:
    return list(
        LeaveRequest.objects.filter(member=member).select_related("decided_by").order_by("-first_day")[:limit]
    )


def access_own_leave_by_id(user: Any, leave_id: Any) -> LeaveRequest:
    """One of the user's own leave requests; anyone else's (or a missing one) is NotFound."""
    require(user, CHECK_IN)
    try:
        pk = int(leave_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    leave = LeaveRequest.objects.select_related("member").filter(pk=pk, member__user=user).first()
    if leave is None:
        raise NotFound()
    return leave


# --- reviewers and approvers ---------------------------------------------------------------


def reports_within(user: Any) -> QuerySet[WorkReport]:
    """Summaries and plans inside the reviewer's area, oldest period first."""
    require(user, REVIEW_REPORTS)
    return (
        WorkReport.objects.filter(within(user.area, "area_id"))
        .select_related("member", "area", "reviewed_by")
        .order_by("period_start", "id")
    )


def review_queue(user: Any, *, waiting_only: bool = True) -> QuerySet[WorkReport]:
    qs = reports_within(user)
    if waiting_only:
        return qs.filter(reviewed_at__isnull=True).order_by("period_start", "id")
    return qs.order_by("-submitted_at", "-id")


def access_report_by_id(user: Any, report_id: Any) -> WorkReport:
    """A report for its reviewer: NotFound alike for a missing one and one outside the area."""
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    report = reports_within(user).filter(pk=pk).first()
    if report is None:
        raise NotFound()
    return report


def leave_within(user: Any) -> QuerySet[LeaveRequest]:
    """Leave requests inside the approver's area that its level decides: the township sees the
    short ones, the county organisation department the long ones."""
    require(user, APPROVE_LEAVE)
    return (
        LeaveRequest.objects.filter(within(user.area, "area_id"), approver_level=user.area.level)
        .select_related("member", "area", "decided_by")
        .order_by("first_day", "id")
    )


def leave_queue(user: Any, *, pending_only: bool = True) -> QuerySet[LeaveRequest]:
    qs = leave_within(user)
    if pending_only:
        return qs.filter(status=LeaveStatus.PENDING)
    return qs.exclude(status=LeaveStatus.PENDING).order_by("-decided_at", "-id")


def access_leave_by_id(user: Any, leave_id: Any) -> LeaveRequest:
    """A leave request for an approver: NotFound alike for a missing one and one outside the
    area. One at another level is shown to nobody here, but deciding it is refused with the
    name of who decides (by the action), so the lookup is by area only."""
    require(user, APPROVE_LEAVE)
    try:
        pk = int(leave_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    leave = (
        LeaveRequest.objects.filter(within(user.area, "area_id"), pk=pk)
        .select_related("member", "area", "decided_by")
        .first()
    )
    if leave is None:
        raise NotFound()
    return leave


# --- my households -------------------------------------------------------------------------


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class MyHousehold:
    pairing: Pairing
    household: Household
    last_visit: dt.date | None
    overdue: bool  # no home visit yet in the current quarter
    can_open: bool  # inside the user's area, so the household page opens


def may_see_my_households(user: Any) -> bool:
    return bool(user.can(CHECK_IN) or user.can(RECORD_ASSISTANCE))


def my_households(user: Any, today: dt.date | None = None) -> list[MyHousehold]:
    """Households paired to the user (干部包户, 党员联户) and still paired, with the last home
    visit; overdue ones (no visit this quarter) first."""
    if not may_see_my_households(user):
        raise PermissionDenied()
    today = today or timezone.localdate()
    since = quarter_start(today)
    pairings = list(
        Pairing.objects.filter(helper_user=user, kind__in=HOUSEHOLD_KINDS, ended_on__isnull=True)
        .select_related("household", "household__area")
        .order_by("household__head_name", "id")
    )
    ids = {p.household_id for p in pairings}
    last = dict(
        Visit.objects.filter(household_id__in=ids, day__lte=today)
        .values("household_id")
        .annotate(last=Max("day"))
        .values_list("household_id", "last")
    )
    rows = []
    seen_ids: set[int] = set()
    for p in pairings:
        # One row a household, even if the user is paired with it twice (as cadre and member).
        if p.household_id in seen_ids:
            continue
        seen_ids.add(p.household_id)
        household = p.household
        assert household is not None  # household kinds always have one (a constraint)
        visited = last.get(p.household_id)
        rows.append(
            MyHousehold(
                pairing=p,
                household=household,
                last_visit=visited,
                overdue=visited is None or visited < since,
                can_open=covers(user, household.area_id),
            )
        )
    rows.sort(key=lambda r: (not r.overdue, r.last_visit or dt.date.min))
    return rows
