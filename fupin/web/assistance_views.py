"""Assistance pages (精准施策): the summary per area, the households below the visit minimum
(and its export), projects and funds, workshops with their workers, transfer jobs, trainings
with attendance, care flags with follow-ups, and the two forms a household page links to:
record a measure, record a home visit. Thin: look up through ``assistance.queries``, call
``assistance.actions``; a refused form comes back with its messages next to the fields."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from fupin.accounts.permissions import MANAGE_ASSISTANCE, RECORD_ASSISTANCE, VIEW_REGISTRY
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code, areas_within
from fupin.assistance import actions, queries
from fupin.assistance.common import (
    VILLAGE_OR_TOWNSHIP,
    household_pairings,
    is_cadre,
    paired_household_ids,
    require_recorder,
)
from fupin.assistance.errors import AssistanceError
from fupin.assistance.models import (
    CareCategory,
    CareFlag,
    CareFollowUp,
    Measure,
    MeasureKind,
    Project,
    Training,
    TransferJob,
    Visit,
    Workshop,
    WorkshopKind,
    WorkshopWorker,
)
from fupin.assistance.trainings import TRAINING_LEVELS
from fupin.assistance.visits import visit_minimum, visits_workbook
from fupin.core.access import covers, require
from fupin.core.errors import FupinError, NotFound
from fupin.registry.cleaning import Field
from fupin.registry.queries import access_household_by_id, access_member_by_id
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.formspec import bind, error_map

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR = 2010

MEASURE_FIELDS = {
    "kind": Field("choice", choices=MeasureKind, required=True),
    "day": Field("date", required=True),
    "amount": Field("amount"),
    "description": Field("str", max_length=300, required=True),
}
VISIT_FIELDS = {
    "day": Field("date", required=True),
    "discussed": Field("str", max_length=500, required=True),
    "done": Field("str", max_length=500),
    "visitor_name": Field("str", max_length=50),
}
PROJECT_FIELDS = {
    "name": Field("str", max_length=100, required=True),
    "kind": Field("choice", choices=MeasureKind, required=True),
    "year": Field("year", required=True),
    "budget": Field("amount"),
    "allocated": Field("amount"),
    "spent": Field("amount"),
    "started_on": Field("date"),
    "finished_on": Field("date"),
}
WORKSHOP_FIELDS = {
    "name": Field("str", max_length=100, required=True),
    "kind": Field("choice", choices=WorkshopKind, required=True),
    "opened_on": Field("date", required=True),
}
WORKER_FIELDS = {"started_on": Field("date", required=True), "monthly_wage": Field("amount")}
JOB_FIELDS = {
    "place": Field("str", max_length=100, required=True),
    "employer": Field("str", max_length=100, required=True),
    "started_on": Field("date", required=True),
    "monthly_income": Field("amount"),
    "via_job_fair": Field("bool"),
}
TRAINING_FIELDS = {
    "title": Field("str", max_length=100, required=True),
    "day": Field("date", required=True),
    "hours": Field("decimal", required=True),
    "organiser": Field("str", max_length=100),
}
FLAG_FIELDS = {
    "category": Field("choice", choices=CareCategory, required=True),
    "since": Field("date", required=True),
    "followed_by": Field("str", max_length=50, required=True),
    "note": Field("str", max_length=300),
}
FOLLOW_UP_FIELDS = {"day": Field("date", required=True), "note": Field("str", max_length=500, required=True)}


# --- helpers ------------------------------------------------------------------------------


def _errors(exc: FupinError) -> dict[str, str]:
    """Form errors by field; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    return error_map(exc)


def _area(request: HttpRequest) -> Area:
    code = request.GET.get("area", "").strip()
    return access_area_by_code(request.user, code) if code else request.user.area  # type: ignore[union-attr]


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def _years() -> list[int]:
    return list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1))


def _data(request: HttpRequest, specs: dict[str, Field]) -> dict[str, Any]:
    post = request.POST
    data: dict[str, Any] = {name: post.get(name, "") for name in specs if specs[name].kind != "bool"}
    data.update({name: name in post for name in specs if specs[name].kind == "bool"})
    return data


def _values(instance: Any, specs: dict[str, Field]) -> dict[str, Any]:
    """A row's values as a form shows them: dates as YYYY-MM-DD (a date input reads no other)."""
    out: dict[str, Any] = {}
    for name in specs:
        value = getattr(instance, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value)
    return out


def _places(user: Any, levels: tuple[int, ...]) -> list[Area]:
    """Areas of ``levels`` inside the user's, for a form's area choice (a county holds a few
    hundred villages)."""
    return list(areas_within(user.area).filter(level__in=levels).order_by("code")[:2000])


def _default_place(area: Area, levels: tuple[int, ...]) -> str:
    return area.code if area.level in levels else ""


