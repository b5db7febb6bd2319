"""Responsibility lists (职责任务清单) and the two-monthly ranking (亮进度、赛成绩): the list with
its create and copy forms and a progress form on each task the user may report on; one task with
its history; the ranking of townships, units and villages, and its workbook. Thin: read through
``duty.queries`` and ``duty.ranking``, write through ``duty.actions``."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fupin.accounts.permissions import EDIT_TASKS
from fupin.areas.models import Area, Level
from fupin.core.errors import FupinError
from fupin.core.xlsx import Figure, open_book, write_cells
from fupin.duty import actions, queries, ranking
from fupin.duty.models import Task
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.formspec import error_map

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_errors(exc: FupinError) -> dict[str, str]:
    """Field errors to show next to the form; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    return error_map(exc)


def _year(raw: Any) -> int:
    """The year asked for, or this year when none or a wrong one is given (a read needs no error)."""
    try:
        return actions.clean_year(raw)
    except FupinError:
        return timezone.localdate().year


def _may_create(user: Any) -> bool:
    return bool(user.can(EDIT_TASKS) and user.area.level == Level.COUNTY)


def _owner_name(task: Task) -> str:
    return task.owner_area.name if task.owner_area_id else task.owner_unit.name  # type: ignore[union-attr]


def _decorate(user: Any, tasks: list[Task], today: Any) -> list[Task]:
    for task in tasks:
        task.owner_name = _owner_name(task)  # type: ignore[attr-defined]
        task.may_report = actions.may_report(user, task)  # type: ignore[attr-defined]
        task.late = task.due_on < today and task.progress < 100  # type: ignore[attr-defined]
    return tasks


# --- the list ----------------------------------------------------------------------------


