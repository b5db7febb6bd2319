"""Party-building pages (党建): the year's ratings with the weak-branch list, organisations with
their members, linkages and ratings, units, and the village cadres' profile. Thin: look up
through ``party.queries``, change through ``party.actions``; every page needs VIEW_PARTY and
shows a form only to a user whose role and area allow what it does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts.permissions import EDIT_PARTY, RATE_PARTY, VIEW_PARTY
from fupin.areas.models import Area
from fupin.areas.queries import access_area_by_code
from fupin.core.access import covers, require
from fupin.core.errors import FupinError, NotFound
from fupin.party import actions
from fupin.party.models import (
    Cadre,
    LinkKind,
    Organisation,
    OrgKind,
    PartyMember,
    RatingClass,
    Unit,
)
from fupin.party.queries import (
    access_cadre_by_id,
    access_linkage_by_id,
    access_organisation_by_id,
    access_party_member_by_id,
    access_unit_by_id,
    area_choices,
    cadre_summary,
    cadres_within,
    children_of,
    default_year,
    link_candidates,
    linkages_of,
    members_of,
    rating_counts,
    rating_years,
    ratings_of,
    search_organisations,
    units_within,
    village_choices,
    villagers_for,
    weak_list,
)
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.formspec import BoundField, bind, error_map, form_data


def _form_errors(exc: FupinError) -> dict[str, str]:
    """Field errors to show next to the form; not found and forbidden are answered by ``page``."""
    if exc.status not in (400, 409):
        raise exc
    return error_map(exc)


def _area_from(request: HttpRequest) -> Area:
    user = request.user
    code = request.GET.get("area", "")
    return access_area_by_code(user, code) if code else user.area  # type: ignore[union-attr]


def _year_from(request: HttpRequest, user: Any, area: Area) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 1990 <= int(raw) <= timezone.localdate().year + 1:
        return int(raw)
    return default_year(user, area)


def _area_options(user: Any) -> list[tuple[str, str]]:
    """The areas a form may choose, indented under their parents."""
    top = user.area.level
    return [(a.code, "\u3000" * (a.level - top) + a.name) for a in area_choices(user)]


def _bind(model: type[Any], specs: dict[str, Any], instance: Any, data: Any, errors: Any) -> list[BoundField]:
    """The form's fields; dates as YYYY-MM-DD, the only form a date input takes (a date shown
    by the template would come out in the interface language, 2024年3月1日)."""
    fields = bind(model, specs, instance, data, errors)
    for f in fields:
        if isinstance(f.value, dt.date):
            f.value = f.value.isoformat()
    return fields


def _stars(n: int) -> str:
    return "★" * n + "☆" * (5 - n)


def _can(user: Any, perm: str, area_code: str | None = None) -> bool:
    return bool(user.can(perm)) and (area_code is None or covers(user, area_code))


# --- the overview: the year's ratings ------------------------------------------------------


@page
def party_home(request: HttpRequest) -> HttpResponse:
    """五星党组织 and 三分类 for a year, and the weak-branch list with each one's paired units."""
    user = request.user
    require(user, VIEW_PARTY)
    area = _area_from(request)
    year = _year_from(request, user, area)
    years = sorted({*rating_years(user, area), timezone.localdate().year, year}, reverse=True)
    counts = rating_counts(user, year, area)
    for row in counts["stars"]:
        row["glyphs"] = _stars(row["stars"])
    weak = weak_list(user, year, area)
    for row in weak:
        row["glyphs"] = _stars(row["rating"].stars)
    return render(
        request,
        "web/party_home.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "year": year,
            "years": years,
            "counts": counts,
            "weak": weak,
        },
    )


# --- organisations -------------------------------------------------------------------------


@page
def org_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_PARTY)
    area = _area_from(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    q = request.GET.get("q", "").strip()[:50]
    dissolved = request.GET.get("dissolved") == "1"
    qs = search_organisations(user, area=area, kind=kind, q=q, dissolved=dissolved)
    page_obj = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/party_orgs.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "query": params.urlencode(),
            "kind": kind,
            "kinds": OrgKind.choices,
            "q": q,
            "dissolved": dissolved,
            "areas": _area_options(user),
            "can_edit": user.can(EDIT_PARTY),  # type: ignore[union-attr]
        },
    )


