"""Reads of the indicator snapshots, always inside the user's area. Pages and exports use these
and nothing else: they never count households themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from fupin.accounts.permissions import VIEW_STATS
from fupin.areas.models import Area, Level
from fupin.areas.queries import access_area_by_code, within
from fupin.cases.area_settings import setting_for
from fupin.core.access import require
from fupin.core.models import StaleMark
from fupin.registry.choices import HouseholdStatus
from fupin.stats.catalogue import INDICATORS
from fupin.stats.models import Snapshot

# How a hidden small count is shown in a public view.
HIDDEN = None


def may_view(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(VIEW_STATS))


def access_area(user: Any, code: str | None = None) -> Area:
    """The area to show: ``code`` if it lies inside the user's area, else NotFound (the same
    answer as for a code that does not exist); without a code, the user's own area."""
    require(user, VIEW_STATS)
    if not code:
        return user.area
    return access_area_by_code(user, code)


def years(area: Area) -> list[int]:
    return list(Snapshot.objects.filter(area=area).order_by("year").values_list("year", flat=True))


def snapshot(area: Area, year: int | None = None) -> Snapshot | None:
    """The area's row for ``year``; without a year, its latest."""
    rows = Snapshot.objects.filter(area=area)
    if year is not None:
        return rows.filter(year=year).first()
    return rows.order_by("-year").first()


@dataclass
class FileCounts:
    """The household file of an area and of each of its sub-areas, as the last refresh of the
    current year counted it (the home page's tiles and table)."""

    counts: dict[str, int]
    children: list[dict[str, Any]]
    as_of: Any


def _file_figures(parts: dict[str, Any]) -> dict[str, int]:
    """Households, people and households by status from a row's parts (0 where absent)."""
    keys = {"households": "file_households", "people": "file_people"}
    keys.update({s: f"file_{s}" for s in HouseholdStatus.values})
    return {name: int(parts.get(key) or 0) for name, key in keys.items()}


def file_counts(area: Area, year: int) -> FileCounts | None:
    """The counts of ``area`` (the caller may read all of it) and its sub-areas from the
    snapshots of ``year``, in two reads whatever the number of households; None when the area
    has no such row yet (never refreshed this year, or before these figures were kept), so the
    caller counts live instead."""
    row = Snapshot.objects.filter(area=area, year=year).values_list("parts", "refreshed_at").first()
    if row is None or "file_households" not in row[0]:
        return None
    parts, as_of = row
    below = dict(Snapshot.objects.filter(parent_code=area.code, year=year).values_list("area_id", "parts"))
    children = []
    for child in Area.objects.filter(parent=area).order_by("code"):
        # A sub-area without a row has no household on file: a refresh writes every area.
        figures = _file_figures(below.get(child.code) or {})
        children.append(
            {
                "area": child,
                "total": figures["households"],
                "poor": figures[HouseholdStatus.POOR],
                "exited": figures[HouseholdStatus.EXITED],
                "monitored": figures[HouseholdStatus.MONITORED],
            }
        )
    return FileCounts(_file_figures(parts), children, as_of)


def refresh_times(area: Area) -> dict[int, Any]:
    """Each year's refresh time of the area's rows, in one small read."""
    return dict(Snapshot.objects.filter(area=area).values_list("year", "refreshed_at"))


def stamp(area: Area) -> str:
    """When any of the area's rows last changed: a refresh anywhere below rewrites them too."""
    latest = Snapshot.objects.filter(area=area).aggregate(at=Max("refreshed_at"))["at"]
    return latest.isoformat() if latest else ""


def series(area: Area, keys: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """One dict per year, oldest first: {"year": 2019, key: value, ...}."""
    out = []
    for year, values in Snapshot.objects.filter(area=area).order_by("year").values_list("year", "values"):
        out.append({"year": year, **{k: values.get(k) for k in keys}})
    return out


@dataclass(frozen=True)
class AreaValues:
    area: Area
    values: dict[str, Any]


def _rows(rows: QuerySet[Snapshot]) -> list[AreaValues]:
    # Without the parts: a page needs the values only, and a province's counties carry both.
    rows = rows.select_related("area").defer("parts", "carried_keys").order_by("area_id")
    return [AreaValues(s.area, s.values) for s in rows]


def children(area: Area, year: int) -> list[AreaValues]:
    """The sub-areas one level down, for a ranking or a drill-down table."""
    return _rows(Snapshot.objects.filter(parent_code=area.code, year=year))


def counties(area: Area, year: int) -> list[AreaValues]:
    """The counties inside a prefecture or province (or the county itself), for the map."""
    return _rows(Snapshot.objects.filter(within(area, "area_id"), level=Level.COUNTY, year=year))


def pending_changes(area: Area) -> int:
    """Changes inside the area still waiting for the incremental refresh."""
    return StaleMark.objects.filter(within(area, "area_code")).count()


def small_cell(area: Area) -> int:
    return int(setting_for(area.code, "stats_small_cell"))


def for_public(values: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The values a public view may show: a count from 1 to below ``threshold`` is hidden, and
    so is every rate that rests on a hidden count. Zero is shown: it identifies nobody."""
    hidden: set[str] = set()
    for key, indicator in INDICATORS.items():
        value = values.get(key)
        if indicator.kind == "count" and isinstance(value, int | float) and 0 < value < threshold:
            hidden.add(key)
    for key, indicator in INDICATORS.items():
        if indicator.kind == "ratio" and (indicator.base in hidden or not values.get(indicator.base)):
            hidden.add(key)
    return {key: (HIDDEN if key in hidden else value) for key, value in values.items()}
