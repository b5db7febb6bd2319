"""The standard tables (统计报表) of an area: by sub-area for one year, one table per section of
the catalogue, and by year like seed 003's 表1; and the workbook that carries them.

Everything is read from the snapshots through ``stats.queries``: a table never counts
households. ``Indicator.places`` is the display precision: a workbook cell holds the number
rounded to it (as the page and the PDF show it) with a number format of exactly those places,
so no cell carries digits the format hides (issue 13: 0.9584664536741214).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from fupin.areas.models import Area
from fupin.core.errors import FupinError
from fupin.core.xlsx import Figure, open_book
from fupin.stats import queries
from fupin.stats.catalogue import INDICATORS, SECTIONS, Indicator, by_section
from fupin.stats.errors import StatsError
from fupin.stats.models import Snapshot

# The columns of the table by year, in seed 003's order: the registry first, then income.
TREND_TABLE_KEYS = (
    "poor_households",
    "poor_people",
    "population",
    "incidence",
    "exited_households",
    "exited_people",
    "monitored_households",
    "monitored_people",
    "income_mean",
    "income_median",
)

# Excel refuses these in a sheet name, and a name longer than 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class Row:
    label: str  # the area's name or the year
    code: str  # the area's code, or the year again: what a drill-down link needs
    values: list[Any]  # one per column, None where the snapshot holds nothing
    total: bool = False


@dataclass(frozen=True)
class Table:
    key: str  # the section's key, or "trend"
    title: str
    columns: list[Indicator]
    rows: list[Row]


def number_text(value: Any, places: int) -> str:
    """A value as a reader sees it: grouped digits, the indicator's decimal places, a dash for
    nothing stored (an empty cell would read as zero on paper)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.{places}f}"


def column_heading(indicator: Indicator) -> str:
    unit = str(indicator.unit)
    if not unit:
        return str(indicator.name)
    return gettext("{name} ({unit})").format(name=indicator.name, unit=unit)


def year_snapshot(area: Area, year: int | None) -> Snapshot:
    """The area's row for ``year`` (its latest without one), or a 400 saying that there is none
    yet: an empty table would pass for an area with nothing to report."""
    row = queries.snapshot(area, year)
    if row is None:
        if year is None:
            year = timezone.localdate().year
        raise FupinError(StatsError.NO_SNAPSHOT, area=area.name, year=year)
    return row


def parse_year(area: Area, raw: str | None) -> int | None:
    """``?year=`` as given: None (the latest) when absent, else a year the area has a row for."""
    if raw is None or raw.strip() == "":
        return None
    known = queries.years(area)
    try:
        year = int(raw)
    except ValueError:
        year = None
    if year is None or (known and not known[0] <= year <= known[-1]):
        if not known:
            raise FupinError(StatsError.NO_SNAPSHOT, field="year", area=area.name, year=raw)
        raise FupinError(StatsError.BAD_YEAR, field="year", first=known[0], last=known[-1])
    return year


def _values(values: dict[str, Any], columns: list[Indicator]) -> list[Any]:
    return [values.get(i.key) for i in columns]


def _area_rows(
    area: Area, own: Snapshot, children: list[queries.AreaValues], columns: list[Indicator]
) -> list[Row]:
    rows = [Row(gettext("Total (whole area)"), area.code, _values(own.values, columns), total=True)]
    rows += [Row(c.area.name, c.area.code, _values(c.values, columns)) for c in children]
    return rows


def area_year_tables(area: Area, year: int) -> list[Table]:
    """One table per section of the catalogue: the area (the total row, first) and each sub-area
    one level down that has a snapshot for the year. Two reads, whatever the sections."""
    own = year_snapshot(area, year)
    children = queries.children(area, year)
    return [
        Table(section, str(label), columns, _area_rows(area, own, children, columns))
        for section, label, columns in by_section()
    ]


def area_year_table(area: Area, year: int, section: str) -> Table:
    return next(t for t in area_year_tables(area, year) if t.key == section)


def trend_table(area: Area, keys: tuple[str, ...] = TREND_TABLE_KEYS) -> Table:
    """One row per year with a snapshot, oldest first."""
    columns = [INDICATORS[k] for k in keys]
    rows = [Row(str(r["year"]), str(r["year"]), [r[k] for k in keys]) for r in queries.series(area, keys)]
    return Table("trend", gettext("Trend by year"), columns, rows)


def sub_area_table(area: Area, year: int, keys: tuple[str, ...]) -> Table:
    """A few indicators across sections for the area and its sub-areas (the PDF's table)."""
    columns = [INDICATORS[k] for k in keys]
    rows = _area_rows(area, year_snapshot(area, year), queries.children(area, year), columns)
    return Table("sub_areas", gettext("Sub-areas"), columns, rows)


def sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts, unique in the book."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip().strip("'")[:SHEET_NAME_MAX] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def refreshed_text(row: Snapshot) -> str:
    return timezone.localtime(row.refreshed_at).strftime("%Y-%m-%d %H:%M")


class _Formats:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.header = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE"}
        )
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self._numbers: dict[tuple[int, bool], Format] = {}

    def number(self, places: int, bold: bool = False) -> Format:
        key = (places, bold)
        if key not in self._numbers:
            pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
            self._numbers[key] = self.book.add_format({"num_format": pattern, "bold": bold})
        return self._numbers[key]


def _write_table(
    sheet: Worksheet, fmt: _Formats, table: Table, title: str, first_heading: str, *, with_code: bool
) -> None:
    """Title in row 1, headings in row 2, data below; an area's code beside its name so the rows
    can be matched to other lists of the same areas."""
    sheet.write_string(0, 0, title, fmt.title)
    first = 2 if with_code else 1
    headings = [first_heading, *([gettext("Code")] if with_code else []), *map(column_heading, table.columns)]
    for col, text in enumerate(headings):
        sheet.write_string(1, col, text, fmt.header)
    for r, row in enumerate(table.rows, start=2):
        sheet.write_string(r, 0, row.label, fmt.bold if row.total else None)
        if with_code:
            sheet.write_string(r, 1, row.code)
        for c, (indicator, value) in enumerate(zip(table.columns, row.values, strict=True), start=first):
            if value is None or isinstance(value, bool):
                continue  # nothing stored: an empty cell, never a zero
            if isinstance(value, int | float):
                shown = Figure(value, places=indicator.places).rounded()
                sheet.write_number(r, c, shown, fmt.number(indicator.places, row.total))
            else:
                sheet.write_string(r, c, str(value))
    sheet.set_row(1, 48)
    sheet.set_column(0, 0, 18 if with_code else 8)
    if with_code:
        sheet.set_column(1, 1, 14)
    sheet.set_column(first, first - 1 + len(table.columns), 13)
    sheet.freeze_panes(2, first)


def _title(area: Area, row: Snapshot) -> str:
    return gettext("{area}, {year}: statistics as of {time}").format(
        area=area.name, year=row.year, time=refreshed_text(row)
    )


def _write_indicators(sheet: Worksheet, fmt: _Formats, title: str) -> None:
    sheet.write_string(0, 0, title, fmt.title)
    headings = [
        gettext("Table"),
        gettext("Indicator"),
        gettext("Unit"),
        gettext("Definition"),
        gettext("Formula"),
        gettext("Key"),
    ]
    for col, text in enumerate(headings):
        sheet.write_string(1, col, text, fmt.header)
    for r, indicator in enumerate(INDICATORS.values(), start=2):
        cells = [
            str(SECTIONS[indicator.section]),
            str(indicator.name),
            str(indicator.unit),
            str(indicator.definition),
            indicator.formula,
            indicator.key,
        ]
        for c, text in enumerate(cells):
            if text:
                sheet.write_string(r, c, text, fmt.wrap if c == 3 else None)
    for col, width in enumerate((16, 28, 8, 60, 40, 24)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(2, 0)


def workbook(area: Area, year: int) -> bytes:
    """The area's standard tables for the year: a sheet per section (the area and its
    sub-areas), the trend by year, and what each indicator means. Texts follow the active
    language, which is the reader's."""
    title = _title(area, year_snapshot(area, year))
    out = io.BytesIO()
    book = open_book(out)
    fmt = _Formats(book)
    taken: set[str] = set()
    for table in area_year_tables(area, year):
        _write_table(
            book.add_worksheet(sheet_name(table.title, taken)),
            fmt,
            table,
            title,
            gettext("Area"),
            with_code=True,
        )
    _write_trend_and_indicators(book, fmt, area, title, taken)
    book.close()
    return out.getvalue()


def _write_trend_and_indicators(book: Any, fmt: _Formats, area: Area, title: str, taken: set[str]) -> None:
    """The last two sheets of either workbook: the figures by year, and what each indicator means."""
    trend = trend_table(area)
    _write_table(
        book.add_worksheet(sheet_name(trend.title, taken)),
        fmt,
        trend,
        title,
        gettext("Year"),
        with_code=False,
    )
    _write_indicators(book.add_worksheet(sheet_name(gettext("Indicators"), taken)), fmt, title)


def trend_workbook(area: Area) -> bytes:
    """Only the table by year (the trend lines' figures), with the indicators explained."""
    title = _title(area, year_snapshot(area, None))
    out = io.BytesIO()
    book = open_book(out)
    fmt = _Formats(book)
    taken: set[str] = set()
    _write_trend_and_indicators(book, fmt, area, title, taken)
    book.close()
    return out.getvalue()
