"""Writing snapshots: the full refresh (``fupin stats refresh``) and the incremental one after
changes (the ``StaleMark`` rows the actions leave).

A refresh computes every area inside one area (or everything) from the households, year by
year, and replaces those rows in one transaction per year, so a page sees the old year or the
new one, never half. The areas above it are then re-derived from their children's parts;
their median and Gini cannot be, so they are carried over and named in ``carried_keys``
until the next full refresh of an area containing them.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fupin.areas.models import Area, Level, full_code
from fupin.assessment.models import AreaPopulation, DenominatorKind
from fupin.assessment.queries import thresholds_for
from fupin.core import stale
from fupin.core.models import StaleMark
from fupin.stats.engine import NOT_ADDITIVE, Rollup, Scope, compute_year, derive, sum_parts
from fupin.stats.models import Snapshot
from fupin.stats.sources import Households, within, years_with_data

Progress = Callable[[int, int, str], None]
BATCH = 2000


def store(area: Area, year: int, values: dict[str, Any], parts: dict[str, Any] | None = None) -> Snapshot:
    """Insert or replace one (area, year) row (also how tests put hand-made rows)."""
    now = timezone.now()
    row, _ = Snapshot.objects.update_or_create(
        area=area,
        year=year,
        defaults={
            "parent_code": area.parent_id or "",
            "level": area.level,
            "values": values,
            "parts": parts or {},
            "carried_keys": [],
            "refreshed_at": now,
            "full_at": now,
        },
    )
    return row


def refresh_area(
    area: Area | None,
    years: list[int] | None = None,
    *,
    today: dt.date | None = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Recompute every area inside ``area`` (everything when None) for ``years`` (default: from
    the first year with data to this one), then re-derive the areas above it."""
    started = time.perf_counter()
    marks_before = timezone.now()
    today = today or timezone.localdate()
    prefix = area.prefix if area is not None else ""
    full = years is None
    if years is None:
        years = years_with_data(prefix, today.year)
    scope = Scope.load(prefix)
    households = Households(prefix)
    rollup = Rollup(scope, households.area_codes)
    written = 0
    for n, year in enumerate(years, start=1):
        rows = compute_year(scope, households, rollup, year, today=today)
        now = timezone.now()
        with transaction.atomic():
            Snapshot.objects.filter(within(prefix, "area_id"), year=year).delete()
            _insert(
                (code, parent, int(level), year, values, parts, now)
                for code, parent, level, (values, parts) in zip(
                    scope.codes, scope.parents, scope.levels, rows, strict=True
                )
            )
            if area is not None:
                _roll_up_above(area, year, today=today)
        written += len(rows)
        if on_progress:
            on_progress(n, len(years), str(year))
    if full:
        # Everything inside was just counted: earlier marks there are done with.
        StaleMark.objects.filter(within(prefix, "area_code"), marked_at__lte=marks_before).delete()
    return {
        "area": area.code if area is not None else "",
        "years": years,
        "households": households.n,
        "rows": written,
        "seconds": round(time.perf_counter() - started, 3),
    }


Row = tuple[str, str, int, int, dict[str, Any], dict[str, Any], dt.datetime]
COLUMNS = (
    "area_id",
    "parent_code",
    "level",
    "year",
    "values",
    "parts",
    "carried_keys",
    "refreshed_at",
    "full_at",
)


def _insert(rows: Iterable[Row]) -> None:
    """Write new snapshot rows. On PostgreSQL with COPY: binding tens of thousands of JSON
    documents as query parameters spent most of a province's refresh quoting them."""
    if connection.vendor != "postgresql":
        Snapshot.objects.bulk_create(
            [
                Snapshot(
                    area_id=code,
                    parent_code=parent,
                    level=level,
                    year=year,
                    values=values,
                    parts=parts,
                    carried_keys=[],
                    refreshed_at=now,
                    full_at=now,
                )
                for code, parent, level, year, values, parts, now in rows
            ],
            batch_size=BATCH,
        )
        return
    table = Snapshot._meta.db_table
    statement = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
    connection.ensure_connection()
    with connection.connection.cursor() as raw, raw.copy(statement) as copy:
        for code, parent, level, year, values, parts, now in rows:
            copy.write_row((code, parent, level, year, json.dumps(values), json.dumps(parts), "[]", now, now))


def refresh_all(prefix: str = "", *, on_progress: Progress | None = None) -> dict[str, Any]:
    """The full refresh of everything inside ``prefix`` (a short or full area code; '' = all)."""
    area = Area.objects.get(code=full_code(prefix)) if prefix else None
    return refresh_area(area, on_progress=on_progress)


def _own_population(area: Area, year: int) -> float | None:
    row = AreaPopulation.objects.filter(area=area, year=year).first()
    if row is None:
        return None
    kind = thresholds_for(area).denominator_kind
    figure = row.rural_resident if kind == DenominatorKind.RURAL_RESIDENT else row.agricultural_registered
    return float(figure) if figure else None


def _roll_up_above(area: Area, year: int, *, today: dt.date) -> None:
    """Re-derive each ancestor of ``area`` from its children's parts, nearest first."""
    for ancestor in reversed(area.ancestors()):
        children = list(
            Snapshot.objects.filter(parent_code=ancestor.code, year=year).values_list("values", "parts")
        )
        parts = sum_parts(children, _own_population(ancestor, year))
        existing = Snapshot.objects.filter(area=ancestor, year=year).first()
        carried: list[str] = []
        for key in NOT_ADDITIVE:
            parts[key] = existing.parts.get(key) if existing else None
            carried.append(key)
        values = derive(parts, current=year == today.year)
        now = timezone.now()
        Snapshot.objects.update_or_create(
            area=ancestor,
            year=year,
            defaults={
                "parent_code": ancestor.parent_id or "",
                "level": ancestor.level,
                "values": values,
                "parts": parts,
                "carried_keys": carried,
                "refreshed_at": now,
                "full_at": existing.full_at if existing else now,
            },
        )


def _scope_of(code: str) -> str:
    """The area an incremental refresh recomputes for a change at ``code``: its county (the
    median and Gini stay exact up to there), or the area itself above the county."""
    county = full_code(code[:6])
    if code[4:6] != "00" and Area.objects.filter(code=county).exists():
        return county
    level = Area.objects.filter(code=code).values_list("level", flat=True).first()
    return code if level is not None and level < Level.COUNTY else county


def refresh_marked(*, today: dt.date | None = None) -> dict[str, Any]:
    """The incremental refresh: recompute the counties with changes, only in the years changed.

    A mark is removed only if it was not touched again while the refresh ran, so a change made
    meanwhile is counted by the next run."""
    today = today or timezone.localdate()
    marks = list(StaleMark.objects.values_list("id", "area_code", "year", "marked_at"))
    scopes: dict[str, set[int]] = defaultdict(set)
    for _, code, year, _ in marks:
        scopes[_scope_of(code)].add(min(year, today.year))
    done = []
    for code, years in sorted(scopes.items()):
        area = Area.objects.filter(code=code).first()
        if area is None:
            continue
        done.append(refresh_area(area, sorted(years), today=today))
    for mark_id, _, _, marked_at in marks:
        StaleMark.objects.filter(pk=mark_id, marked_at=marked_at).delete()
    return {"marks": len(marks), "areas": done}


stale.refresh_marked = refresh_marked