ORG_REFS = ("area", "parent", "unit")


def _org_form(
    request: HttpRequest,
    org: Organisation | None,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HttpResponse:
    user = request.user
    if data is not None:
        chosen = {k: str(data.get(k) or "") for k in ORG_REFS}
        villages = set(data.get("villages") or [])
    elif org is not None:
        chosen = {"area": org.area_id, "parent": str(org.parent_id or ""), "unit": str(org.unit_id or "")}
        villages = set(org.villages.values_list("code", flat=True))
    else:
        chosen = {"area": request.GET.get("area", ""), "parent": request.GET.get("parent", ""), "unit": ""}
        villages = set()
    parents = search_organisations(user)
    if org is not None:
        parents = parents.exclude(pk=org.pk)
    return render(
        request,
        "web/party_org_form.html",
        {
            "org": org,
            "fields": _bind(Organisation, actions.ORG_FIELDS, org, data, errors),
            "errors": errors or {},
            "chosen": chosen,
            "areas": _area_options(user),
            "parents": list(parents.select_related("area")),
            "units": list(units_within(user).order_by("name")),
            "villages": village_choices(user),
            "villages_chosen": villages,
            "breadcrumb": breadcrumb(user, org.area) if org else None,
        },
        status=400 if errors else 200,
    )


def _org_data(request: HttpRequest) -> dict[str, Any]:
    data = form_data(request.POST, actions.ORG_FIELDS, extra=ORG_REFS)
    data["villages"] = request.POST.getlist("villages")
    return data


@page
def org_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, VIEW_PARTY)
    require(user, EDIT_PARTY)
    if request.method == "POST":
        data = _org_data(request)
        try:
            org = actions.do_create_organisation(data, actor=user)
        except FupinError as exc:
            return _org_form(request, None, data, _form_errors(exc))
        return redirect("party_org", org_id=org.pk)
    return _org_form(request, None)


@page
def org_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    user = request.user
    org = access_organisation_by_id(user, org_id)
    require(user, EDIT_PARTY, area_code=org.area_id)
    if request.method == "POST":
        data = _org_data(request)
        try:
            actions.do_edit_organisation(org, data, actor=user)
        except FupinError as exc:
            return _org_form(request, org, data, _form_errors(exc))
        return redirect("party_org", org_id=org.pk)
    return _org_form(request, org)


