"""Statistics pages: an area's overview (key figures, trends like seed 003's 表1, compositions,
a ranking of its sub-areas with drill-down links, and for a prefecture or province a county
map), the county map's boundaries, the indicator catalogue, and a public view of a county,
township or village with small counts hidden.

Thin: every figure is read from the snapshots through ``stats.queries``; nothing here counts
households. Charts are drawn by ``static/web/stats.js`` from the page's own ``stats-data``.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from fupin.accounts.permissions import VIEW_REGISTRY, VIEW_STATS
from fupin.areas.models import Area, Level
from fupin.areas.queries import areas_within
from fupin.core.access import require
from fupin.stats import queries
from fupin.stats.catalogue import INDICATORS, TREND_KEYS, by_section
from fupin.stats.geo import county_features_json
from fupin.web.decorators import page

# The key figures at the top of an overview, in reading order.
CARD_KEYS = (
    "covered_households",
    "covered_people",
    "poor_households",
    "poor_people",
    "incidence",
    "exited_households",
    "monitored_households",
    "monitored_per_thousand",
    "income_mean",
    "alerts_open",
    "alerts_overdue",
)
# The public view: the same without today's work queue (alerts are not for the public).
PUBLIC_CARD_KEYS = CARD_KEYS[:9]
# What the public table of sub-areas shows.
PUBLIC_CHILD_KEYS = ("poor_households", "incidence", "monitored_households", "monitored_per_thousand")
COMPOSITIONS = {
    "income": ("share_wage", "share_business", "share_property", "share_transfer"),
    "causes": tuple(k for k in INDICATORS if k.startswith("cause_")),
    "shortfalls": tuple(k for k in INDICATORS if k.startswith("short_") and k != "short_any"),
    "monitored": tuple(
        k for k in INDICATORS if k.startswith("monitored_") and INDICATORS[k].section == "monitoring"
    ),
}
OVERDUE_LISTED = 10
# The map's colour bands, lightest (lowest) first.
BAND_COLOURS = ("#fff3e0", "#ffcc80", "#fb8c00", "#e65100", "#b71c1c")
PUBLIC_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def _fmt(value: Any, places: int) -> str:
    if value is None:
        return "—"
    return f"{value:,.{places}f}"


def _figure(key: str, values: dict[str, Any]) -> dict[str, Any]:
    indicator = INDICATORS[key]
    value = values.get(key)
    return {
        "key": key,
        "name": str(indicator.name),
        "unit": str(indicator.unit),
        "places": indicator.places,
        "value": value,
        "text": _fmt(value, indicator.places),
    }


def _default_indicator(area: Area) -> str:
    return "monitored_per_thousand" if area.level <= Level.PREFECTURE else "poor_households"


def _choose_year(request: HttpRequest, area: Area) -> tuple[int | None, list[int]]:
    years = queries.years(area)
    asked = request.GET.get("year", "")
    if asked.isdigit() and int(asked) in years:
        return int(asked), years
    return (years[-1] if years else None), years


def _stats_url(code: str, year: int | None, indicator: str) -> str:
    query = {"indicator": indicator, **({"year": year} if year else {})}
    return f"{reverse('stats_area', args=[code])}?{urlencode(query)}"


def _optional_url(name: str, code: str, year: int | None) -> str:
    """A link to a page another module serves, if it is installed."""
    try:
        url = reverse(name, args=[code])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'year': year})}" if year else url


def _trend(area: Area, keys: tuple[str, ...], public_threshold: int | None = None) -> dict[str, Any]:
    bases = tuple(INDICATORS[k].base for k in keys if INDICATORS[k].base)
    rows = queries.series(area, tuple(dict.fromkeys((*keys, *bases))))
    if public_threshold is not None:
        rows = [{"year": r["year"], **queries.for_public(r, public_threshold)} for r in rows]
    return {
        "years": [r["year"] for r in rows],
        "series": [
            {
                "key": k,
                "name": str(INDICATORS[k].name),
                "unit": str(INDICATORS[k].unit),
                "places": INDICATORS[k].places,
                "values": [r.get(k) for r in rows],
                # A line with no point at all is not drawn (the table still has its column).
                "drawn": any(r.get(k) is not None for r in rows),
            }
            for k in keys
        ],
        "rows": [
            {"year": r["year"], "cells": [_fmt(r.get(k), INDICATORS[k].places) for k in keys]} for r in rows
        ],
    }


def _composition(values: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name, keys in COMPOSITIONS.items():
        parts = [
            {"key": k, "name": str(INDICATORS[k].name), "value": values[k]}
            for k in keys
            if isinstance(values.get(k), int | float) and values[k] > 0
        ]
        if name in ("causes", "shortfalls"):
            parts.sort(key=lambda p: -p["value"])
        out[name] = parts
    return out


def _ranked(
    rows: list[queries.AreaValues], key: str, year: int | None, keep: str | None = None
) -> list[dict[str, Any]]:
    """Rows ranked by ``key``; their links open the area with the indicator ``keep`` (the one
    the reader chose, by default ``key``), so following a link never swaps it silently."""
    places = INDICATORS[key].places
    items = [
        {
            "code": r.area.code,
            "name": r.area.name,
            "value": r.values.get(key),
            "text": _fmt(r.values.get(key), places),
            "url": _stats_url(r.area.code, year, keep or key),
        }
        for r in rows
    ]
    # Highest first; areas without a value go last, in code order.
    items.sort(key=lambda i: (i["value"] is None, -(i["value"] or 0), i["code"]))
    return items


def _crumbs(user: Any, area: Area, year: int | None, indicator: str) -> list[dict[str, str]]:
    """From the user's own area down to this one: never above what the user may see."""
    home = user.area
    trail = [a for a in [*area.ancestors(), area] if a.code.startswith(home.prefix)]
    return [
        {"name": a.name, "url": "" if a.code == area.code else _stats_url(a.code, year, indicator)}
        for a in trail
    ]


