"""The county organisation department's pages for village work teams (驻村工作队): the overview,
one team with its roster and spot checks, monthly attendance, the yearly assessment and recall
proposals. Reading needs VIEW_PARTY; each form's action checks its own permission and area.
Thin: reads through ``teams.roster`` / ``teams.grading``, writes through their ``do_*``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from fupin.accounts.models import User
from fupin.accounts.permissions import APPROVE_LEAVE, ASSESS_TEAMS, MANAGE_TEAMS, VIEW_PARTY
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code
from fupin.cases.area_settings import setting_for
from fupin.core.access import covers, require
from fupin.core.errors import FupinError, NotFound, ValidationFailed
from fupin.party.models import Rating, RatingClass
from fupin.teams import grading, roster
from fupin.teams.errors import GradingError
from fupin.teams.models import (
    Grade,
    LeaveRequest,
    LeaveStatus,
    RecallProposal,
    RecallStatus,
    RecallTrigger,
    SpotCheck,
    TeamMember,
    TeamRole,
    WorkTeam,
    YearlyAssessment,
)
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page

# teamsday's pages, linked by plain path (they live in another module).
LEAVE_PATH = "/teams/leave/"
REPORTS_PATH = "/teams/reports/"
PARTY_PATH = "/party/"


def _messages_of(exc: FupinError) -> list[str]:
    """Form errors to show on the page; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    if isinstance(exc, ValidationFailed):
        return [e.message for e in exc.errors]
    return [exc.message]


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _year(request: HttpRequest, today: dt.date) -> int:
    return _int(request.GET.get("year"), today.year, 2000, today.year + 1)


def _may(user: Any, perm: str, area_code: str) -> bool:
    return bool(user.can(perm)) and covers(user, area_code)


def describe_evidence(proposal: RecallProposal) -> str:
    """The numbers behind a proposal, in a sentence."""
    e = proposal.evidence or {}
    if proposal.trigger == RecallTrigger.LEAVE:
        return gettext("{days} days of approved leave in the year; the limit is {limit}.").format(
            days=e.get("leave_days", "?"), limit=e.get("limit", "?")
        )
    if proposal.trigger == RecallTrigger.ATTENDANCE:
        months = "、".join(str(m) for m in e.get("months", [])) or "?"
        return gettext(
            "Below {days} days in the village in finished months {months}; recall is proposed from "
            "{limit} such months in a year."
        ).format(days=e.get("days_per_month", "?"), months=months, limit=e.get("limit", "?"))
    if proposal.trigger == RecallTrigger.ABSENCE:
        return gettext("{n} unexcused absences at spot checks; recall is proposed from {limit}.").format(
            n=e.get("absences", "?"), limit=e.get("limit", "?")
        )
    return gettext("Graded not competent, weighted score {total}.").format(total=e.get("total", "?"))


def _caps_for(area: Area, year: int) -> list[tuple[Area, grading.ExcellentCap]]:
    """The excellent cap of each county inside the area. Below county level none is shown: the
    cap's figures are the whole county's, outside a township or village user's area."""
    if area.level > Level.COUNTY:
        return []
    # Only counties with members in the year: a province user's page read every county's cap
    # (some 560 queries), though a county without teams has none to show.
    first, last = grading.year_bounds(year)
    served = {
        code[:6]
        for code in TeamMember.objects.filter(area.within_q("area_id"))
        .filter(roster.active_between(first, last))
        .order_by()
        .values_list("area_id", flat=True)
        .distinct()
    }
    counties = Area.objects.filter(area.within_q("code"), level=Level.COUNTY).order_by("code")
    return [(c, grading.excellent_cap(c.code, year)) for c in counties if c.code[:6] in served]


# --- the overview --------------------------------------------------------------------------