def _render_org(
    request: HttpRequest,
    org: Organisation,
    *,
    form: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_edit = _can(user, EDIT_PARTY, org.area_id) and not org.dissolved_on
    may_rate = _can(user, RATE_PARTY, org.area_id)
    ratings = ratings_of(org)
    for rating in ratings:
        rating.glyphs = _stars(rating.stars)  # type: ignore[attr-defined]
    members = members_of(org)
    year = timezone.localdate().year
    posted = request.POST if request.method == "POST" else {}
    current = next((r for r in ratings if r.year == year), None)
    rate_values: dict[str, Any] = {
        "year": posted.get("year", year) if form == "rate" else year,
        "stars": posted.get("stars", "") if form == "rate" else (current.stars if current else ""),
        "rating_class": posted.get("rating_class", "")
        if form == "rate"
        else (current.rating_class if current else ""),
        "weak": ("weak" in posted) if form == "rate" else bool(current and current.weak),
        "rectification": posted.get("rectification", "")
        if form == "rate"
        else (current.rectification if current else ""),
    }
    member_data = form_data(posted, actions.MEMBER_FIELDS) if form == "member" and posted else None
    return render(
        request,
        "web/party_org.html",
        {
            "org": org,
            "area": org.area,
            "breadcrumb": breadcrumb(user, org.area),
            "villages": list(org.villages.order_by("code")),
            "children": children_of(org),
            "members": members,
            "current_count": sum(1 for m in members if m.status in actions.CURRENT_STATUSES),
            "linkages": linkages_of(user, org),
            "ratings": ratings,
            "parent_visible": bool(org.parent and covers(user, org.parent.area_id)),
            "may_edit": may_edit,
            "may_rate": may_rate,
            "form": form,
            "errors": errors or {},
            "posted": posted,
            "member_fields": _bind(
                PartyMember, actions.MEMBER_FIELDS, None, member_data, errors if form == "member" else None
            )
            if may_edit
            else [],
            "villagers": villagers_for(user, org) if may_edit else [],
            "candidates": link_candidates(user, org) if may_edit else [],
            "link_kinds": LinkKind.choices,
            "classes": RatingClass.choices,
            "star_range": range(6),
            "rate": rate_values,
            "today": timezone.localdate(),
        },
        status=status,
    )


@page
def org_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    return _render_org(request, access_organisation_by_id(request.user, org_id))


@page
@require_POST
def org_act(request: HttpRequest, org_id: int) -> HttpResponse:
    """The forms on an organisation's page post here with ``action`` naming what to do."""
    user = request.user
    org = access_organisation_by_id(user, org_id)
    post = request.POST
    action = post.get("action", "")
    # The role first, so a refused form is refused before anything it names is looked up.
    require(user, RATE_PARTY if action == "rate" else EDIT_PARTY, area_code=org.area_id)
    try:
        if action == "member":
            data = form_data(post, actions.MEMBER_FIELDS, extra=("registry_member",))
            actions.do_add_party_member(org, data, actor=user)
        elif action == "link":
            other = access_organisation_by_id(user, post.get("other", ""))
            first, second = (org, other) if post.get("role") == "leads" else (other, org)
            data = form_data(post, actions.LINK_FIELDS)
            actions.do_create_linkage(first, second, data, actor=user)
        elif action == "rate":
            data = form_data(post, actions.RATING_FIELDS, extra=("stars",))
            actions.do_rate_organisation(org, data, actor=user)
        elif action == "dissolve":
            actions.do_dissolve_organisation(org, post.get("dissolved_on", ""), actor=user)
        else:
            raise NotFound()
    except FupinError as exc:
        errors = _form_errors(exc)
        fresh = access_organisation_by_id(user, org_id)
        return _render_org(request, fresh, form=action, errors=errors, status=exc.status)
    return redirect("party_org", org_id=org.pk)


@page
@require_POST
def link_end(request: HttpRequest, link_id: int) -> HttpResponse:
    user = request.user
    link = access_linkage_by_id(user, link_id)
    # The page to return to: the side of the linkage the form was on.
    back = link.first_id if request.POST.get("back") == str(link.first_id) else link.second_id
    try:
        actions.do_end_linkage(link, request.POST.get("ended_on", ""), actor=user)
    except FupinError as exc:
        errors = _form_errors(exc)
        org = access_organisation_by_id(user, back)
        return _render_org(request, org, form="end_link", errors=errors, status=exc.status)
    return redirect("party_org", org_id=back)


@page
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    user = request.user
    member = access_party_member_by_id(user, member_id)
    require(user, EDIT_PARTY, area_code=member.area_id)
    data: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = form_data(request.POST, actions.MEMBER_FIELDS)
        try:
            actions.do_edit_party_member(member, data, actor=user)
            return redirect("party_org", org_id=member.organisation_id)
        except FupinError as exc:
            errors = _form_errors(exc)
    return render(
        request,
        "web/party_member_form.html",
        {
            "member": member,
            "org": member.organisation,
            "breadcrumb": breadcrumb(user, member.organisation.area),
            "fields": _bind(PartyMember, actions.MEMBER_FIELDS, member, data, errors),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- units ---------------------------------------------------------------------------------


@page
def unit_list(request: HttpRequest) -> HttpResponse:
    """Units (帮扶单位) in the area, and a form to add one."""
    user = request.user
    require(user, VIEW_PARTY)
    area = _area_from(request)
    data: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(user, EDIT_PARTY)
        data = form_data(request.POST, actions.UNIT_FIELDS, extra=("area",))
        try:
            actions.do_create_unit(data, actor=user)
            return redirect(f"{request.path}?area={area.code}")
        except FupinError as exc:
            errors = _form_errors(exc)
    units = units_within(user, area).select_related("area").order_by("area_id", "name")
    page_obj = Paginator(units, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/party_units.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "query": params.urlencode(),
            "can_edit": user.can(EDIT_PARTY),  # type: ignore[union-attr]
            "fields": _bind(Unit, actions.UNIT_FIELDS, None, data, errors),
            "areas": _area_options(user),
            "chosen_area": (data or {}).get("area", area.code),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@page
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request.user
    unit = access_unit_by_id(user, unit_id)
    require(user, EDIT_PARTY, area_code=unit.area_id)
    data: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = form_data(request.POST, actions.UNIT_FIELDS, extra=("area",))
        try:
            actions.do_edit_unit(unit, data, actor=user)
            return redirect("party_units")
        except FupinError as exc:
            errors = _form_errors(exc)
    return render(
        request,
        "web/party_unit_form.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(user, unit.area),
            "fields": _bind(Unit, actions.UNIT_FIELDS, unit, data, errors),
            "areas": _area_options(user),
            "chosen_area": (data or {}).get("area", unit.area_id),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- cadres --------------------------------------------------------------------------------

CADRE_REFS = ("area", "unit")


@page
def cadre_list(request: HttpRequest) -> HttpResponse:
    """Village cadres' profile: who is over the age limit or has primary schooling or less
    (to be replaced or trained), the reserve cadres, and a form to add a cadre."""
    user = request.user
    require(user, VIEW_PARTY)
    area = _area_from(request)
    data: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(user, EDIT_PARTY)
        data = form_data(request.POST, actions.CADRE_FIELDS, extra=CADRE_REFS)
        try:
            actions.do_add_cadre(data, actor=user)
            return redirect(f"{request.path}?area={area.code}")
        except FupinError as exc:
            errors = _form_errors(exc)
    show_left = request.GET.get("left") == "1"
    return render(
        request,
        "web/party_cadres.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "summary": cadre_summary(user, area),
            "left": list(
                cadres_within(user, area)
                .filter(left_on__isnull=False)
                .select_related("area")
                .order_by("-left_on")
            )
            if show_left
            else [],
            "show_left": show_left,
            "can_edit": user.can(EDIT_PARTY),  # type: ignore[union-attr]
            "fields": _bind(Cadre, actions.CADRE_FIELDS, None, data, errors),
            "areas": _area_options(user),
            "units": list(units_within(user).order_by("name")),
            "chosen": {k: str(data.get(k) or "") for k in CADRE_REFS}
            if data
            else {"area": area.code, "unit": ""},
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@page
def cadre_edit(request: HttpRequest, cadre_id: int) -> HttpResponse:
    user = request.user
    cadre = access_cadre_by_id(user, cadre_id)
    require(user, EDIT_PARTY, area_code=cadre.area_id)
    data: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = form_data(request.POST, actions.CADRE_FIELDS, extra=CADRE_REFS)
        try:
            actions.do_edit_cadre(cadre, data, actor=user)
            return redirect("party_cadres")
        except FupinError as exc:
            errors = _form_errors(exc)
    chosen = (
        {k: str(data.get(k) or "") for k in CADRE_REFS}
        if data is not None
        else {"area": cadre.area_id, "unit": str(cadre.unit_id or "")}
    )
    return render(
        request,
        "web/party_cadre_form.html",
        {
            "cadre": cadre,
            "breadcrumb": breadcrumb(user, cadre.area),
            "fields": _bind(Cadre, actions.CADRE_FIELDS, cadre, data, errors),
            "areas": _area_options(user),
            "units": list(units_within(user).order_by("name")),
            "chosen": chosen,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


urlpatterns = [
    path("party/", party_home, name="party_home"),
    path("party/organisations/", org_list, name="party_orgs"),
    path("party/organisations/new/", org_create, name="party_org_create"),
    path("party/organisations/<int:org_id>/", org_detail, name="party_org"),
    path("party/organisations/<int:org_id>/edit/", org_edit, name="party_org_edit"),
    path("party/organisations/<int:org_id>/act/", org_act, name="party_org_act"),
    path("party/linkages/<int:link_id>/end/", link_end, name="party_link_end"),
    path("party/members/<int:member_id>/edit/", member_edit, name="party_member_edit"),
    path("party/units/", unit_list, name="party_units"),
    path("party/units/<int:unit_id>/edit/", unit_edit, name="party_unit_edit"),
    path("party/cadres/", cadre_list, name="party_cadres"),
    path("party/cadres/<int:cadre_id>/edit/", cadre_edit, name="party_cadre_edit"),
]