def _bands(values: list[Any], places: int) -> list[dict[str, Any]]:
    """The map legend: up to len(BAND_COLOURS) equal bands from the lowest county's value to the
    highest, each with its bounds in words, so a colour on the map reads as a number. The same
    bands colour the map (stats.js) and the legend in the page."""
    found = sorted(float(v) for v in values if v is not None)
    if not found:
        return []
    low, high = found[0], found[-1]
    span, step = high - low, 10**-places
    # Bounds on the figure's own precision (whole households, tenths of a per mille), so a
    # label says exactly where a band starts; never more bands than that precision allows.
    count = max(1, min(len(BAND_COLOURS), round(span / step)))
    width = math.ceil(round(span / count / step, 6)) * step
    count = max(1, math.ceil(round(span / width, 6))) if span else 1
    bands = []
    lo = low
    for i, colour in enumerate(BAND_COLOURS[:count]):
        last = i == count - 1
        hi = high if last else round(low + (i + 1) * width, places)
        label = _fmt(lo, places) if lo == hi else f"{_fmt(lo, places)} – {_fmt(hi, places)}"
        bands.append({"min": lo, "max": hi, "label": label, "color": colour, "last": last})
        lo = hi
    return bands


def _map(area: Area, rows: list[queries.AreaValues], year: int, key: str) -> dict[str, Any]:
    counties = {r.area.code: r.values.get(key) for r in rows}
    known = areas_within(area).filter(level=Level.COUNTY).order_by("code")
    places = INDICATORS[key].places
    return {
        "url": reverse("stats_map", args=[area.code]),
        "data": [{"name": a.code, "value": counties.get(a.code), "label": a.name} for a in known],
        "links": {a.code: _stats_url(a.code, year, key) for a in known},
        # Grey on the map (a county not on the system, or without the figure) is said in the
        # page's legend as "no figure".
        "bands": _bands([counties.get(a.code) for a in known], places),
    }


def _overdue(
    area: Area, year: int, latest: int, shown: list[queries.AreaValues], chosen: str
) -> tuple[str, list[dict[str, Any]]]:
    """The areas with the most alerts overdue now: counties above a county, else sub-areas.
    ``shown`` are the rows the page already read for ``year``; reused when it is the latest."""
    if area.level <= Level.PREFECTURE:
        kind, read = "counties", queries.counties
    elif area.level < Level.VILLAGE:
        kind, read = "children", queries.children
    else:
        return "", []
    rows = shown if year == latest else read(area, latest)
    # Ranked by overdue alerts, but a link keeps the reader's indicator (``chosen``).
    ranked = [i for i in _ranked(rows, "alerts_overdue", latest, chosen) if (i["value"] or 0) > 0]
    return kind, ranked[:OVERDUE_LISTED]


def _indicator_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [(str(label), [(i.key, str(i.name)) for i in items]) for _key, label, items in by_section()]