def _can(user: Any, perm: str, area: Area) -> bool:
    return bool(user.can(perm)) and covers(user, area.code)


def _picker(request: HttpRequest, scope: Area) -> dict[str, Any]:
    """The member choice of a form: a village's people in one list; in a larger area, first a
    search by name or household number (a township holds thousands)."""
    q = request.GET.get("q", "").strip()[:20]
    needs_query = scope.level < Level.VILLAGE and not q
    members = [] if needs_query else queries.members_within(request.user, scope, q)
    return {"q": q, "members": members, "needs_query": needs_query, "scope": scope}


def _target(request: HttpRequest, code: AssistanceError) -> Area:
    """The area a new project, workshop or training is for, chosen on the form; a user who may
    not create any is refused before the area is looked at."""
    user = request.user
    require(user, MANAGE_ASSISTANCE)
    place = request.POST.get("area", "").strip()
    if not place:
        raise FupinError(code, field="area")
    return access_area_by_code(user, place)


def _member(request: HttpRequest) -> Any:
    chosen = request.POST.get("member", "").strip()
    if not chosen:
        raise FupinError(AssistanceError.PERSON_REQUIRED, field="member")
    return access_member_by_id(request.user, chosen)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], errors: dict[str, str] | None
) -> HttpResponse:
    context["errors"] = errors or {}
    return render(request, f"web/{template}", context, status=400 if errors else 200)


# --- the summary --------------------------------------------------------------------------


@page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    year = _year(request)
    return render(
        request,
        "web/assistance_home.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "year": year,
            "years": _years(),
            "s": queries.summary(user, area, year),
            "child_level": Level(min(area.level + 1, Level.VILLAGE)).label,
            "follow_up_days": queries.FOLLOW_UP_DAYS,
            "can_manage": user.can(MANAGE_ASSISTANCE),  # type: ignore[union-attr]
        },
    )


# --- the visit minimum --------------------------------------------------------------------


def _visit_rows(request: HttpRequest) -> tuple[Area, int, bool, list[Any]]:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    year = _year(request)
    mine = request.GET.get("mine") == "1"
    rows = visit_minimum(user, area, year, helper=user if mine else None)
    return area, year, mine, rows


@page
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    user = request.user
    area, year, mine, rows = _visit_rows(request)
    page_obj = Paginator(rows, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/assistance_visits.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "year": year,
            "years": _years(),
            "mine": mine,
            "page": page_obj,
            "query": params.urlencode(),
            "total": len(rows),
            "behind": sum(1 for r in rows if r.behind),
            "can_record": user.can(RECORD_ASSISTANCE),  # type: ignore[union-attr]
            # A cadre records only for the households paired to them: link only those.
            "recordable": paired_household_ids(user) if is_cadre(user) else None,
        },
    )


@page
@require_GET
def visits_export(request: HttpRequest) -> HttpResponse:
    area, year, _mine, rows = _visit_rows(request)
    body = visits_workbook(area, year, rows, timezone.localdate())
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="visits-{area.code}-{year}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- a household's measure and visit ------------------------------------------------------


def _household_form(
    request: HttpRequest,
    household: Any,
    template: str,
    fields: list[Any],
    errors: dict[str, str] | None,
    **extra: Any,
) -> HttpResponse:
    context = {
        "household": household,
        "breadcrumb": breadcrumb(request.user, household.area),
        "fields": fields,
    }
    return _render(request, template, {**context, **extra}, errors)


