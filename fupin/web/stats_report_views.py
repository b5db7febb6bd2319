"""Downloads of an area's statistics (journey 8: the leader exports the table they are looking at):
the standard tables as a workbook, the table by year alone, and a printable PDF summary.

All read the snapshots only. The area is one inside the reader's (anything else, and a code that
does not exist, is the same 404); ``?year=`` defaults to the latest year with a snapshot, and a
year without one is a 400 page that says so rather than an empty file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from fupin.areas.models import Area
from fupin.core.errors import FupinError
from fupin.reports.pdf import render_pdf
from fupin.stats import queries
from fupin.stats.catalogue import INDICATORS, Indicator
from fupin.stats.models import Snapshot
from fupin.stats.tables import (
    Table,
    number_text,
    parse_year,
    sub_area_table,
    trend_table,
    trend_workbook,
    workbook,
    year_snapshot,
)
from fupin.web.decorators import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY_TEMPLATE = "reports/stats_summary_pdf.html"

# The PDF's blocks of key figures, in reading order; a key the catalogue lacks is skipped, so
# the summary follows the catalogue as indicators are added or renamed.
KEY_FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "建档立卡与退出",
        (
            "covered_households",
            "covered_people",
            "poor_households",
            "poor_people",
            "population",
            "incidence",
            "exited_households",
            "exited_people",
            "exited_total_households",
            "eliminated_households",
        ),
    ),
    ("防返贫监测", ("monitored_households", "monitored_people", "monitored_per_thousand")),
    ("收入", ("income_households", "income_mean", "income_median")),
    (
        "贫困测度",
        (
            "measured_people",
            "fgt0",
            "fgt1",
            "fgt2",
            "watts",
            "gini",
            "mpi_people",
            "mpi_h",
            "mpi_a",
            "mpi_m0",
        ),
    ),
)
# The sub-area table: the few figures a leader compares townships or villages by.
SUB_AREA_KEYS = (
    "poor_households",
    "poor_people",
    "incidence",
    "exited_households",
    "monitored_households",
    "income_mean",
)


def _filename(text: str) -> str:
    # Slashes and quotes would break the name on some systems; area names never need them.
    return text.replace("/", "-").replace("\\", "-").replace('"', "")


def _download(body: bytes, content_type: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    # RFC 5987 (filename*=utf-8''…) for the Chinese name, with an ASCII fallback.
    response["Content-Disposition"] = content_disposition_header(attachment, _filename(filename))
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _or_400(request: HttpRequest, make: Callable[[], HttpResponse]) -> HttpResponse:
    """A year without statistics or out of range is the reader's to correct: a page saying so.
    Missing and outside areas (404) and roles without statistics (403) go on to ``page``."""
    try:
        return make()
    except FupinError as exc:
        if exc.status != 400:
            raise
        return render(request, "reports/bad_request.html", {"message": exc.message}, status=400)


def _area_and_row(request: HttpRequest, code: str) -> tuple[Area, Snapshot]:
    area = queries.access_area(request.user, code)  # permission first, then 404 outside or missing
    year = parse_year(area, request.GET.get("year"))
    return area, year_snapshot(area, year)


@require_GET
@page
def stats_export(request: HttpRequest, code: str) -> HttpResponse:
    def make() -> HttpResponse:
        area, row = _area_and_row(request, code)
        name = gettext("{area} statistics {year}").format(area=area.name, year=row.year)
        return _download(workbook(area, row.year), XLSX, f"{name}.xlsx", attachment=True)

    return _or_400(request, make)


@require_GET
@page
def stats_trend_export(request: HttpRequest, code: str) -> HttpResponse:
    def make() -> HttpResponse:
        area = queries.access_area(request.user, code)
        year_snapshot(area, None)  # no statistics at all: say so
        name = gettext("{area} statistics by year").format(area=area.name)
        return _download(trend_workbook(area), XLSX, f"{name}.xlsx", attachment=True)

    return _or_400(request, make)


def _figure(indicator: Indicator, values: dict[str, Any]) -> dict[str, str]:
    return {
        "key": indicator.key,
        "name": str(indicator.name),
        "value": number_text(values.get(indicator.key), indicator.places),
        "unit": str(indicator.unit),
    }


def _pairs(items: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    """Two figures a line: the summary fits on fewer pages."""
    return [items[i : i + 2] for i in range(0, len(items), 2)]


def _shown(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": [{"name": str(i.name), "unit": str(i.unit)} for i in table.columns],
        "rows": [
            {
                "label": row.label,
                "total": row.total,
                "cells": [number_text(v, i.places) for i, v in zip(table.columns, row.values, strict=True)],
            }
            for row in table.rows
        ],
    }


def summary_context(area: Area, row: Snapshot) -> dict[str, Any]:
    values = row.values
    blocks = [
        {"title": title, "rows": _pairs([_figure(INDICATORS[k], values) for k in keys if k in INDICATORS])}
        for title, keys in KEY_FIGURES
    ]
    by_section = {
        section: [_figure(i, values) for i in INDICATORS.values() if i.section == section]
        for section in ("monitoring", "conditions", "causes")
    }
    carried = [str(INDICATORS[k].name) for k in row.carried_keys if k in INDICATORS]
    return {
        "area": area,
        "path": " · ".join([*(a.name for a in area.ancestors()), area.name]),
        "year": row.year,
        "blocks": blocks,
        "monitoring": _pairs(by_section["monitoring"]),
        "conditions": _pairs(by_section["conditions"]),
        "causes": _pairs(by_section["causes"]),
        "trend": _shown(trend_table(area)),
        "sub_areas": _shown(sub_area_table(area, row.year, SUB_AREA_KEYS)),
        "refreshed_at": timezone.localtime(row.refreshed_at),
        "full_at": timezone.localtime(row.full_at),
        "carried": carried,
        "printed_at": timezone.localtime(),
    }


def render_summary(area: Area, row: Snapshot) -> bytes:
    # Printed paper is Chinese whatever the reader's screen language (reports/pdf_base.html).
    with translation.override("zh-hans"):
        context = summary_context(area, row)
        return render_pdf(SUMMARY_TEMPLATE, context, title=f"{area.name} {row.year} 年统计摘要")


@require_GET
@page
def stats_summary_pdf(request: HttpRequest, code: str) -> HttpResponse:
    def make() -> HttpResponse:
        area, row = _area_and_row(request, code)
        name = gettext("{area} summary {year}").format(area=area.name, year=row.year)
        return _download(render_summary(area, row), "application/pdf", f"{name}.pdf", attachment=False)

    return _or_400(request, make)


urlpatterns = [
    path("<str:code>/export.xlsx", stats_export, name="stats_export"),
    path("<str:code>/trend.xlsx", stats_trend_export, name="stats_trend_export"),
    path("<str:code>/summary.pdf", stats_summary_pdf, name="stats_summary_pdf"),
]