@page
def overview(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request.user
    area = queries.access_area(user, code)
    year, years = _choose_year(request, area)
    key = request.GET.get("indicator", "")
    if key not in INDICATORS:
        key = _default_indicator(area)
    context: dict[str, Any] = {
        "area": area,
        "crumbs": _crumbs(user, area, year, key),
        "year": year,
        "years": years,
        "indicator": INDICATORS[key],
        "indicator_choices": _indicator_choices(),
        "pending": queries.pending_changes(area),
        "public_url": _optional_url("stats_public", area.code, None) if area.level in PUBLIC_LEVELS else "",
    }
    if year is None:
        return render(request, "web/stats_overview.html", context)
    # Only the refresh times until the body has to be rendered: the cached page needs no values.
    stamps = queries.refresh_times(area)
    refreshed = stamps.get(year)
    may_list = area.level == Level.VILLAGE and user.can(VIEW_REGISTRY)  # type: ignore[union-attr]
    # The page's body changes only when a snapshot of the area does (every refresh below it
    # rewrites the area's own rows too), so it is rendered once per refresh and language.
    body_key = "|".join(
        map(str, (area.code, year, key, get_language(), max(stamps.values()), may_list, user.area.code))
    )
    context.update(refreshed_at=refreshed, body_key=body_key)
    if all(
        cache.get(make_template_fragment_key(name, [body_key])) is not None
        for name in ("stats_filters", "stats_body")
    ):
        return render(request, "web/stats_overview.html", context)
    snap = queries.snapshot(area, year)
    values = snap.values if snap else {}
    children = queries.children(area, year) if area.level < Level.VILLAGE else []
    counties = queries.counties(area, year) if area.level <= Level.PREFECTURE else []
    data: dict[str, Any] = {
        "code": area.code,
        "level": area.level,
        "year": year,
        "indicator": _figure(key, {}),
        # A figure about today only (open alerts) has no value for a past year: no card then.
        "cards": [
            _figure(k, values)
            for k in CARD_KEYS
            if k in values and not (values[k] is None and INDICATORS[k].current_only)
        ],
        "trend": _trend(area, TREND_KEYS),
        "composition": _composition(values),
        "ranking": _ranked(children, key, year),
        "map": _map(area, counties, year, key) if area.level <= Level.PREFECTURE else None,
    }
    overdue_kind, overdue = _overdue(
        area, year, years[-1], counties if area.level <= Level.PREFECTURE else children, key
    )
    data["overdue"] = overdue
    context.update(
        data=data,
        overdue_kind=overdue_kind,
        households_url=f"{reverse('households')}?{urlencode({'area': area.code})}" if may_list else "",
        export_url=_optional_url("stats_export", area.code, year),
        pdf_url=_optional_url("stats_summary_pdf", area.code, year),
        trend_export_url=_optional_url("stats_trend_export", area.code, None),
    )
    return render(request, "web/stats_overview.html", context)


@page
def county_map(request: HttpRequest, code: str) -> HttpResponse:
    area = queries.access_area(request.user, code)
    response = HttpResponse(county_features_json(area), content_type="application/geo+json")
    # Boundaries change with a package upgrade only; the browser may keep them for the session.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@page
def indicators(request: HttpRequest) -> HttpResponse:
    require(request.user, VIEW_STATS)
    return render(request, "web/stats_indicators.html", {"sections": by_section()})


def public(request: HttpRequest, code: str) -> HttpResponse:
    """Open to anyone: a county, township or village, small counts hidden, no links inward."""
    area = Area.objects.filter(code=code, level__in=PUBLIC_LEVELS).first()
    if area is None:
        raise Http404
    threshold = queries.small_cell(area)
    year, years = _choose_year(request, area)
    context: dict[str, Any] = {
        "area": area,
        "year": year,
        "years": years,
        "threshold": threshold,
        "mark": f"<{threshold}",
    }
    if year is not None:
        snap = queries.snapshot(area, year)
        shown = queries.for_public(snap.values if snap else {}, threshold)
        children = []
        if area.level < Level.VILLAGE:
            # Listed by code, never ranked: an order would hint at the hidden values.
            for row in queries.children(area, year):
                cell = queries.small_cell(row.area)
                child = queries.for_public(row.values, cell)
                children.append(
                    {
                        "code": row.area.code,
                        "name": row.area.name,
                        "url": reverse("stats_public", args=[row.area.code]),
                        "cells": [_public_text(k, child, row.values, cell) for k in PUBLIC_CHILD_KEYS],
                    }
                )
        data = {
            "code": area.code,
            "level": area.level,
            "year": year,
            "cards": [
                {**_figure(k, shown), "text": _public_text(k, shown, snap.values if snap else {}, threshold)}
                for k in PUBLIC_CARD_KEYS
                if snap and k in snap.values
            ],
            "trend": _trend(area, TREND_KEYS, public_threshold=threshold),
            "hidden": sorted(
                k for k, v in shown.items() if v is None and snap and snap.values.get(k) is not None
            ),
        }
        context.update(
            snapshot=snap,
            data=data,
            children=children,
            child_columns=[INDICATORS[k] for k in PUBLIC_CHILD_KEYS],
        )
    return render(request, "web/stats_public.html", context)


def _public_text(key: str, shown: dict[str, Any], raw: dict[str, Any], threshold: int | None = None) -> str:
    """A hidden count reads "<N" (N the threshold), a hidden rate "—"."""
    indicator = INDICATORS[key]
    if shown.get(key) is None and raw.get(key) is not None and indicator.kind == "count":
        return f"<{threshold}" if threshold is not None else "—"
    return _fmt(shown.get(key), indicator.places)


urlpatterns = [
    path("", overview, name="stats_home"),
    path("indicators/", indicators, name="stats_indicators"),
    path("<str:code>/", overview, name="stats_area"),
    path("<str:code>/map.json", county_map, name="stats_map"),
]

# Included by the project under "open/": pages anyone may read, without logging in.
public_urlpatterns = [
    path("stats/<str:code>/", public, name="stats_public"),
]
