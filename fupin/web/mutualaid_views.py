"""Mutual-aid group pages (互助五兴): the groups of an area with this year's score and stars, a new
group, one group with its households, activities and evaluations, and a household's star rating.
Thin: look up through ``mutualaid.queries``, write through ``mutualaid.actions``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fupin.accounts.permissions import EDIT_GROUPS
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code
from fupin.cases.area_settings import setting_for
from fupin.core.access import covers, require
from fupin.core.errors import FupinError, NotFound, ValidationFailed
from fupin.mutualaid import actions, queries
from fupin.mutualaid.actions import FIRST_YEAR
from fupin.mutualaid.models import AidGroup, EvaluationSource, FiveKind, LeaderKind
from fupin.mutualaid.scoring import group_score
from fupin.registry.queries import access_household_by_id
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page


def _messages_of(exc: FupinError) -> list[str]:
    """Form errors to show on the page; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    if isinstance(exc, ValidationFailed):
        return [e.message for e in exc.errors]
    return [exc.message]


def _area_from(request: HttpRequest) -> Area:
    code = request.GET.get("area", "")
    return access_area_by_code(request.user, code) if code else request.user.area  # type: ignore[union-attr]


def _year(raw: Any) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= this_year else this_year


def _may_edit(user: Any, code: str) -> bool:
    return bool(user.can(EDIT_GROUPS) and covers(user, code))


# --- the list ------------------------------------------------------------------------------


@page
def group_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.require_read(user)
    area = _area_from(request)
    year = _year(request.GET.get("year"))
    show_dissolved = request.GET.get("dissolved") == "1"
    qs = queries.group_list(user, area, dissolved=show_dissolved)
    page_obj = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    queries.with_scores(list(page_obj), year)
    params = request.GET.copy()
    params.pop("page", None)
    this_year = timezone.localdate().year
    return render(
        request,
        "web/mutualaid_list.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "query": params.urlencode(),
            "year": year,
            "years": list(range(this_year, FIRST_YEAR - 1, -1)),
            "show_dissolved": show_dissolved,
            "can_edit": user.can(EDIT_GROUPS),  # type: ignore[union-attr]
        },
    )


# --- a new group ---------------------------------------------------------------------------


@page
def group_new(request: HttpRequest) -> HttpResponse:
    """Choose the village first (a village user's own is chosen already), then the group's name,
    its leader (a party record of that village, or an activist) and the day it was formed."""
    user = request.user
    require(user, EDIT_GROUPS)
    code = request.POST.get("village") or request.GET.get("village") or ""
    if not code and user.area.level == Level.VILLAGE:  # type: ignore[union-attr]
        code = user.area.code  # type: ignore[union-attr]
    village = access_area_by_code(user, code) if code else None
    if village is not None and village.level != Level.VILLAGE:
        raise NotFound()
    errors: list[str] = []
    status = 200
    if request.method == "POST" and village is not None:
        try:
            group = actions.do_create_group(user, village, request.POST.dict())
            return redirect("group", group_id=group.pk)
        except FupinError as exc:
            errors, status = _messages_of(exc), exc.status
    return render(
        request,
        "web/mutualaid_new.html",
        {
            "breadcrumb": breadcrumb(user, village or user.area),  # type: ignore[union-attr]
            "village": village,
            "villages": queries.villages_for_groups(user) if village is None else [],
            "leaders": list(queries.leader_candidates(user, village)[:500]) if village else [],
            "kinds": LeaderKind.choices,
            "posted": request.POST if request.method == "POST" else {},
            "today": timezone.localdate(),
            "errors": errors,
        },
        status=status,
    )


# --- one group -----------------------------------------------------------------------------