def _render_list(
    request: HttpRequest,
    *,
    errors: dict[str, str] | None = None,
    copy_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    queries.require_reader(user)
    home: Area = user.area  # type: ignore[union-attr]
    params = request.GET
    year = _year(params.get("year"))
    owner = params.get("owner", "")
    list_code = params.get("list", "")
    qs = queries.tasks_within(user).filter(year=year)
    all_of_year = list(qs.order_by("due_on", "pk"))
    if list_code:
        qs = qs.filter(area_id=list_code)
    qs = queries.filter_owner(qs, owner)
    today = timezone.localdate()
    tasks = _decorate(user, list(qs.order_by("due_on", "pk")), today)
    # Filters offer only what the year's tasks hold: the lists and owners the user sees.
    owners = sorted({(queries.owner_value(t), _owner_name(t)) for t in all_of_year}, key=lambda o: o[1])
    lists = sorted({(t.area_id, t.area.name) for t in all_of_year})
    years = sorted({*queries.years_of(queries.tasks_within(user)), today.year, year}, reverse=True)
    may_create = _may_create(user)
    posted = request.POST if request.method == "POST" else {}
    return render(
        request,
        "web/duty_tasks.html",
        {
            "area": home,
            "breadcrumb": breadcrumb(user, home),
            "year": year,
            "years": years,
            "owner": owner,
            "owners": owners,
            "list_code": list_code,
            "lists": lists,
            "tasks": tasks,
            "today": today,
            "may_create": may_create,
            "list_areas": queries.list_areas(home) if may_create else [],
            "owner_choices": queries.owner_choices(home) if may_create else {},
            "errors": errors or {},
            "copy_errors": copy_errors or {},
            "posted": posted,
            "next_year": today.year + 1,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@page
def tasks_page(request: HttpRequest) -> HttpResponse:
    """The lists the user sees for a year; a county writer's create form posts here."""
    if request.method != "POST":
        return _render_list(request)
    user = request.user
    queries.require_reader(user)
    post = request.POST
    list_area = queries.access_list_area(user, post.get("area", ""))
    owner_area, owner_unit = queries.parse_owner(post.get("owner", ""))
    try:
        task = actions.do_create_task(
            user,
            list_area,
            post.get("year", ""),
            post.get("title", ""),
            owner_area=owner_area,
            owner_unit=owner_unit,
            owner_person=post.get("owner_person", ""),
            due_on=post.get("due_on", ""),
        )
    except FupinError as exc:
        return _render_list(request, errors=_form_errors(exc), status=exc.status)
    return redirect(f"{reverse('duty_tasks')}?{urlencode({'year': task.year})}")


@page
@require_POST
def copy_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.require_reader(user)
    post = request.POST
    list_area = queries.access_list_area(user, post.get("area", ""))
    try:
        made = actions.do_copy_list(user, list_area, post.get("from_year", ""), post.get("to_year", ""))
    except FupinError as exc:
        return _render_list(request, copy_errors=_form_errors(exc), status=exc.status)
    return redirect(f"{reverse('duty_tasks')}?{urlencode({'year': made[0].year, 'list': list_area.code})}")


# --- one task ----------------------------------------------------------------------------


def _render_task(
    request: HttpRequest, task: Task, *, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    _decorate(user, [task], today)
    has_progress = queries.has_progress(task)
    may_edit = actions.may_edit(user, task) and not has_progress
    posted = request.POST if request.method == "POST" else {}
    # The edit form shows what was posted to it, else the task as it stands.
    values = {
        "title": task.title,
        "owner": queries.owner_value(task),
        "owner_person": task.owner_person,
        "due_on": task.due_on.isoformat(),
    }
    if "title" in posted:
        values = {key: posted.get(key, "") for key in values}
    return render(
        request,
        "web/duty_task.html",
        {
            "task": task,
            "area": task.area,
            "breadcrumb": breadcrumb(user, user.area),  # type: ignore[union-attr]
            "history": queries.history(task),
            "today": today,
            "may_edit": may_edit,
            "owner_choices": queries.owner_choices(task.area) if may_edit else {},
            "values": values,
            "errors": errors or {},
            "posted": posted,
        },
        status=status,
    )


@page
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    return _render_task(request, queries.access_task_by_id(request.user, task_id))


@page
@require_POST
def report_progress(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    task = queries.access_task_by_id(user, task_id)
    post = request.POST
    try:
        actions.do_report_progress(
            user, task, post.get("progress", ""), post.get("note", ""), post.get("day") or None
        )
    except FupinError as exc:
        errors = _form_errors(exc)
        return _render_task(
            request, queries.access_task_by_id(user, task_id), errors=errors, status=exc.status
        )
    if post.get("back") == "list":
        return redirect(f"{reverse('duty_tasks')}?{urlencode({'year': task.year})}#task-{task.pk}")
    return redirect("duty_task", task_id=task.pk)


@page
@require_POST
def edit_task(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    task = queries.access_task_by_id(user, task_id)
    post = request.POST
    owner_area, owner_unit = queries.parse_owner(post.get("owner", ""))
    try:
        actions.do_edit_task(
            user,
            task,
            title=post.get("title", ""),
            owner_area=owner_area,
            owner_unit=owner_unit,
            owner_person=post.get("owner_person", ""),
            due_on=post.get("due_on", ""),
        )
    except FupinError as exc:
        errors = _form_errors(exc)
        return _render_task(
            request, queries.access_task_by_id(user, task_id), errors=errors, status=exc.status
        )
    return redirect("duty_task", task_id=task.pk)


@page
@require_POST
def delete_task(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request.user
    task = queries.access_task_by_id(user, task_id)
    year = task.year
    try:
        actions.do_delete_task(user, task)
    except FupinError as exc:
        errors = _form_errors(exc)
        return _render_task(
            request, queries.access_task_by_id(user, task_id), errors=errors, status=exc.status
        )
    return redirect(f"{reverse('duty_tasks')}?{urlencode({'year': year})}")


# --- the ranking -------------------------------------------------------------------------


def _ranking_of(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    area = queries.access_list_area(user, request.GET.get("area", ""))
    today = timezone.localdate()
    period = ranking.clean_period(request.GET.get("year"), request.GET.get("period"), today)
    return {
        "area": area,
        "period": period,
        "today": today,
        "tasks": ranking.task_ranking(area, period, today=today),
        "villages": ranking.village_ranking(area, period, today=today),
    }


def period_label(period: ranking.Period) -> str:
    return gettext("Period %(n)s (months %(first)s–%(last)s)") % {
        "n": period.number,
        "first": 2 * period.number - 1,
        "last": 2 * period.number,
    }


@page
def ranking_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = _ranking_of(request)
    area, period, today = data["area"], data["period"], data["today"]
    first_year = min([*queries.years_of(queries.tasks_within(user)), today.year])
    periods = [(n, period_label(ranking.Period(period.year, n))) for n in ranking.PERIODS]
    if period.year == today.year:
        periods = [(n, label) for n, label in periods if n <= ranking.period_of(today).number]
    return render(
        request,
        "web/duty_ranking.html",
        {
            **data,
            "breadcrumb": breadcrumb(user, area),
            "period_label": period_label(period),
            "periods": periods,
            "years": list(range(today.year, first_year - 1, -1)),
            "areas": queries.list_areas(user.area),  # type: ignore[union-attr]
            "query": urlencode({"area": area.code, "year": period.year, "period": period.number}),
        },
    )


# Headers are Chinese whatever the reader's language: the sheet goes to the meeting.
OWNER_HEADERS = ["名次", "{owner}", "任务数", "平均进度(%)", "已完成", "逾期未完成", "是否落后"]
VILLAGE_HEADERS = [
    "名次",
    "村",
    "贫困户和监测户",
    "干部包户覆盖",
    "覆盖率(%)",
    "走访达标户",
    "走访达标率(%)",
    "综合得分(%)",
    "在办案件",
    "逾期预警",
    "是否落后",
    "户均走访(次)",
    "并列",
]


def _percent(value: Any) -> Figure:
    """A percentage as the page shows it: one decimal, and a cell formatted to show it."""
    return Figure(value, places=1)


def ranking_workbook(data: dict[str, Any]) -> bytes:
    """The three tables, one sheet each, as on the page."""
    out = io.BytesIO()
    book = open_book(out)
    bold = book.add_format({"bold": True})
    tasks, villages = data["tasks"], data["villages"]
    with translation.override("zh-hans"):
        title = f"{data['area'].name} {period_label(data['period'])} · {data['tasks'].as_of.isoformat()}"
    for name, owner, rows in (("乡镇排名", "乡镇", tasks.townships), ("单位排名", "单位", tasks.units)):
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, f"{title} · 时间进度 {tasks.time_share}%（截至当日的天数÷全年天数）")
        for col, header in enumerate(OWNER_HEADERS):
            sheet.write_string(1, col, header.format(owner=owner), bold)
        for i, r in enumerate(rows, start=2):
            write_cells(
                sheet,
                i,
                [
                    r.rank,
                    r.name,
                    r.tasks,
                    _percent(r.mean_shown),
                    r.done,
                    r.overdue,
                    "落后" if r.behind else "",
                ],
            )
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 6, 12)
    sheet = book.add_worksheet("村排名")
    sheet.write_string(
        0,
        0,
        f"{title} · 走访按全年最少次数乘时间进度 {villages.time_share}%（向下取整）折算"
        " · 依次按综合得分、逾期预警少、户均走访多、计入户数多排名",
    )
    for col, header in enumerate(VILLAGE_HEADERS):
        sheet.write_string(1, col, header, bold)
    for i, v in enumerate(villages.rows, start=2):
        write_cells(
            sheet,
            i,
            [
                v.rank,
                v.name,
                v.households,
                v.covered,
                _percent(v.covered_shown),
                v.visited,
                _percent(v.visited_shown),
                _percent(v.score_shown),
                v.open_cases,
                v.overdue_alerts,
                "落后" if v.behind else "",
                Figure(v.visits_per_household_shown, places=1),
                "并列" if v.tied else "",
            ],
        )
    sheet.set_column(1, 1, 20)
    sheet.set_column(2, 12, 12)
    book.close()
    return out.getvalue()


@page
def ranking_export(request: HttpRequest) -> HttpResponse:
    data = _ranking_of(request)
    period = data["period"]
    response = HttpResponse(ranking_workbook(data), content_type=XLSX)
    name = f"ranking-{data['area'].code}-{period.year}-{period.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("duty/", tasks_page, name="duty_tasks"),
    path("duty/copy/", copy_list, name="duty_copy"),
    path("duty/tasks/<int:task_id>/", task_page, name="duty_task"),
    path("duty/tasks/<int:task_id>/progress/", report_progress, name="duty_progress"),
    path("duty/tasks/<int:task_id>/edit/", edit_task, name="duty_task_edit"),
    path("duty/tasks/<int:task_id>/delete/", delete_task, name="duty_task_delete"),
    path("duty/ranking/", ranking_page, name="duty_ranking"),
    path("duty/ranking/export/", ranking_export, name="duty_ranking_export"),
]