@page
def measure_new(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    require_recorder(user, household)
    data: dict[str, Any] = {"day": timezone.localdate().isoformat()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {
            **_data(request, MEASURE_FIELDS),
            **{k: request.POST.get(k, "") for k in ("responsible", "project")},
        }
        try:
            actions.do_record_measure(household, data, actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect(f"/households/{household.pk}/#assistance")
    return _household_form(
        request,
        household,
        "assistance_measure_form.html",
        bind(Measure, MEASURE_FIELDS, None, data, errors),
        errors,
        pairings=list(household_pairings(household)),
        projects=queries.projects_for_household(household),
        chosen={"responsible": str(data.get("responsible", "")), "project": str(data.get("project", ""))},
    )


@page
def visit_new(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    require_recorder(user, household)
    data: dict[str, Any] = {"day": timezone.localdate().isoformat()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _data(request, VISIT_FIELDS)
        try:
            actions.do_record_visit(household, data, actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect(f"/households/{household.pk}/#assistance")
    return _household_form(
        request,
        household,
        "assistance_visit_form.html",
        bind(Visit, VISIT_FIELDS, None, data, errors),
        errors,
    )


# --- projects -----------------------------------------------------------------------------


@page
def projects(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    year = request.GET.get("year", "")
    year_filter = _year(request) if year else None
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"year": str(timezone.localdate().year)}
    place = _default_place(area, VILLAGE_OR_TOWNSHIP)
    if request.method == "POST":
        data = _data(request, PROJECT_FIELDS)
        place = request.POST.get("area", "")
        try:
            project = actions.do_create_project(
                _target(request, AssistanceError.AREA_VILLAGE_OR_TOWNSHIP), data, actor=user
            )
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_project", project_id=project.pk)
    rows = queries.project_list(user, area, year_filter)
    return _render(
        request,
        "assistance_projects.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "year": year_filter,
            "years": _years(),
            "projects": rows,
            "totals": queries.project_totals(rows),
            "can_manage": _can(user, MANAGE_ASSISTANCE, area),
            "fields": bind(Project, PROJECT_FIELDS, None, data, errors),
            "places": _places(user, VILLAGE_OR_TOWNSHIP),
            "place": place,
        },
        errors,
    )


@page
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request.user
    project = queries.access_project_by_id(user, project_id)
    errors: dict[str, str] = {}
    data = _values(project, PROJECT_FIELDS)
    if request.method == "POST":
        data = _data(request, PROJECT_FIELDS)
        try:
            actions.do_update_project(project, data, actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_project", project_id=project.pk)
    measures = list(queries.project_measures(project)[:500])
    return _render(
        request,
        "assistance_project.html",
        {
            "project": project,
            "breadcrumb": breadcrumb(user, project.area),
            "measures": measures,
            "beneficiaries": len({m.household_id for m in measures}),
            "can_manage": _can(user, MANAGE_ASSISTANCE, project.area),
            "fields": bind(Project, PROJECT_FIELDS, None, data, errors),
        },
        errors,
    )


# --- workshops ----------------------------------------------------------------------------


@page
def workshops(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    place = _default_place(area, VILLAGE_OR_TOWNSHIP)
    if request.method == "POST":
        data = _data(request, WORKSHOP_FIELDS)
        place = request.POST.get("area", "")
        try:
            target = _target(request, AssistanceError.AREA_VILLAGE_OR_TOWNSHIP)
            workshop = actions.do_create_workshop(target, data, actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_workshop", workshop_id=workshop.pk)
    return _render(
        request,
        "assistance_workshops.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "workshops": list(queries.workshop_list(user, area)[:500]),
            "can_manage": _can(user, MANAGE_ASSISTANCE, area),
            "fields": bind(Workshop, WORKSHOP_FIELDS, None, data, errors),
            "places": _places(user, VILLAGE_OR_TOWNSHIP),
            "place": place,
        },
        errors,
    )


@page
def workshop_detail(request: HttpRequest, workshop_id: int) -> HttpResponse:
    user = request.user
    workshop = queries.access_workshop_by_id(user, workshop_id)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_worker":
                data = _data(request, WORKER_FIELDS)
                actions.do_add_worker(workshop, _member(request), data, actor=user)
            elif action == "end_worker":
                worker = queries.access_worker_by_id(user, request.POST.get("worker", ""))
                if worker.workshop_id != workshop.pk:
                    raise NotFound()
                actions.do_end_worker(worker, request.POST.get("ended_on", ""), actor=user)
            elif action == "close":
                actions.do_close_workshop(workshop, request.POST.get("closed_on", ""), actor=user)
            else:
                raise NotFound()
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_workshop", workshop_id=workshop.pk)
        workshop = queries.access_workshop_by_id(user, workshop_id)
    return _render(
        request,
        "assistance_workshop.html",
        {
            "workshop": workshop,
            "breadcrumb": breadcrumb(user, workshop.area),
            "workers": list(queries.workshop_workers(workshop)),
            "can_manage": _can(user, MANAGE_ASSISTANCE, workshop.area) and workshop.closed_on is None,
            "fields": bind(WorkshopWorker, WORKER_FIELDS, None, data, errors),
            "picker": _picker(request, workshop.area),
            "today": timezone.localdate(),
        },
        errors,
    )


# --- transfer jobs ------------------------------------------------------------------------


@page
def jobs(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        require(user, MANAGE_ASSISTANCE)
        try:
            if action == "add":
                data = _data(request, JOB_FIELDS)
                actions.do_add_transfer_job(_member(request), data, actor=user)
            elif action == "end":
                job = queries.access_transfer_job_by_id(user, request.POST.get("job", ""))
                actions.do_end_transfer_job(job, request.POST.get("ended_on", ""), actor=user)
            else:
                raise NotFound()
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect(f"{request.path}?area={area.code}")
    show_all = request.GET.get("all") == "1"
    rows = queries.transfer_job_list(user, area, active_only=not show_all)
    page_obj = Paginator(rows, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return _render(
        request,
        "assistance_jobs.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "query": params.urlencode(),
            "show_all": show_all,
            "can_manage": _can(user, MANAGE_ASSISTANCE, area),
            "fields": bind(TransferJob, JOB_FIELDS, None, data, errors),
            "picker": _picker(request, area),
            "today": timezone.localdate(),
        },
        errors,
    )


# --- trainings ----------------------------------------------------------------------------


@page
def trainings(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    year = _year(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    place = _default_place(area, TRAINING_LEVELS)
    if request.method == "POST":
        data = _data(request, TRAINING_FIELDS)
        place = request.POST.get("area", "")
        try:
            target = _target(request, AssistanceError.AREA_FOR_TRAINING)
            training = actions.do_create_training(target, data, actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_training", training_id=training.pk)
    return _render(
        request,
        "assistance_trainings.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "year": year,
            "years": _years(),
            "trainings": list(queries.training_list(user, area, year)[:500]),
            "can_manage": _can(user, MANAGE_ASSISTANCE, area),
            "fields": bind(Training, TRAINING_FIELDS, None, data, errors),
            "places": _places(user, TRAINING_LEVELS),
            "place": place,
        },
        errors,
    )


@page
def training_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    user = request.user
    training = queries.access_training_by_id(user, training_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            actions.do_add_attendance(training, _member(request), actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_training", training_id=training.pk)
    return _render(
        request,
        "assistance_training.html",
        {
            "training": training,
            "breadcrumb": breadcrumb(user, training.area),
            "attendance": list(queries.training_attendance(training)),
            "can_manage": _can(user, MANAGE_ASSISTANCE, training.area),
            "picker": _picker(request, training.area),
        },
        errors,
    )


# --- care flags ---------------------------------------------------------------------------


@page
def care(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_REGISTRY)
    area = _area(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = _data(request, FLAG_FIELDS)
        require(user, MANAGE_ASSISTANCE)
        try:
            flag = actions.do_flag_member(_member(request), data, actor=user)
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_care_flag", flag_id=flag.pk)
    today = timezone.localdate()
    show_all = request.GET.get("all") == "1"
    flags = list(queries.care_flag_list(user, area, open_only=not show_all, today=today)[:1000])
    for flag in flags:
        flag.neglected = queries.neglected(flag, today)  # type: ignore[attr-defined]
    return _render(
        request,
        "assistance_care.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "flags": flags,
            "show_all": show_all,
            "can_manage": _can(user, MANAGE_ASSISTANCE, area),
            "fields": bind(CareFlag, FLAG_FIELDS, None, data, errors),
            "picker": _picker(request, area),
            "follow_up_days": queries.FOLLOW_UP_DAYS,
        },
        errors,
    )


@page
def care_flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = request.user
    flag = queries.access_care_flag_by_id(user, flag_id)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"day": timezone.localdate().isoformat()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "follow_up":
                data = _data(request, FOLLOW_UP_FIELDS)
                actions.do_record_follow_up(flag, data, actor=user)
            elif action == "end":
                actions.do_end_care_flag(flag, request.POST.get("ended_on", ""), actor=user)
            else:
                raise NotFound()
        except FupinError as exc:
            errors = _errors(exc)
        else:
            return redirect("assistance_care_flag", flag_id=flag.pk)
    return _render(
        request,
        "assistance_care_flag.html",
        {
            "flag": flag,
            "breadcrumb": breadcrumb(user, flag.member.household.area),
            "follow_ups": list(flag.follow_ups.select_related("by")),
            "can_manage": _can(user, MANAGE_ASSISTANCE, flag.area) and flag.ended_on is None,
            "fields": bind(CareFollowUp, FOLLOW_UP_FIELDS, None, data, errors),
            "today": timezone.localdate(),
        },
        errors,
    )


urlpatterns = [
    path("assistance/", home, name="assistance_home"),
    path("assistance/visits/", visits, name="assistance_visits"),
    path("assistance/visits/export/", visits_export, name="assistance_visits_export"),
    path("assistance/projects/", projects, name="assistance_projects"),
    path("assistance/projects/<int:project_id>/", project_detail, name="assistance_project"),
    path("assistance/workshops/", workshops, name="assistance_workshops"),
    path("assistance/workshops/<int:workshop_id>/", workshop_detail, name="assistance_workshop"),
    path("assistance/jobs/", jobs, name="assistance_jobs"),
    path("assistance/trainings/", trainings, name="assistance_trainings"),
    path("assistance/trainings/<int:training_id>/", training_detail, name="assistance_training"),
    path("assistance/care/", care, name="assistance_care"),
    path("assistance/care/<int:flag_id>/", care_flag, name="assistance_care_flag"),
    path("households/<int:household_id>/measures/new/", measure_new, name="assistance_measure_new"),
    path("households/<int:household_id>/visits/new/", visit_new, name="assistance_visit_new"),
]
