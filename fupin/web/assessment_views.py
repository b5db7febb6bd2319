"""Exit assessment pages (贫困村退出 / 贫困县摘帽): a village's and a county's figures against the
thresholds, their Excel exports, and the county bureau's forms for populations, sampling
results and threshold settings. Thin: access, call a query or an action, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from fupin.accounts.permissions import EDIT_ASSESSMENT, SET_ASSESSMENT_SETTINGS
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code
from fupin.assessment import actions, queries
from fupin.assessment.excel import assessment_workbook
from fupin.assessment.models import AreaPopulation, AssessmentSetting, CountySampling, DenominatorKind
from fupin.core.access import require, require_setting_owner
from fupin.core.errors import FupinError, NotFound
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page
from fupin.web.formspec import error_map

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_OF_LEVEL = {Level.VILLAGE: "assessment_village", Level.COUNTY: "assessment_county"}


def _year(raw: Any) -> int:
    """The year asked for, or this year when none or a wrong one is given (a read needs no error)."""
    try:
        return actions.clean_year(raw)
    except FupinError:
        return timezone.localdate().year


def _years() -> list[int]:
    return actions.assessment_years()


def _report_page(request: HttpRequest, code: str, level: int, template: str) -> HttpResponse:
    user = request.user
    area = queries.access_assessment_area(user, code, level)
    year = _year(request.GET.get("year"))
    if level == Level.VILLAGE:
        report = queries.village_report(user, area, year)
        households = list(queries.remaining_poor(user, area, year))
    else:
        report = queries.county_report(user, area, year)
        households = []
    return render(
        request,
        template,
        {
            "area": area,
            "breadcrumb": breadcrumb(user, area),
            "report": report,
            "households": households,
            "year": year,
            "years": _years(),
            "can_edit": user.can(EDIT_ASSESSMENT),  # type: ignore[union-attr]
        },
    )


@page
def village_assessment(request: HttpRequest, code: str) -> HttpResponse:
    return _report_page(request, code, Level.VILLAGE, "web/assessment_village.html")


@page
def county_assessment(request: HttpRequest, code: str) -> HttpResponse:
    return _report_page(request, code, Level.COUNTY, "web/assessment_county.html")


def _requested_report(request: HttpRequest, code: str, level: int) -> tuple[Area, int, Any]:
    """The area asked for (404 outside the user's), the year, and its assessment."""
    user = request.user
    area = queries.access_assessment_area(user, code, level)
    year = _year(request.GET.get("year"))
    if level == Level.VILLAGE:
        return area, year, queries.village_report(user, area, year)
    return area, year, queries.county_report(user, area, year)


def _export(request: HttpRequest, code: str, level: int) -> HttpResponse:
    area, year, report = _requested_report(request, code, level)
    body = assessment_workbook(report, queries.remaining_poor(request.user, area, year))
    response = HttpResponse(body, content_type=XLSX)
    name = f"assessment-{area.code}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page
def village_export(request: HttpRequest, code: str) -> HttpResponse:
    return _export(request, code, Level.VILLAGE)


@page
def county_export(request: HttpRequest, code: str) -> HttpResponse:
    return _export(request, code, Level.COUNTY)


def _standard_note(limits: Any) -> str:
    """Where the incidence standard comes from, in the printed paper's Chinese."""
    bound = f"低于 {limits.incidence_max.normalize():f}%"
    if limits.sources.get("incidence_max"):
        return f"{bound}（{limits.sources['incidence_max']}设定）"
    if limits.western_source:
        kind = "按西部地区标准执行" if limits.western else "不按西部地区标准执行"
        return f"{bound}（{limits.western_source}{kind}，省级设置）"
    kind = "属西部省份" if limits.western else "不属西部省份"
    return f"{bound}（{limits.province_name}{kind}，默认名单）"


def _pdf(request: HttpRequest, code: str, level: int) -> HttpResponse:
    """The assessment as a printable A4 PDF, next to the Excel (journey 4.3): the same report
    the page shows, in Chinese whatever the reader's language."""
    from fupin.assessment import rules
    from fupin.assessment.excel import DENOMINATOR_ZH, GATE_ZH, OUTCOME_ZH
    from fupin.reports.pdf import render_pdf

    area, year, report = _requested_report(request, code, level)
    if level == Level.VILLAGE:
        households = list(queries.remaining_poor(request.user, area, year))
        heading = "贫困村退出评估"
    else:
        households = []
        heading = "贫困县退出评估"
    gates = [
        {
            "name": GATE_ZH[g.key],
            "part": "未录入" if g.part is None else f"{g.part:,}",
            "whole": "未录入" if g.whole is None else f"{g.whole:,}",
            "rate": rules.shown(g.rate),
            "comparison": g.comparison,
            "outcome": OUTCOME_ZH[g.outcome],
        }
        for g in report.gates
    ]
    context = {
        "report": report,
        "heading": heading,
        "outcome": OUTCOME_ZH[report.outcome],
        "denominator_kind": DENOMINATOR_ZH[report.thresholds.denominator_kind],
        "standard_note": _standard_note(report.thresholds),
        "gates": gates,
        "households": households,
        "printed_at": timezone.localtime(),
    }
    with translation.override("zh-hans"):
        pdf = render_pdf("reports/assessment_pdf.html", context, title=f"{area.name} {year} 年{heading}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="assessment-{area.code}-{year}.pdf"'
    response["Cache-Control"] = "private, no-store"  # names of households: no shared cache
    return response


@page
def village_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _pdf(request, code, Level.VILLAGE)


@page
def county_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _pdf(request, code, Level.COUNTY)


def _editable_area(request: HttpRequest, code: str, levels: tuple[int, ...]) -> Area:
    """An area of one of ``levels`` inside the user's, for a user who may record assessment data."""
    area = access_area_by_code(request.user, code)
    if area.level not in levels:
        raise NotFound()
    require(request.user, EDIT_ASSESSMENT, area_code=area.code)
    return area


def _settings_area(request: HttpRequest, code: str) -> Area:
    """An area whose thresholds the user's office owns: a county bureau's county or village, a
    province or prefecture bureau's own area (which its counties inherit)."""
    area = access_area_by_code(request.user, code)
    if area.level not in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.VILLAGE):
        raise NotFound()
    require_setting_owner(request.user, SET_ASSESSMENT_SETTINGS, area_code=area.code)
    return area


def _back(area: Area, year: int | None = None) -> HttpResponse:
    if area.level not in PAGE_OF_LEVEL:
        # A province's or prefecture's thresholds have no report page of their own.
        return redirect("assessment_setting", code=area.code)
    response = redirect(PAGE_OF_LEVEL[area.level], code=area.code)
    if year:
        response["Location"] += f"?year={year}"
    return response


def _form_errors(exc: FupinError) -> dict[str, str]:
    if exc.status != 400:  # not found, forbidden, conflict: not a form problem
        raise exc
    return error_map(exc)


@page
def population_form(request: HttpRequest, code: str) -> HttpResponse:
    area = _editable_area(request, code, (Level.VILLAGE, Level.COUNTY))
    year = _year(request.POST.get("year") or request.GET.get("year"))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            actions.do_record_population(area, request.POST.dict(), actor=request.user)
        except FupinError as exc:
            errors, status = _form_errors(exc), 400
        else:
            return _back(area, year)
        values: dict[str, Any] = request.POST.dict()
    else:
        row = AreaPopulation.objects.filter(area=area, year=year).first()
        values = {
            "year": year,
            "agricultural_registered": row.agricultural_registered
            if row and row.agricultural_registered
            else "",
            "rural_resident": row.rural_resident if row and row.rural_resident else "",
            "source": row.source if row else "",
        }
    return render(
        request,
        "web/assessment_population_form.html",
        {"area": area, "breadcrumb": breadcrumb(request.user, area), "values": values, "errors": errors},
        status=status,
    )


@page
def sampling_form(request: HttpRequest, code: str) -> HttpResponse:
    county = _editable_area(request, code, (Level.COUNTY,))
    year = _year(request.POST.get("year") or request.GET.get("year"))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            actions.do_record_sampling(county, request.POST.dict(), actor=request.user)
        except FupinError as exc:
            errors, status = _form_errors(exc), 400
        else:
            return _back(county, year)
        values: dict[str, Any] = request.POST.dict()
    else:
        row = CountySampling.objects.filter(area=county, year=year).first()
        values = {"year": year, "notes": row.notes if row else ""}
        for name in actions.SAMPLING_FIELDS:
            values[name] = getattr(row, name) if row else ""
    fields = [
        (
            name,
            str(CountySampling._meta.get_field(name).verbose_name),
            values.get(name, ""),
            errors.get(name, ""),
        )
        for name in actions.SAMPLING_FIELDS
    ]
    return render(
        request,
        "web/assessment_sampling_form.html",
        {
            "area": county,
            "breadcrumb": breadcrumb(request.user, county),
            "values": values,
            "fields": fields,
            "errors": errors,
        },
        status=status,
    )


@page
def setting_form(request: HttpRequest, code: str) -> HttpResponse:
    area = _settings_area(request, code)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            actions.do_set_assessment_setting(area, request.POST.dict(), actor=request.user)
        except FupinError as exc:
            errors, status = _form_errors(exc), 400
        else:
            return _back(area)
        values: dict[str, Any] = request.POST.dict()
    else:
        own = queries.own_setting(area)
        values = {name: (getattr(own, name) or "") if own else "" for name in actions.THRESHOLD_FIELDS}
        values["denominator_kind"] = own.denominator_kind if own else ""
    inherited = queries.thresholds_for(area.parent) if area.parent else None
    limits = [
        (
            name,
            str(AssessmentSetting._meta.get_field(name).verbose_name),
            values.get(name, ""),
            errors.get(name, ""),
            getattr(inherited, name) if inherited else "",
        )
        for name in actions.THRESHOLD_FIELDS
    ]
    return render(
        request,
        "web/assessment_setting_form.html",
        {
            "area": area,
            "breadcrumb": breadcrumb(request.user, area),
            "values": values,
            "limits": limits,
            "kinds": DenominatorKind.choices,
            "inherited_kind": DenominatorKind(inherited.denominator_kind).label if inherited else "",
            "errors": errors,
        },
        status=status,
    )
