"""Screening pages (部门筛查预警): the runs with their per-rule counts and a button to start one,
a run's progress, and the rules with the parameters and threshold that apply in the user's
area and year, which the county bureau edits. Thin: read, call an action, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext

from fupin.accounts.permissions import EDIT_RULES, RUN_SCREENING, VIEW_ALERTS
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code, areas_within
from fupin.core.access import owns_setting, require
from fupin.core.errors import FupinError, ValidationFailed
from fupin.screening import actions
from fupin.screening.engines import spark_available
from fupin.screening.queries import (
    access_run_by_id,
    effective_settings,
    lines_for_reader,
    province_code,
    runs_for,
    threshold_for,
)
from fupin.screening.rules import BY_KEY, RULES
from fupin.screening.tasks import notice_text
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page

RUNS_SHOWN = 50


def _year(raw: str | None) -> int:
    try:
        return actions.clean_year(raw) if raw else timezone.localdate().year
    except FupinError:
        return timezone.localdate().year


def _errors(exc: FupinError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return {e.field or "form": e.message for e in exc.errors}
    return {exc.field or "form": exc.message}


def _start_areas(user: Any) -> list[Area]:
    # What a run may cover: the user's own area and the townships and villages inside it.
    return list(areas_within(user.area).filter(level__lte=Level.VILLAGE).order_by("code")[:3000])


def _run_rows(run: Any) -> list[dict[str, Any]]:
    return [{"rule": rule, "found": (run.found or {}).get(rule.key)} for rule in RULES]


@page
def runs(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    errors: dict[str, str] = {}
    values = {"area": user.area.code, "year": str(timezone.localdate().year), "engine": "duckdb"}
    if request.method == "POST":
        # Checked before reading the form, so a role without it learns nothing from the answer.
        require(user, RUN_SCREENING)
        values = {name: request.POST.get(name, "").strip() for name in values}
        area = access_area_by_code(user, values["area"] or user.area.code)
        try:
            run = actions.do_start_screening(user, area=area, year=values["year"], engine=values["engine"])
        except FupinError as exc:
            if exc.status not in (400, 409):
                raise
            errors = _errors(exc)
        else:
            return redirect("screening_run", run_id=run.pk)
    rows = list(runs_for(user)[:RUNS_SHOWN])
    names = dict(Area.objects.filter(code__in={r.area_code for r in rows}).values_list("code", "name"))
    return render(
        request,
        "web/screening_runs.html",
        {
            "runs": [
                {
                    "run": r,
                    "area_name": names.get(r.area_code, r.area_code),
                    "counts": [row for row in _run_rows(r) if row["found"]],
                }
                for r in rows
            ],
            "rules": RULES,
            "can_run": user.can(RUN_SCREENING),
            "areas": _start_areas(user) if user.can(RUN_SCREENING) else [],
            "spark": spark_available(),
            "values": values,
            "errors": errors,
            "breadcrumb": breadcrumb(user, user.area),
        },
        status=400 if errors else 200,
    )


@page
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    user: Any = request.user
    run = access_run_by_id(user, run_id)
    area = Area.objects.filter(code=run.area_code).first()
    context = {
        "run": run,
        "job": run.job,
        "area_name": area.name if area else run.area_code,
        "rows": _run_rows(run),
        "notices": [notice_text(w) for w in run.warnings or []],
        "breadcrumb": breadcrumb(user, user.area),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/screening_run_progress.html", context)
    return render(request, "web/screening_run.html", context)


def _rules_context(user: Any, year: int) -> dict[str, Any]:
    code = user.area.code
    settings = effective_settings([code], year)
    names = dict(
        Area.objects.filter(code__in={s.source_area for s in settings.values() if s.source_area}).values_list(
            "code", "name"
        )
    )
    rules = []
    for rule in RULES:
        effective = settings[(code, rule.key)]
        own = effective.setting is not None and effective.setting.area_id == code
        rules.append(
            {
                "rule": rule,
                "enabled": effective.enabled,
                "setting": effective.setting,
                "own": own,
                "source_name": names.get(effective.source_area or "", ""),
                "params": [
                    {"param": p, "value": value, "input": value, "error": ""}
                    for p in rule.params
                    for value in [effective.params[p.name]]
                ],
                # What the change form shows: the values that apply, or after a refused save
                # the values as typed (``_keep_typed``).
                "form_year": str(year),
                "form_enabled": effective.enabled,
                "year_error": "",
            }
        )
    threshold = threshold_for(code, year)
    province = Area.objects.filter(code=province_code(code)).first()
    return {
        "year": year,
        "rules": rules,
        "threshold": threshold,
        "province_name": province.name if province else province_code(code),
        "lines": list(lines_for_reader(user)),
        # A value belongs to the level it is set for: a county bureau edits its county's
        # parameters, a province or prefecture bureau its own; the threshold is the province's.
        "can_edit": owns_setting(user, EDIT_RULES, code) and user.area.level <= Level.COUNTY,
        "can_edit_line": owns_setting(user, EDIT_RULES, province_code(code)),
        "area_name": user.area.name,
        "errors": {},
        "error_rule": "",
        "error_list": [],
        "line_values": {"year": str(year), "amount": "", "source": ""},
        "line_errors": {},
        "breadcrumb": breadcrumb(user, user.area),
    }


@page
def rules_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.can(EDIT_RULES):
        require(user, VIEW_ALERTS)
    return render(request, "web/screening_rules.html", _rules_context(user, _year(request.GET.get("year"))))


@page
def rule_set(request: HttpRequest, rule: str) -> HttpResponse:
    user: Any = request.user
    require(user, EDIT_RULES)
    found = BY_KEY.get(rule)
    if found is None or request.method != "POST":
        return redirect("screening_rules")
    year_raw = request.POST.get("year", "").strip()
    try:
        if request.POST.get("remove"):
            # The button carries the year of the setting it removes, which may be earlier
            # than the year the page shows.
            year_raw = request.POST["remove"].strip()
            actions.do_remove_rule_setting(user, rule=found.key, area=user.area, year=year_raw)
        else:
            actions.do_set_rule_setting(
                user,
                rule=found.key,
                area=user.area,
                year=year_raw,
                enabled=request.POST.get("enabled") == "on",
                params={p.name: request.POST.get(p.name, "").strip() for p in found.params},
            )
    except FupinError as exc:
        if exc.status not in (400, 409):
            raise
        context = _rules_context(user, _year(year_raw))
        context["errors"], context["error_rule"] = _errors(exc), found.key
        _keep_typed(context, found.key, request.POST, context["errors"])
        return render(request, "web/screening_rules.html", context, status=exc.status)
    return redirect(f"{reverse('screening_rules')}?year={_year(year_raw)}#rule-{found.key}")


def _keep_typed(context: dict[str, Any], rule: str, posted: Any, errors: dict[str, str]) -> None:
    """Show the refused rule's form as the user typed it, each message beside its field, and
    name the fields in the summary: one bad value must not wipe out the others."""
    item = next(i for i in context["rules"] if i["rule"].key == rule)
    removing = bool(posted.get("remove"))
    if not removing:
        item["form_year"] = posted.get("year", "").strip()
        item["form_enabled"] = posted.get("enabled") == "on"
    item["year_error"] = errors.get("year", "")
    labels = {"year": gettext("effective from year")}
    for p in item["params"]:
        name = p["param"].name
        labels[name] = str(p["param"].label)
        if not removing:
            p["input"] = posted.get(name, "").strip()
        p["error"] = errors.get(name, "")
    context["error_list"] = [
        gettext("%(field)s: %(message)s") % {"field": labels[field], "message": message}
        if field in labels
        else message
        for field, message in errors.items()
    ]


@page
def line_set(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, EDIT_RULES)
    if request.method != "POST":
        return redirect("screening_rules")
    values = {name: request.POST.get(name, "").strip() for name in ("year", "amount", "source")}
    try:
        actions.do_set_monitoring_line(
            user, year=values["year"], amount=values["amount"], source=values["source"]
        )
    except FupinError as exc:
        if exc.status not in (400, 409):
            raise
        context = _rules_context(user, _year(values["year"]))
        context["line_errors"], context["line_values"] = _errors(exc), values
        return render(request, "web/screening_rules.html", context, status=exc.status)
    return redirect(f"{reverse('screening_rules')}?year={_year(values['year'])}#lines")


urlpatterns: list[URLPattern] = [
    path("screening/", runs, name="screening_runs"),
    path("screening/runs/<int:run_id>/", run_detail, name="screening_run"),
    path("screening/rules/", rules_page, name="screening_rules"),
    path("screening/rules/lines/", line_set, name="screening_line_set"),
    path("screening/rules/<str:rule>/", rule_set, name="screening_rule_set"),
]