@page
def teams_home(request: HttpRequest) -> HttpResponse:
    """组织部: teams with their warnings, this month's shortfalls, long leave waiting, the
    year's assessments against the cap, open recall proposals and the party ratings."""
    user: Any = request.user
    require(user, VIEW_PARTY)
    area: Area = user.area
    today = timezone.localdate()
    year = _year(request, today)
    teams = list(
        roster.teams_within(user)
        .filter(ended_on__isnull=True)
        .annotate(active=Count("members", filter=Q(members__left_on__isnull=True)))
        .order_by("area_id")
    )
    for team in teams:
        team.warnings = roster.team_warnings(team)  # type: ignore[attr-defined]
    month_rows = grading.attendance(area, today.year, today.month, today=today)
    shortfalls = [r for r in month_rows if r.shortfall and r.unreachable]
    pending_leave = LeaveRequest.objects.filter(
        area.within_q("area_id"), status=LeaveStatus.PENDING, approver_level=Level.COUNTY
    ).count()
    first, last = grading.year_bounds(year)
    on_teams = roster.members_within(user).filter(roster.active_between(first, last)).count()
    graded = YearlyAssessment.objects.filter(area.within_q("area_id"), year=year)
    grade_counts = dict(graded.values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    open_proposals = list(
        RecallProposal.objects.filter(area.within_q("area_id"), status=RecallStatus.PROPOSED)
        .select_related("member", "area")
        .order_by("proposed_at")
    )
    for p in open_proposals:
        p.evidence_text = describe_evidence(p)  # type: ignore[attr-defined]
    ratings = Rating.objects.filter(area.within_q("area_id"), year=year)
    class_counts = dict(
        ratings.values_list("rating_class").annotate(n=Count("pk")).values_list("rating_class", "n")
    )
    star_counts = Counter(ratings.values_list("stars", flat=True))
    weak = list(ratings.filter(weak=True).select_related("organisation", "area").order_by("area_id"))
    graded_total = sum(grade_counts.values())
    return render(
        request,
        "web/team_admin_home.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "today": today,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "teams": teams,
            "teams_warned": sum(1 for t in teams if t.warnings),  # type: ignore[attr-defined]
            "shortfalls": shortfalls,
            "pending_leave": pending_leave,
            "leave_path": LEAVE_PATH,
            "reports_path": REPORTS_PATH,
            "party_path": PARTY_PATH,
            "can_approve_leave": user.can(APPROVE_LEAVE),
            "can_manage": user.can(MANAGE_TEAMS),
            "on_teams": on_teams,
            "graded_total": graded_total,
            "to_grade": max(0, on_teams - graded_total),
            "grade_rows": [(label, grade_counts.get(value, 0)) for value, label in Grade.choices],
            "caps": _caps_for(area, year),
            "open_proposals": open_proposals,
            "class_rows": [(label, class_counts.get(value, 0)) for value, label in RatingClass.choices],
            "star_rows": [(s, star_counts.get(s, 0)) for s in range(5, -1, -1)],
            "ratings_total": sum(class_counts.values()),
            "weak": weak,
        },
    )


# --- creating a team -----------------------------------------------------------------------


