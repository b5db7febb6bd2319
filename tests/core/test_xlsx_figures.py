"""Every Excel export writes rates and amounts as the page shows them (issue 13, item 19): each
number cell holds no more decimals than its number format shows, and a non-integer has a
format. Read back with openpyxl, which exposes each cell's number format."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from xlsxwriter import Workbook

from fupin.areas.models import Area
from fupin.core.personas import COUNTY, VILLAGE
from fupin.core.xlsx import Figure, write_cells
from fupin.stats.refresh import refresh_area
from tests.assessment.helpers import YEAR, poor_village, population, sampling


def shown_places(number_format: str) -> int | None:
    """Decimals a format shows (percent formats scale by 100); None for General."""
    if number_format in ("General", ""):
        return None
    decimals = re.search(r"\.(0+)", number_format)
    places = len(decimals.group(1)) if decimals else 0
    return places + 2 if "%" in number_format else places


def decimals_in(value: float) -> int:
    text = format(Decimal(repr(value)).normalize(), "f")
    return len(text.split(".")[1]) if "." in text else 0


def check_book(body: bytes) -> int:
    """Asserts the rule on every number cell; returns how many non-integer cells were seen."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    fractional = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, bool) or not isinstance(cell.value, int | float):
                    continue
                places = shown_places(cell.number_format)
                digits = decimals_in(float(cell.value))
                if digits:
                    fractional += 1
                    where = f"{sheet.title}!{cell.coordinate}={cell.value!r} ({cell.number_format})"
                    assert places is not None, f"no number format: {where}"
                    assert digits <= places, f"more digits than shown: {where}"
    return fractional


def test_a_figure_is_rounded_half_up_and_formatted() -> None:
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("s")
    write_cells(
        sheet, 0, [Figure(0.9584664536741214, 2, percent=True), Figure(Decimal("1234.565")), Figure(None)]
    )
    book.close()
    cells = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["s"]
    assert (cells["A1"].value, cells["A1"].number_format) == (0.9585, "0.00%")
    assert (cells["B1"].value, cells["B1"].number_format) == (1234.57, "#,##0.00")
    assert cells["C1"].value is None


def test_the_assessment_export_writes_rates_with_their_format(client_for: Any) -> None:
    poor_village()
    population(COUNTY, 2817)  # 7 / 2817 = 0.2484913...%
    sampling(wrongly_exited=7)
    body = client_for("county_admin").get(f"/assessment/county/{COUNTY}/export/?year={YEAR}").content
    assert check_book(body) >= 3
    sheet = openpyxl.load_workbook(io.BytesIO(body))["评估结果"]
    rates = [c for row in sheet.iter_rows() for c in row if c.number_format == "0.00%"]
    assert rates and all(decimals_in(c.value) <= 4 for c in rates)


@pytest.mark.parametrize(
    "url",
    [
        "/duty/ranking/export/",
        "/pairing/coverage/export/",
        "/assistance/visits/export/",
        f"/stats/{COUNTY}/export.xlsx",
        f"/stats/{COUNTY}/trend.xlsx",
    ],
)
def test_every_other_export_keeps_to_its_format(url: str, client_for: Any) -> None:
    poor_village()
    poor_village(VILLAGE)
    population(COUNTY, 2817)
    refresh_area(Area.objects.get(code=COUNTY))
    response = client_for("county_admin").get(url)
    assert response.status_code == 200, url
    check_book(response.content)
