"""A work-team member's day on the phone (/my/): the daily check-in, the month's attendance,
the households paired to them with their last home visit, this week's summary and this month's
plan, and leave requests — and the other side: the review queue for summaries and plans, and
the leave approval queue, each showing only what the user's level decides.

Thin: reads through ``teams.queries``, writes through ``teams.actions``; a refused write shows
its message in the part of the page it came from.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts.permissions import APPROVE_LEAVE, CHECK_IN, REVIEW_REPORTS
from fupin.cases.area_settings import setting_for
from fupin.core.access import covers, require
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.teams import actions
from fupin.teams.errors import TeamError
from fupin.teams.models import ReportKind
from fupin.teams.queries import (
    access_leave_by_id,
    access_own_leave_by_id,
    access_report_by_id,
    active_membership,
    approver_name,
    leave_queue,
    may_see_my_households,
    month_attendance,
    my_households,
    own_leave,
    own_report,
    own_reports,
    period_end,
    period_start,
    review_queue,
    todays_check_in,
)
from fupin.web.decorators import page


def _messages_of(exc: FupinError) -> list[str]:
    """Form errors to show on the page; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    if isinstance(exc, ValidationFailed):
        return [e.message for e in exc.errors]
    return [exc.message]


# --- /my/ ----------------------------------------------------------------------------------


def _with_approver(leaves: list[Any]) -> list[Any]:
    """Each request names who decides it (the level fixed when it was made, by its length), so
    the member knows whom a pending one waits for."""
    for leave in leaves:
        leave.approver = approver_name(leave.approver_level)
    return leaves


def _render_my(
    request: HttpRequest,
    *,
    errors: dict[str, list[str]] | None = None,
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    if not may_see_my_households(user):
        raise PermissionDenied()
    today = timezone.localdate()
    context: dict[str, Any] = {
        "today": today,
        "households": my_households(user, today),
        "can_check_in": user.can(CHECK_IN),
        "member": None,
        "errors": errors or {},
        "posted": posted or {},
    }
    if user.can(CHECK_IN):
        member = active_membership(user)
        if member is None:
            context["member_problem"] = TeamError.NOT_A_TEAM_MEMBER.message()
        elif not covers(user, member.area_id):
            context["member_problem"] = TeamError.TEAM_OUTSIDE_AREA.message(village=member.area.name)
        else:
            week = period_start(ReportKind.WEEKLY_SUMMARY, today)
            month = period_start(ReportKind.MONTHLY_PLAN, today)
            current = []
            for kind, start in ((ReportKind.WEEKLY_SUMMARY, week), (ReportKind.MONTHLY_PLAN, month)):
                current.append(
                    {
                        "kind": kind,
                        "label": kind.label,
                        "start": start,
                        "end": period_end(kind, start),
                        "report": own_report(member, kind, start),
                    }
                )
            current_ids = {c["report"].pk for c in current if c["report"]}
            context.update(
                {
                    "member": member,
                    "check_in": todays_check_in(member, today),
                    "attendance": month_attendance(member, today),
                    "current_reports": current,
                    "past_reports": [r for r in own_reports(member) if r.pk not in current_ids],
                    "leaves": _with_approver(own_leave(member)),
                    "township_max_days": setting_for(member.area_id, "leave_township_max_days"),
                }
            )
    return render(request, "web/teams_my.html", context, status=status)


@page
def my_work(request: HttpRequest) -> HttpResponse:
    return _render_my(request)


@page
@require_POST
def my_check_in(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        actions.do_check_in(request.user, latitude=post.get("latitude"), longitude=post.get("longitude"))
    except FupinError as exc:
        return _render_my(request, errors={"check_in": _messages_of(exc)}, status=exc.status)
    return redirect("my_work")


@page
@require_POST
def my_report(request: HttpRequest) -> HttpResponse:
    post = request.POST
    kind = post.get("kind", "")
    try:
        actions.do_write_report(request.user, kind, post.get("period_start", ""), post.get("text", ""))
    except FupinError as exc:
        section = kind if kind in ReportKind.values else "week"
        return _render_my(
            request, errors={section: _messages_of(exc)}, posted={section: post}, status=exc.status
        )
    return redirect("my_work")


@page
@require_POST
def my_leave_request(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        actions.do_request_leave(
            request.user, post.get("first_day", ""), post.get("last_day", ""), post.get("reason", "")
        )
    except FupinError as exc:
        return _render_my(
            request, errors={"leave": _messages_of(exc)}, posted={"leave": post}, status=exc.status
        )
    return redirect("my_work")


@page
@require_POST
def my_leave_cancel(request: HttpRequest, leave_id: int) -> HttpResponse:
    leave = access_own_leave_by_id(request.user, leave_id)
    try:
        actions.do_cancel_leave(request.user, leave)
    except FupinError as exc:
        return _render_my(request, errors={"leave": _messages_of(exc)}, status=exc.status)
    return redirect("my_work")


# --- the review queue ----------------------------------------------------------------------


def _render_reports(request: HttpRequest, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    require(user, REVIEW_REPORTS)
    done = request.GET.get("show") == "reviewed"
    reports = list(review_queue(user, waiting_only=not done)[:200])
    return render(
        request,
        "web/teams_reports.html",
        {"reports": reports, "done": done, "errors": errors or []},
        status=status,
    )


@page
def reports_queue(request: HttpRequest) -> HttpResponse:
    return _render_reports(request)


@page
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access_report_by_id(request.user, report_id)
    try:
        actions.do_review_report(request.user, report, request.POST.get("note", ""))
    except FupinError as exc:
        return _render_reports(request, _messages_of(exc), status=exc.status)
    return redirect("teams_reports")


# --- the leave approval queue --------------------------------------------------------------

DECISIONS = {"approve": True, "refuse": False}


def _render_leave(request: HttpRequest, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    require(user, APPROVE_LEAVE)
    decided = request.GET.get("show") == "decided"
    return render(
        request,
        "web/teams_leave.html",
        {
            "leaves": list(leave_queue(user, pending_only=not decided)[:200]),
            "decided": decided,
            "approver": approver_name(user.area.level),
            "errors": errors or [],
        },
        status=status,
    )


@page
def leave_approvals(request: HttpRequest) -> HttpResponse:
    return _render_leave(request)


@page
@require_POST
def leave_decide(request: HttpRequest, leave_id: int) -> HttpResponse:
    leave = access_leave_by_id(request.user, leave_id)
    post = request.POST
    decision = post.get("decision", "")
    if decision not in DECISIONS:
        raise NotFound()
    try:
        actions.do_decide_leave(request.user, leave, DECISIONS[decision], post.get("note", ""))
    except FupinError as exc:
        return _render_leave(request, _messages_of(exc), status=exc.status)
    return redirect("teams_leave")


urlpatterns = [
    path("my/", my_work, name="my_work"),
    path("my/check-in/", my_check_in, name="my_check_in"),
    path("my/reports/", my_report, name="my_report"),
    path("my/leave/", my_leave_request, name="my_leave_request"),
    path("my/leave/<int:leave_id>/cancel/", my_leave_cancel, name="my_leave_cancel"),
    path("teams/reports/", reports_queue, name="teams_reports"),
    path("teams/reports/<int:report_id>/review/", report_review, name="teams_report_review"),
    path("teams/leave/", leave_approvals, name="teams_leave"),
    path("teams/leave/<int:leave_id>/decide/", leave_decide, name="teams_leave_decide"),
]