@page
def team_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, MANAGE_TEAMS)
    area: Area = user.area
    errors: list[str] = []
    posted: Any = {}
    status = 200
    if request.method == "POST":
        posted = request.POST
        try:
            code = posted.get("village", "")
            if not code:
                raise FupinError(GradingError.NOT_A_VILLAGE, field="village")
            village = access_area_by_code(user, code)
            unit = roster.units_for(user).filter(pk=_int(posted.get("lead_unit"), 0, 1, 2**31)).first()
            team = roster.do_create_team(
                user, village, unit, posted.get("started_on", ""), posted.get("term_ends_on", "")
            )
            return redirect("teams_team", team_id=team.pk)
        except FupinError as exc:
            errors = _messages_of(exc)
            status = exc.status
    villages = (
        Area.objects.filter(area.within_q("code"), level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    taken = set(
        WorkTeam.objects.filter(area.within_q("area_id"), ended_on__isnull=True).values_list(
            "area_id", flat=True
        )
    )
    return render(
        request,
        "web/team_admin_new.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "villages": [(v, v.code in taken) for v in villages],
            "units": roster.units_for(user),
            "min_years": roster.team_rules(area.code).min_years,
            "min_members": roster.team_rules(area.code).min_members,
            "deviations": roster.team_rules(area.code).deviations(),
            "errors": errors,
            "posted": posted,
        },
        status=status,
    )


# --- one team ------------------------------------------------------------------------------


def _render_team(
    request: HttpRequest, team: WorkTeam, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    year = _year(request, today)
    first, last = grading.year_bounds(year)
    members = list(team.members.select_related("unit", "user").order_by("left_on", "role", "name"))
    # Attendance by month for the year: one row per member, one cell per month up to now.
    months = [m for m in range(1, 13) if dt.date(year, m, 1) <= today]
    by_member: dict[int, list[Any]] = {m.pk: [None] * len(months) for m in members}
    for i, month in enumerate(months):
        for row in grading.attendance(team, year, month, today=today):
            by_member[row.member.pk][i] = row
    attendance_rows = [(m, by_member[m.pk]) for m in members if any(by_member[m.pk])]
    leave = (
        LeaveRequest.objects.filter(member__team=team, first_day__lte=last, last_day__gte=first)
        .select_related("member")
        .order_by("-first_day")
    )
    checks = (
        SpotCheck.objects.filter(member__team=team, day__gte=first, day__lte=last)
        .select_related("member", "checked_by")
        .order_by("-day")
    )
    assessments = {a.member_id: a for a in YearlyAssessment.objects.filter(member__team=team, year=year)}
    may_manage = _may(user, MANAGE_TEAMS, team.area_id) and team.ended_on is None
    return render(
        request,
        "web/team_admin_team.html",
        {
            "team": team,
            "area": team.area,
            "breadcrumb": breadcrumb(user, team.area),
            "today": today,
            "year": year,
            "years": list(range(today.year, team.started_on.year - 1, -1)),
            "members": [(m, assessments.get(m.pk)) for m in members],
            "active_members": [m for m in members if m.left_on is None],
            "warnings": roster.team_warnings(team),
            "deviations": roster.team_deviations(team),
            "months": months,
            "attendance_rows": attendance_rows,
            "leave": leave,
            "checks": checks,
            "may_manage": may_manage,
            "units": roster.units_for(user) if may_manage else [],
            "logins": roster.eligible_logins(team) if may_manage else [],
            "roles": TeamRole.choices,
            "errors": errors or [],
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@page
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    user: Any = request.user
    require(user, VIEW_PARTY)
    team = roster.access_team_by_id(user, team_id)
    if request.method != "POST":
        return _render_team(request, team)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "add_member":
            login = None
            if post.get("user"):
                login = User.objects.filter(pk=_int(post.get("user"), 0, 1, 2**31)).first()
                if login is None:
                    raise FupinError(GradingError.LOGIN_NOT_ELIGIBLE, field="user", village=team.area.name)
            unit = roster.units_for(user).filter(pk=_int(post.get("unit"), 0, 1, 2**31)).first()
            roster.do_add_member(
                user,
                team,
                post.get("name", ""),
                unit,
                post.get("role", ""),
                post.get("term_starts_on", ""),
                post.get("term_ends_on", ""),
                user=login,
            )
        elif action == "end_member":
            roster.do_end_membership(user, _member_of(team, post.get("member")), post.get("left_on", ""))
        elif action == "spot_check":
            grading.do_record_spot_check(
                user,
                _member_of(team, post.get("member")),
                post.get("day", ""),
                post.get("present") == "1",
                post.get("excused") == "1",
                post.get("note", ""),
            )
        elif action == "end_team":
            roster.do_end_team(user, team, post.get("ended_on", ""))
        else:
            raise NotFound()
    except FupinError as exc:
        errors = _messages_of(exc)
        return _render_team(request, roster.access_team_by_id(user, team_id), errors, status=exc.status)
    return redirect("teams_team", team_id=team.pk)


def _member_of(team: WorkTeam, member_id: Any) -> TeamMember:
    member = team.members.filter(pk=_int(member_id, 0, 1, 2**31)).first()
    if member is None:
        raise NotFound()
    return member


# --- attendance ----------------------------------------------------------------------------


# Orders of the attendance table; the area order (village, team, role, name) when none is asked.
ATTENDANCE_SORTS: dict[str, Any] = {
    "village": None,
    "name": lambda r: (r.member.name, r.member.pk),
    "short": lambda r: (-r.short, r.present, r.member.area_id, r.member.name),
    "present": lambda r: (r.present, r.member.area_id, r.member.name),
}


@page
def attendance_page(request: HttpRequest) -> HttpResponse:
    """The month's attendance of every member in the area. A month still running is judged pro
    rata (``AttendanceRow.due``): on 5 December a member owes the days the four days gone stand
    for, not the whole month's 20, so "short" means short by now and not "has not yet done the
    month"."""
    user: Any = request.user
    require(user, VIEW_PARTY)
    area: Area = user.area
    today = timezone.localdate()
    year = _year(request, today)
    month = _int(request.GET.get("month"), today.month, 1, 12)
    sort = request.GET.get("sort", "")
    sort = sort if sort in ATTENDANCE_SORTS else "village"
    only_short = request.GET.get("short") == "1"
    rows = grading.attendance(area, year, month, today=today)
    short = sum(1 for r in rows if r.short)
    shown = [r for r in rows if r.short] if only_short else rows
    if ATTENDANCE_SORTS[sort] is not None:
        shown = sorted(shown, key=ATTENDANCE_SORTS[sort])
    page_obj = Paginator(shown, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    first = dt.date(year, month, 1)
    previous = first - dt.timedelta(days=1)
    following = dt.date(year, month, 28) + dt.timedelta(days=4)
    running = first <= today <= grading.month_bounds(year, month)[1]
    keep = {"year": year, "month": month, "sort": sort, **({"short": 1} if only_short else {})}
    return render(
        request,
        "web/team_admin_attendance.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "year": year,
            "month": month,
            "months": list(range(1, 13)),
            "rows": page_obj.object_list,
            "page": page_obj,
            "query": urlencode(keep),
            "nav_query": urlencode({k: v for k, v in keep.items() if k not in ("year", "month")}),
            "sort": sort,
            "sorts": [
                ("village", gettext("by village")),
                ("name", gettext("by name")),
                ("short", gettext("most days short first")),
                ("present", gettext("fewest days in the village first")),
            ],
            "only_short": only_short,
            "total": len(rows),
            "short": short,
            "running": running,
            "gone": (today - first).days if running else 0,
            "in_future": first > today,
            "previous": previous,
            "following": following if following.replace(day=1) <= today else None,
            "required": setting_for(area.code, "village_days_per_month"),
        },
    )


# --- the yearly assessment -----------------------------------------------------------------


def _assessment_rows(
    user: Any, members: list[TeamMember], year: int, errors: dict[int, list[str]] | None = None
) -> list[dict[str, Any]]:
    """The rows of the members shown: their grade, unexcused absences and the best grade those
    leave open, and whether the user may grade them."""
    first, last = grading.year_bounds(year)
    today = timezone.localdate()
    ids = [m.pk for m in members]
    graded = {a.member_id: a for a in YearlyAssessment.objects.filter(member_id__in=ids, year=year)}
    absences = dict(
        SpotCheck.objects.filter(
            member_id__in=ids, present=False, excused=False, day__gte=first, day__lte=last
        )
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    rows = []
    # Settings read once per village and count; with no absence nothing caps (every threshold ≥ 1).
    best: dict[tuple[str, int], Grade] = {}
    for m in members:
        n = absences.get(m.pk, 0)
        if (m.area_id, n) not in best:
            best[m.area_id, n] = Grade.EXCELLENT if n == 0 else grading.best_grade_allowed(m.area_id, n)
        rows.append(
            {
                "member": m,
                "assessment": graded.get(m.pk),
                "absences": n,
                "best": best[m.area_id, n],
                "may_grade": _may(user, ASSESS_TEAMS, m.area_id) and year <= today.year,
                "errors": (errors or {}).get(m.pk, []),
            }
        )
    return rows


def _assessment_summary(user: Any, year: int) -> dict[str, Any]:
    """The counts above the table, over every member of the year in the area (not only the
    page shown): counted in the database, so a county of 900 members is not loaded for them."""
    area: Area = user.area
    first, last = grading.year_bounds(year)
    on_teams = roster.members_within(user).filter(roster.active_between(first, last))
    graded = YearlyAssessment.objects.filter(member__in=on_teams.values("pk"), year=year)
    counts = graded.aggregate(n=Count("pk"), excellent=Count("pk", filter=Q(grade=Grade.EXCELLENT)))
    return {
        "graded": counts["n"],
        "excellent_here": counts["excellent"],
        "on_teams": on_teams.count(),
        "caps": _caps_for(area, year),
    }


ASSESSMENT_STATUSES = ("todo", "done")


def _assessment_members(request: HttpRequest, year: int) -> tuple[Any, dict[str, Any]]:
    """The members of the year inside the user's area, filtered by village, by whether they are
    graded yet and by name, in the area order; and the filters as given."""
    user: Any = request.user
    first, last = grading.year_bounds(year)
    qs = roster.members_within(user).filter(roster.active_between(first, last))
    village = request.GET.get("village", "")
    status = request.GET.get("status", "")
    name = request.GET.get("q", "").strip()[:50]
    if village:
        qs = qs.filter(area_id=village)
    graded = YearlyAssessment.objects.filter(member=OuterRef("pk"), year=year)
    if status == "todo":
        qs = qs.filter(~Exists(graded))
    elif status == "done":
        qs = qs.filter(Exists(graded))
    else:
        status = ""
    if name:
        qs = qs.filter(name__icontains=name)
    filters = {"village": village, "status": status, "q": name}
    return qs.order_by("area_id", "team_id", "role", "name", "pk"), filters


def _assessment_context(user: Any, year: int) -> dict[str, Any]:
    weight = int(setting_for(user.area.code, "half_year_weight_percent"))
    return {
        "year": year,
        "grades": Grade.choices,
        "weight_half": weight,
        "weight_end": 100 - weight,
    }


def _render_assessments(
    request: HttpRequest, year: int, errors: dict[int, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    area: Area = user.area
    today = timezone.localdate()
    qs, filters = _assessment_members(request, year)
    page_obj = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    first, last = grading.year_bounds(year)
    villages = (
        Area.objects.filter(
            code__in=roster.members_within(user)
            .filter(roster.active_between(first, last))
            .values("area_id")
        )
        .order_by("code")
        .values_list("code", "name")
    )
    query = urlencode({"year": year, **{k: v for k, v in filters.items() if v}})
    return render(
        request,
        "web/team_admin_assessments.html",
        {
            **_assessment_context(user, year),
            **_assessment_summary(user, year),
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "years": list(range(today.year, today.year - 5, -1)),
            "rows": _assessment_rows(user, list(page_obj.object_list), year, errors),
            "page": page_obj,
            "query": query,
            # Where a form posts (and a plain post comes back to): this page with its filters.
            "here": f"{query}&page={page_obj.number}",
            "filters": filters,
            "villages": list(villages),
            "errors": [msg for msgs in (errors or {}).values() for msg in msgs],
            "posted": request.POST if request.method == "POST" else {},
            "posted_member": _int(request.POST.get("member"), 0, 1, 2**31) if request.method == "POST" else 0,
        },
        status=status,
    )


def _render_assessment_row(
    request: HttpRequest, member: TeamMember, year: int, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    """One member's rows after a save from the page (htmx swaps them in place), with the counts
    above the table sent along out of band, so the page is never reloaded to show one grade."""
    user: Any = request.user
    [row] = _assessment_rows(user, [member], year, {member.pk: errors or []})
    return render(
        request,
        "web/team_admin_assessment_row.html",
        {
            **_assessment_context(user, year),
            **_assessment_summary(user, year),
            "r": row,
            "here": request.GET.urlencode(),
            "posted": request.POST,
            "posted_member": member.pk if errors else 0,
            "saved": not errors,
            "oob": True,
        },
        status=status,
    )


@page
def assessments_page(request: HttpRequest) -> HttpResponse:
    """The year's members, a page at a time, filtered by village, by graded or not and by name.
    A grade saved from the page is answered with the member's rows only (htmx), so 900 members
    are not rendered again for each save; without htmx, a redirect back to the same page."""
    user: Any = request.user
    require(user, VIEW_PARTY)
    today = timezone.localdate()
    year = _year(request, today)
    if request.method != "POST":
        return _render_assessments(request, year)
    post = request.POST
    member = roster.access_member_by_id(user, post.get("member"))
    in_place = bool(request.headers.get("HX-Request"))
    try:
        grading.do_grade(
            user,
            member,
            year,
            post.get("half_year_score", ""),
            post.get("year_end_score", ""),
            post.get("grade", ""),
            post.get("note", ""),
        )
    except FupinError as exc:
        if in_place:
            return _render_assessment_row(request, member, year, _messages_of(exc), status=exc.status)
        return _render_assessments(request, year, {member.pk: _messages_of(exc)}, status=exc.status)
    if in_place:
        return _render_assessment_row(request, member, year)
    return redirect(f"{request.path}?{request.GET.urlencode()}#m{member.pk}")


# --- recall --------------------------------------------------------------------------------


def _render_recalls(
    request: HttpRequest, errors: dict[int, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    area: Area = user.area
    proposals = list(
        RecallProposal.objects.filter(area.within_q("area_id"))
        .select_related("member", "member__unit", "area", "decided_by")
        .order_by("-proposed_at", "-pk")
    )
    for p in proposals:
        p.evidence_text = describe_evidence(p)  # type: ignore[attr-defined]
        p.may_decide = p.status == RecallStatus.PROPOSED and _may(user, ASSESS_TEAMS, p.area_id)  # type: ignore[attr-defined]
        p.errors = (errors or {}).get(p.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "web/team_admin_recalls.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "open": [p for p in proposals if p.status == RecallStatus.PROPOSED],
            "decided": [p for p in proposals if p.status != RecallStatus.PROPOSED],
            "errors": [msg for msgs in (errors or {}).values() for msg in msgs],
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@page
def recalls_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, VIEW_PARTY)
    if request.method != "POST":
        return _render_recalls(request)
    post = request.POST
    proposal = RecallProposal.objects.filter(
        user.area.within_q("area_id"), pk=_int(post.get("proposal"), 0, 1, 2**31)
    ).first()
    decision = post.get("decision", "")
    if proposal is None or decision not in ("recall", "keep"):
        raise NotFound()
    try:
        grading.do_decide_recall(user, proposal, decision == "recall", post.get("reason", ""))
    except FupinError as exc:
        return _render_recalls(request, {proposal.pk: _messages_of(exc)}, status=exc.status)
    return redirect("teams_recalls")


urlpatterns = [
    path("teams/", teams_home, name="teams_home"),
    path("teams/new/", team_new, name="teams_new"),
    path("teams/<int:team_id>/", team_detail, name="teams_team"),
    path("teams/attendance/", attendance_page, name="teams_attendance"),
    path("teams/assessments/", assessments_page, name="teams_assessments"),
    path("teams/recalls/", recalls_page, name="teams_recalls"),
]
