"""A work-team member's own writes and the decisions on them (domain.md §7): the daily check-in
(一日一签到), the weekly summary (一周一总结) and monthly plan (一月一计划) and their review,
and leave requests approved by level — short leave by the township party committee, longer
leave by the county organisation department.

A member acts only through their own active membership, and only while their team's village
lies inside their own area: the login and the roster must agree on where the person works.
Races are settled by the database: one check-in a day is a unique constraint (two taps at once
give one row and one clear answer), and deciding or reviewing locks the row first.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.accounts.permissions import APPROVE_LEAVE, CHECK_IN, REVIEW_REPORTS
from fupin.cases.area_settings import setting_for
from fupin.core import audit
from fupin.core.access import covers, require
from fupin.core.errors import CoreError, FupinError, PermissionDenied
from fupin.registry.errors import RegistryError
from fupin.teams.errors import TeamError
from fupin.teams.grading import check_recall_triggers
from fupin.teams.models import (
    CheckIn,
    LeaveRequest,
    LeaveStatus,
    ReportKind,
    TeamMember,
    WorkReport,
)
from fupin.teams.queries import APPROVERS, active_memberships, period_start

REPORT_TEXT_MAX = 5000
NOTE_MAX = 300  # the review and decision notes' column width
LEAVE_MAX_DAYS = 366
SIX_PLACES = Decimal("0.000001")


class TeamConflict(FupinError):
    """Someone (or the same person, tapping twice) got there first: answered 409."""

    status = 409


# --- helpers -------------------------------------------------------------------------------


def _text(value: Any, limit: int, field: str, required: TeamError | None = None) -> str:
    text = str(value or "").strip()
    if required is not None and not text:
        raise FupinError(required, field=field)
    if len(text) > limit:
        raise FupinError(RegistryError.TOO_LONG, field=field, max=limit)
    return text


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise FupinError(RegistryError.BAD_DATE, field=field) from None


def _coordinate(value: Any, field: str, bound: int, error: TeamError) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FupinError(error, field=field) from None
    if not number.is_finite() or not -bound <= number <= bound:
        raise FupinError(error, field=field)
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def own_membership(actor: Any, *, lock: bool = False) -> TeamMember:
    """The actor's active membership, checked against the actor's own area.

    ``lock`` holds the member row for the rest of the transaction, so one person's writes that
    check their other rows first (overlapping leave) run one after the other.
    """
    require(actor, CHECK_IN)
    qs = active_memberships().select_related("area").filter(user=actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    member = qs.first()
    if member is None:
        raise FupinError(TeamError.NOT_A_TEAM_MEMBER)
    if not covers(actor, member.area_id):
        raise FupinError(TeamError.TEAM_OUTSIDE_AREA, village=member.area.name)
    return member


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- 一日一签到 ----------------------------------------------------------------------------


def do_check_in(
    actor: Any, *, latitude: Any = None, longitude: Any = None, now: dt.datetime | None = None
) -> CheckIn:
    """Today's check-in in the village, with the place if the phone gave one.

    The day is the local date of ``now``; a second check-in that day is refused, also when two
    arrive at once (the unique constraint decides, inside a savepoint so the caller's
    transaction survives)."""
    member = own_membership(actor)
    lat = _coordinate(latitude, "latitude", 90, TeamError.LATITUDE_INVALID)
    lon = _coordinate(longitude, "longitude", 180, TeamError.LONGITUDE_INVALID)
    if (lat is None) != (lon is None):
        raise FupinError(TeamError.LOCATION_INCOMPLETE, field="latitude" if lat is None else "longitude")
    now = now or timezone.now()
    day = timezone.localdate(now)
    if CheckIn.objects.filter(member=member, day=day).exists():
        raise TeamConflict(TeamError.ALREADY_CHECKED_IN)
    check_in = CheckIn(member=member, area_id=member.area_id, day=day, at=now, latitude=lat, longitude=lon)
    month_start = day.replace(day=1)
    first_of_month = not CheckIn.objects.filter(member=member, day__gte=month_start, day__lt=day).exists()
    try:
        with transaction.atomic():
            check_in.save(force_insert=True)
            audit.record(
                actor,
                "teams.check_in",
                obj=check_in,
                area_code=member.area_id,
                after=audit.snapshot(check_in),
            )
    except IntegrityError:
        raise TeamConflict(TeamError.ALREADY_CHECKED_IN) from None
    if first_of_month:
        # The month before is now over: the days-in-the-village rule can judge it. Outside the
        # check-in's savepoint, so a lost race over a proposal never costs the check-in.
        before = month_start - dt.timedelta(days=1)
        check_recall_triggers(member, before.year, today=day)
    return check_in


# --- 一周一总结、一月一计划 ----------------------------------------------------------------


def do_write_report(
    actor: Any, kind: str, period_start_day: Any, text: str, *, today: dt.date | None = None
) -> WorkReport:
    """Write or rewrite one's own weekly summary or monthly plan.

    The period is the week (from its Monday) or month (from the 1st) holding the given day;
    never a period after the current one. Once reviewed, the report is closed to its author.
    """
    member = own_membership(actor)
    if kind not in ReportKind.values:
        raise FupinError(TeamError.REPORT_KIND_UNKNOWN, field="kind")
    start = period_start(kind, _date(period_start_day, "period_start"))
    today = today or timezone.localdate()
    if start > period_start(kind, today):
        raise FupinError(TeamError.REPORT_PERIOD_FUTURE, field="period_start")
    body = _text(text, REPORT_TEXT_MAX, "text", TeamError.REPORT_TEXT_REQUIRED)
    for attempt in (1, 2):
        try:
            return _save_report(actor, member, kind, start, body)
        except IntegrityError:
            # The first save of a period, twice at once: the other one's row now exists, so
            # the second attempt updates it like any rewrite.
            if attempt == 2:
                raise TeamConflict(CoreError.CONFLICT) from None
    raise AssertionError("unreachable")


def _save_report(actor: Any, member: TeamMember, kind: str, start: dt.date, body: str) -> WorkReport:
    with transaction.atomic():
        report = (
            WorkReport.objects.select_for_update()
            .filter(member=member, kind=kind, period_start=start)
            .first()
        )
        if report is not None and report.reviewed_at is not None:
            raise TeamConflict(TeamError.REPORT_REVIEWED)
        before = audit.snapshot(report)
        if report is None:
            report = WorkReport(member=member, area_id=member.area_id, kind=kind, period_start=start)
        report.text = body
        report.save()
        audit.record(
            actor,
            "teams.write_report",
            obj=report,
            area_code=member.area_id,
            before=before,
            after=audit.snapshot(report),
        )
    return report


def do_review_report(actor: Any, report: WorkReport, note: str = "") -> WorkReport:
    """Mark a summary or plan reviewed, with an optional note; from then on it is closed."""
    require(actor, REVIEW_REPORTS, area_code=report.area_id)
    note = _text(note, NOTE_MAX, "note")
    with transaction.atomic():
        locked = WorkReport.objects.select_for_update().get(pk=report.pk)
        if locked.reviewed_at is not None:
            raise TeamConflict(TeamError.REPORT_REVIEWED)
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = _user(actor)
        locked.review_note = note
        # update_fields leaves submitted_at (auto_now) alone: it is when the author wrote it.
        locked.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
        audit.record(
            actor,
            "teams.review_report",
            obj=locked,
            area_code=locked.area_id,
            before={"reviewed_at": None},
            after={"reviewed_at": locked.reviewed_at, "review_note": note},
        )
    return locked


# --- leave ---------------------------------------------------------------------------------


def approver_level_for(area_code: str, days: int) -> int:
    """4 (the township party committee) up to the village's limit, else 3 (the county
    organisation department)."""
    return 4 if days <= int(setting_for(area_code, "leave_township_max_days")) else 3


def do_request_leave(actor: Any, first_day: Any, last_day: Any, reason: str) -> LeaveRequest:
    """A written leave request; its length decides who approves it."""
    first = _date(first_day, "first_day")
    last = _date(last_day, "last_day")
    if last < first:
        raise FupinError(TeamError.LEAVE_DAYS_ORDER, field="last_day")
    days = (last - first).days + 1
    if days > LEAVE_MAX_DAYS:
        raise FupinError(TeamError.LEAVE_TOO_LONG, field="last_day", max=LEAVE_MAX_DAYS)
    reason = _text(reason, 300, "reason", TeamError.LEAVE_REASON_REQUIRED)
    with transaction.atomic():
        member = own_membership(actor, lock=True)
        clash = (
            LeaveRequest.objects.filter(
                member=member,
                status__in=(LeaveStatus.PENDING, LeaveStatus.APPROVED),
                first_day__lte=last,
                last_day__gte=first,
            )
            .order_by("first_day")
            .first()
        )
        if clash is not None:
            raise FupinError(
                TeamError.LEAVE_OVERLAP,
                field="first_day",
                first=clash.first_day.isoformat(),
                last=clash.last_day.isoformat(),
            )
        leave = LeaveRequest.objects.create(
            member=member,
            area_id=member.area_id,
            first_day=first,
            last_day=last,
            days=days,
            reason=reason,
            approver_level=approver_level_for(member.area_id, days),
        )
        audit.record(
            actor, "teams.request_leave", obj=leave, area_code=leave.area_id, after=audit.snapshot(leave)
        )
    return leave


def _lock_pending(leave: LeaveRequest) -> LeaveRequest:
    locked = LeaveRequest.objects.select_for_update().select_related("member").get(pk=leave.pk)
    if locked.status != LeaveStatus.PENDING:
        raise TeamConflict(TeamError.LEAVE_DECIDED, status=str(LeaveStatus(locked.status).label))
    return locked


def do_decide_leave(actor: Any, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    """Approve or refuse (with the reason) a leave request at the level its length calls for.

    An approval may trip the recall rule (leave over the yearly limit): the recall check runs
    in the same transaction for every year the leave touches."""
    require(actor, APPROVE_LEAVE, area_code=leave.area_id)
    area = getattr(actor, "area", None)  # none for the system operator, who may decide any
    if area is not None and area.level != leave.approver_level:
        raise FupinError(
            TeamError.LEAVE_WRONG_LEVEL,
            days=leave.days,
            approver=APPROVERS.get(leave.approver_level, leave.approver_level),
        )
    note = _text(note, NOTE_MAX, "note", None if approve else TeamError.LEAVE_REFUSAL_NOTE_REQUIRED)
    with transaction.atomic():
        locked = _lock_pending(leave)
        locked.status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
        locked.decided_by = _user(actor)
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            actor,
            "teams.approve_leave" if approve else "teams.refuse_leave",
            obj=locked,
            area_code=locked.area_id,
            before={"status": LeaveStatus.PENDING},
            after={"status": locked.status, "decision_note": note},
        )
        if approve:
            for year in range(locked.first_day.year, locked.last_day.year + 1):
                check_recall_triggers(locked.member, year)
    return locked


def do_cancel_leave(actor: Any, leave: LeaveRequest) -> LeaveRequest:
    """The requester withdraws a request nobody has decided yet."""
    require(actor, CHECK_IN, area_code=leave.area_id)
    if leave.member.user_id != getattr(actor, "pk", None):
        raise PermissionDenied()
    with transaction.atomic():
        locked = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if locked.status != LeaveStatus.PENDING:
            raise TeamConflict(TeamError.LEAVE_NOT_PENDING)
        locked.status = LeaveStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit.record(
            actor,
            "teams.cancel_leave",
            obj=locked,
            area_code=locked.area_id,
            before={"status": LeaveStatus.PENDING},
            after={"status": locked.status},
        )
    return locked
