"""Household list, household page, and the forms that add and change the household file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fupin.accounts.actions import RevealLimitReached
from fupin.accounts.permissions import EDIT_REGISTRY, VIEW_PII
from fupin.areas.models import Level
from fupin.areas.queries import access_area_by_code, areas_within
from fupin.core.access import require
from fupin.core.errors import FupinError
from fupin.registry import actions, income
from fupin.registry.choices import Cause, HouseholdStatus
from fupin.registry.cleaning import Field, clean_value
from fupin.registry.income_period import income_period_text
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member
from fupin.registry.queries import access_household_by_id, access_member_by_id, search_households
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.formspec import bind, error_map, form_data
from fupin.web.income_warning import form_lines, saved_warning

ID_FIELD = {"id_number": Field("str", max_length=18, required=True)}
PHONE_FIELD = {"phone": Field("str", max_length=20)}
# Session key (+ household id) of the income year just saved, read once by the household page.
SAVED_INCOME_KEY = "income-saved:"


def _input_error(exc: FupinError) -> dict[str, str]:
    if exc.status != 400:  # not found, forbidden, conflict: not a form problem
        raise exc
    return error_map(exc)


@page
def household_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = user.area  # type: ignore[union-attr]
    if request.GET.get("area"):
        area = access_area_by_code(user, request.GET["area"])
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    cause = request.GET.get("cause", "")
    qs = search_households(
        user,
        area=area,
        q=q,
        status=status if status in HouseholdStatus.values else "",
        cause=cause if cause in Cause.values else "",
    )
    pages = Paginator(qs.order_by("area_id", "number"), settings.FUPIN_PAGE_SIZE)
    page_obj = pages.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/household_list.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "page": page_obj,
            "q": q,
            "status": status,
            "cause": cause,
            "query": params.urlencode(),
            "statuses": HouseholdStatus.choices,
            "causes": Cause.choices,
        },
    )


@page
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    members = list(household.members.all())
    incomes = list(household.incomes.all())
    # The income just saved (its year is left in the session by the form, so the household's
    # address stays as it is) else the latest, which is the one screening reads.
    wanted = request.session.pop(f"{SAVED_INCOME_KEY}{household.pk}", None)
    shown = next((r for r in incomes if r.year == wanted), incomes[0] if incomes else None)
    return render(
        request,
        "web/household_detail.html",
        {
            "income_warning": saved_warning(user, household, shown),
            "household": household,
            "breadcrumb": breadcrumb(user, household.area),
            "members": [m for m in members if m.left_on is None],
            "former_members": [m for m in members if m.left_on is not None],
            "incomes": incomes,
            "conditions": list(household.conditions.all()),
            "history": list(household.status_history.select_related("actor")),
            "can_edit": user.can(EDIT_REGISTRY),  # type: ignore[union-attr]
            "can_reveal": user.can(VIEW_PII),  # type: ignore[union-attr]
            "other_causes": [Cause(c).label for c in household.other_causes if c in Cause.values],
        },
    )


def _household_form(
    request: HttpRequest,
    household: Household | None,
    area_code: str,
    data: Any = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    villages = areas_within(user.area).filter(level__in=[Level.VILLAGE, Level.GROUP])  # type: ignore[union-attr]
    return render(
        request,
        "web/household_form.html",
        {
            "household": household,
            "area_code": area_code,
            "villages": villages.order_by("code")[:2000] if household is None else [],
            "fields": bind(Household, actions.HOUSEHOLD_FIELDS, household, data, errors),
            "causes": Cause.choices,
            "other_causes": (
                data.getlist("other_causes")
                if data is not None
                else (household.other_causes if household else [])
            ),
            "errors": errors or {},
            "phone": data.get("phone", "") if data is not None else "",
        },
        status=status,
    )


@page
def household_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, EDIT_REGISTRY)
    area_code = request.POST.get("area") or request.GET.get("area") or ""
    if request.method == "POST":
        errors: dict[str, str] = {}
        try:
            area = access_area_by_code(user, area_code)
        except FupinError:
            errors = {"area": gettext("Choose a village or village group inside your area.")}
        else:
            data = form_data(
                request.POST, actions.HOUSEHOLD_FIELDS, extra=("other_causes", "phone", "bank_account")
            )
            head = {
                "name": request.POST.get("head_name", ""),
                "relation": "head",
                "id_number": request.POST.get("id_number", ""),
            }
            try:
                household = actions.do_create_household(area, data, actor=user, members=[head])
            except FupinError as exc:
                errors = _input_error(exc)
                # The head is the only member this form creates.
                for field, target in (("name", "head_name"), ("id_number", "id_number")):
                    if f"members[0].{field}" in errors:
                        errors.setdefault(target, errors.pop(f"members[0].{field}"))
            else:
                return redirect("household", household_id=household.pk)
        return _household_form(request, None, area_code, request.POST, errors, status=400)
    return _household_form(request, None, area_code)


@page
def household_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    require(user, EDIT_REGISTRY, area_code=household.area_id)
    if request.method == "POST":
        data = form_data(
            request.POST, actions.HOUSEHOLD_FIELDS, extra=("other_causes", "phone", "bank_account")
        )
        data.setdefault("other_causes", [])
        if not data.get("phone"):
            data.pop("phone", None)  # empty means unchanged: the stored number is never shown
        if not data.get("bank_account"):
            data.pop("bank_account", None)
        try:
            actions.do_update_household(household, data, actor=user)
        except FupinError as exc:
            return _household_form(
                request, household, household.area_id, request.POST, _input_error(exc), status=400
            )
        return redirect("household", household_id=household.pk)
    return _household_form(request, household, household.area_id)


def _member_form(
    request: HttpRequest,
    household: Household,
    member: Member | None,
    data: Any = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    fields = bind(Member, actions.MEMBER_FIELDS, member, data, errors)
    return render(
        request,
        "web/member_form.html",
        {
            "household": household,
            "member": member,
            "fields": fields,
            "errors": errors or {},
            "id_value": (data or {}).get("id_number", ""),
            "phone": (data or {}).get("phone", ""),
            "breadcrumb": breadcrumb(request.user, household.area),
        },
        status=status,
    )


@page
def member_add(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    require(user, EDIT_REGISTRY, area_code=household.area_id)
    if request.method == "POST":
        data = form_data(request.POST, actions.MEMBER_FIELDS, extra=("id_number", "phone"))
        try:
            actions.do_add_member(household, data, actor=user)
        except FupinError as exc:
            return _member_form(request, household, None, request.POST, _input_error(exc), 400)
        return redirect("household", household_id=household.pk)
    return _member_form(request, household, None)


@page
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    user = request.user
    member = access_member_by_id(user, member_id)
    household = member.household
    require(user, EDIT_REGISTRY, area_code=household.area_id)
    if request.method == "POST":
        data = form_data(request.POST, actions.MEMBER_FIELDS, extra=("id_number", "phone"))
        if not data.get("id_number"):
            data.pop("id_number", None)  # blank keeps the stored number
        if not data.get("phone"):
            data.pop("phone", None)
        try:
            actions.do_update_member(member, data, actor=user)
        except FupinError as exc:
            return _member_form(request, household, member, request.POST, _input_error(exc), 400)
        return redirect("household", household_id=household.pk)
    return _member_form(request, household, member)


@page
@require_POST
def member_leave(request: HttpRequest, member_id: int) -> HttpResponse:
    user = request.user
    member = access_member_by_id(user, member_id)
    try:
        left_on = clean_value(Field("date"), request.POST.get("left_on")) or timezone.localdate()
        actions.do_remove_member(member, left_on=left_on, reason=request.POST.get("reason", ""), actor=user)
    except FupinError as exc:
        _input_error(exc)
    return redirect("household", household_id=member.household_id)


@page
@require_POST
def reveal_id(request: HttpRequest, member_id: int) -> HttpResponse:
    member = access_member_by_id(request.user, member_id)
    try:
        number = actions.do_reveal_id_number(member, actor=request.user)
    except RevealLimitReached as exc:
        return HttpResponse(format_html('<span class="error">{}</span>', exc.message), status=exc.status)
    response = HttpResponse(f'<code class="pii">{number}</code>')
    response["Cache-Control"] = "no-store"  # the full number: no browser or proxy cache
    return response


AMOUNT_FIELDS = {name: Field("amount") for name in income.INPUT_FIELDS}


@page
def income_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    require(user, EDIT_REGISTRY, area_code=household.area_id)
    year = request.POST.get("year") or request.GET.get("year") or str(timezone.localdate().year - 1)
    existing = (
        IncomeRecord.objects.filter(household=household, year=year).first() if str(year).isdigit() else None
    )
    errors: dict[str, str] = {}
    data = None
    if request.method == "POST":
        data = request.POST
        try:
            record = actions.do_record_income(
                household, year, {k: data.get(k, "") for k in income.INPUT_FIELDS}, actor=user
            )
        except FupinError as exc:
            errors = _input_error(exc)
        else:
            request.session[f"{SAVED_INCOME_KEY}{household.pk}"] = record.year
            return redirect("household", household_id=household.pk)
    size = household.members.filter(left_on=None).count()
    return render(
        request,
        "web/income_form.html",
        {
            "household": household,
            "year": year,
            "size": size,
            "errors": errors,
            "fields": bind(IncomeRecord, AMOUNT_FIELDS, existing, data, errors),
            "lines": form_lines(household.area_id, year),
            "income_period": income_period_text(household.area_id),
            "breadcrumb": breadcrumb(user, household.area),
        },
        status=400 if errors else 200,
    )


@page
def conditions_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request.user
    household = access_household_by_id(user, household_id)
    require(user, EDIT_REGISTRY, area_code=household.area_id)
    year = request.POST.get("year") or request.GET.get("year") or str(timezone.localdate().year)
    existing = (
        HouseholdCondition.objects.filter(household=household, year=year).first()
        if str(year).isdigit()
        else None
    )
    errors: dict[str, str] = {}
    data = None
    if request.method == "POST":
        data = request.POST
        try:
            actions.do_record_conditions(
                household,
                year,
                form_data(data, actions.CONDITION_FIELDS),
                notes=data.get("notes", ""),
                actor=user,
            )
        except FupinError as exc:
            errors = _input_error(exc)
        else:
            return redirect("household", household_id=household.pk)
    return render(
        request,
        "web/conditions_form.html",
        {
            "household": household,
            "year": year,
            "errors": errors,
            "fields": bind(HouseholdCondition, actions.CONDITION_FIELDS, existing, data, errors),
            "notes": (data or {}).get("notes", existing.notes if existing else ""),
            "breadcrumb": breadcrumb(user, household.area),
        },
        status=400 if errors else 200,
    )


@page
@require_POST
def check_id_number(request: HttpRequest) -> HttpResponse:
    """The problem with a typed ID number, or nothing: format, check digit and date only.

    Whether a number is already registered is not told here, so the check cannot be used to
    probe the register; saving reports a duplicate inside the user's own form.
    """
    try:
        actions.clean_id_number(request.POST.get("value", ""))
    except FupinError as exc:
        return HttpResponse(exc.message, content_type="text/plain; charset=utf-8")
    return HttpResponse("", content_type="text/plain; charset=utf-8")
