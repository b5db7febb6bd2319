"""Writing .xlsx files with XlsxWriter: row by row, typed cells, nothing kept that is written.

XlsxWriter rather than openpyxl: it only writes, which is all we do, it writes a large roster
with constant memory, and it is about 2.5 times as fast here (bench/import_households.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet


@dataclass(frozen=True)
class Figure:
    """A rate or an amount as the page shows it: the cell holds the value rounded to ``places``
    (half up, as the pages round) and a number format showing exactly those places, so a
    spreadsheet never shows 0.9584664536741214 nor hides digits that are really there.
    ``percent``: the value is a fraction (0.9585), formatted ``0.00%``."""

    value: int | float | Decimal | None
    places: int = 2
    percent: bool = False

    @property
    def pattern(self) -> str:
        decimals = "." + "0" * self.places if self.places else ""
        return f"0{decimals}%" if self.percent else f"#,##0{decimals}"

    def rounded(self) -> float:
        assert self.value is not None
        step = Decimal(1).scaleb(-(self.places + (2 if self.percent else 0)))
        return float(Decimal(str(self.value)).quantize(step, rounding=ROUND_HALF_UP))


def as_typed(value: float) -> Figure:
    """A number read from someone's file, as they typed it: every decimal kept (up to the 15
    significant digits a spreadsheet holds) with a format that shows them all, for an error
    sheet must neither round what it reports nor show it in General's float tail."""
    digits = Decimal(repr(float(value))).normalize().as_tuple()
    exponent = digits.exponent if isinstance(digits.exponent, int) else 0
    decimals = max(0, -exponent)
    whole = max(1, len(digits.digits) + exponent)
    return Figure(value, min(decimals, max(0, 15 - whole)))


def _figure_format(sheet: Worksheet, pattern: str) -> Any:
    # One format per pattern and sheet, made through the sheet's own workbook.
    cache: dict[str, Any] = sheet.__dict__.setdefault("_fupin_formats", {})
    if pattern not in cache:
        cache[pattern] = sheet.workbook_add_format({"num_format": pattern})
    return cache[pattern]


def open_book(path: Path | IO[bytes], *, row_by_row: bool = True) -> Workbook:
    """A workbook to fill. ``row_by_row`` (a large roster, written to a file) keeps constant
    memory, but then each sheet must be written strictly row after row: a cell written above the
    current row is lost. Small books written in any order pass ``row_by_row=False``; a buffer
    (a page's download) is always built in memory."""
    if isinstance(path, (str, Path)):
        return Workbook(str(path), {"constant_memory": row_by_row})
    return Workbook(path, {"in_memory": True})


def write_cells(sheet: Worksheet, row: int, values: list[Any], skip: frozenset[int] = frozenset()) -> None:
    """Only the cells that hold something, each with its type: empty cells cost nothing, and
    strings are never guessed into numbers or formulas."""
    for col, value in enumerate(values):
        if value is None or value == "" or col in skip:
            continue
        if isinstance(value, Figure):
            if value.value is not None:
                sheet.write_number(row, col, value.rounded(), _figure_format(sheet, value.pattern))
        elif isinstance(value, str):
            sheet.write_string(row, col, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, value)
        elif isinstance(value, (dt.date, dt.time)):
            # What a rejected row held, shown as read; the template asks for dates as text.
            sheet.write_string(row, col, value.isoformat())
        else:
            sheet.write_string(row, col, str(value))