def _render_group(
    request: HttpRequest, group: AidGroup, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    year = _year(request.POST.get("year") or request.GET.get("year"))
    current, former = queries.memberships(group)
    stars = queries.stars_of([m.household for m in current], year)
    for m in current:
        m.rating = stars.get(m.household_id)  # type: ignore[attr-defined]
    given = queries.evaluations(group, year)
    sources = [
        {"value": value, "label": label, "evaluation": given.get(value)}
        for value, label in EvaluationSource.choices
    ]
    result = group_score(group, year)
    may_edit = _may_edit(user, group.area_id) and group.dissolved_on is None
    this_year = timezone.localdate().year
    return render(
        request,
        "web/mutualaid_detail.html",
        {
            "group": group,
            "breadcrumb": breadcrumb(user, group.area),
            "year": year,
            "years": list(range(this_year, FIRST_YEAR - 1, -1)),
            "current": current,
            "former": former,
            "activities": queries.activities(group),
            "sources": sources,
            "result": result,
            "max_households": setting_for(group.area_id, "aid_group_max_households"),
            "candidates": list(queries.candidates(group)) if may_edit else [],
            "kinds": FiveKind.choices,
            "may_edit": may_edit,
            "today": timezone.localdate(),
            "errors": errors or [],
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@page
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    return _render_group(request, queries.access_group_by_id(request.user, group_id))


@page
@require_POST
def group_act(request: HttpRequest, group_id: int) -> HttpResponse:
    """Each form of the group page posts here with ``action`` naming what to do."""
    user = request.user
    group = queries.access_group_by_id(user, group_id)
    require(user, EDIT_GROUPS, area_code=group.area_id)
    post = request.POST
    action = post.get("action", "")
    back = reverse("group", kwargs={"group_id": group.pk})
    try:
        if action == "add_household":
            household = access_household_by_id(user, post.get("household"))
            actions.do_add_household(user, group, household, post.get("joined_on"))
        elif action == "remove_household":
            household = access_household_by_id(user, post.get("household"))
            actions.do_remove_household(user, group, household, post.get("left_on"))
        elif action == "log_activity":
            actions.do_log_activity(user, group, post.dict())
        elif action == "evaluate":
            actions.do_record_evaluation(user, group, post.get("year"), post.get("source"), post.get("score"))
            back += f"?year={_year(post.get('year'))}"
        elif action == "dissolve":
            actions.do_dissolve_group(user, group, post.get("dissolved_on"))
        else:
            raise NotFound()
    except FupinError as exc:
        errors = _messages_of(exc)
        return _render_group(request, queries.access_group_by_id(user, group_id), errors, status=exc.status)
    return redirect(back)


# --- a household's star rating -------------------------------------------------------------


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: redirect() would take any other word for a URL name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@page
def household_stars(request: HttpRequest, household_id: int) -> HttpResponse:
    """Rate a household for a year (stars, 党员之星, 五好家庭); rating a year again replaces it."""
    user = request.user
    household = access_household_by_id(user, household_id)
    require(user, EDIT_GROUPS, area_code=household.area_id)
    year = _year(request.POST.get("year") or request.GET.get("year"))
    back = _next_url(request, reverse("household", kwargs={"household_id": household.pk}))
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            actions.do_rate_household(user, household, request.POST.get("year"), request.POST.dict())
            return redirect(back)
        except FupinError as exc:
            errors, status = _messages_of(exc), exc.status
    rating = queries.stars_of([household], year).get(household.pk)
    this_year = timezone.localdate().year
    return render(
        request,
        "web/mutualaid_rate.html",
        {
            "household": household,
            "breadcrumb": breadcrumb(user, household.area),
            "year": year,
            "years": list(range(this_year, FIRST_YEAR - 1, -1)),
            "rating": rating,
            "next": back,
            "posted": request.POST if request.method == "POST" else {},
            "errors": errors,
        },
        status=status,
    )


urlpatterns = [
    path("groups/", group_list, name="groups"),
    path("groups/new/", group_new, name="group_new"),
    path("groups/<int:group_id>/", group_detail, name="group"),
    path("groups/<int:group_id>/act/", group_act, name="group_act"),
    path("households/<int:household_id>/stars/", household_stars, name="household_stars"),
]
