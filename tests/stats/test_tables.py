"""The standard tables and their workbook, read back cell by cell, and who may download them.

The snapshots are written by hand with ``refresh.store``: the tables must show exactly what the
rows hold (never a count of their own), in the right row and column.
"""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from fupin.areas.models import Area
from fupin.core.personas import ALL_USERNAMES
from fupin.stats import tables
from fupin.stats.catalogue import INDICATORS, SECTIONS
from fupin.stats.refresh import store

COUNTY = "433124000000"  # 花垣县
OTHER_COUNTY = "433122000000"  # 泸溪县
PREFECTURE = "433100000000"  # 湘西州
TOWNSHIP = "433124110000"  # 双龙镇
VILLAGE = "433124110226"  # 十八洞村
MISSING = "433124999999"

COUNTY_2024: dict[str, Any] = {
    "covered_households": 9100,
    "covered_people": 33000,
    "poor_households": 1234,
    "poor_people": 4321,
    "population": 250000,
    "incidence": 1.7284,
    "exited_households": 56,
    "exited_people": 210,
    "monitored_households": 789,
    "monitored_people": 2900,
    "monitored_per_thousand": 86.7033,
    "monitored_unstable": 300,
    "monitored_edge": 400,
    "monitored_sudden": 89,
    "income_households": 8000,
    "income_mean": 12345.67,
    "income_median": 11000.5,
    "fgt0": 0.0123,
    "fgt1": 0.0045,
    "fgt2": 0.0021,
    "watts": 0.0056,
    "gini": 0.3456,
    "mpi_h": 0.0512,
    "mpi_a": 0.4123,
    "mpi_m0": 0.0211,
    "checked_households": 8800,
    "short_water": 17,
    "short_housing": 3,
    "cause_illness": 400,
    "cause_disability": 120,
    "alerts_open": None,
}
TREND = {
    2019: {"poor_households": 5000, "poor_people": 18000, "population": 250000, "incidence": 7.2},
    2020: {"poor_households": 3100, "poor_people": 11000, "population": 250000, "incidence": 4.4},
    2024: COUNTY_2024,
}


def township_values(n: int) -> dict[str, Any]:
    return {
        "poor_households": 100 + n,
        "poor_people": 400 + n,
        "incidence": 1.5 + n / 10,
        "income_mean": 9000.25 + n,
        "short_water": n,
        "monitored_unstable": 10 * n,
    }


def put_snapshots() -> list[Area]:
    """The county's rows for three years (written out of order), three townships' for 2024, and
    one row for each other area the permission tests open."""
    county = Area.objects.get(code=COUNTY)
    for year in (2024, 2019, 2020):
        store(county, year, TREND[year])
    townships = list(Area.objects.filter(parent_id=COUNTY).order_by("code")[:3])
    for n, township in enumerate(townships, start=1):
        store(township, 2024, township_values(n))
    for code in (OTHER_COUNTY, PREFECTURE, TOWNSHIP, VILLAGE):
        area = Area.objects.get(code=code)
        store(area, 2024, {"poor_households": 7, **(township_values(9) if code == TOWNSHIP else {})})
    return townships


@pytest.fixture
def townships(db: Any) -> list[Area]:
    return put_snapshots()


def sheets(body: bytes) -> list[list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return [book.get_sheet_by_index(i).to_python() for i in range(len(book.sheet_names))]


def column(section: str, key: str) -> int:
    keys = [i.key for i in INDICATORS.values() if i.section == section]
    return 2 + keys.index(key)  # after the area's name and code


def shown(key: str, value: Any) -> Any:
    """A stored figure as the workbook writes it: to the indicator's places, half up."""
    if not isinstance(value, float):
        return value
    step = Decimal(1).scaleb(-INDICATORS[key].places)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def test_the_section_sheets_hold_the_stored_numbers(townships: list[Area]) -> None:
    county = Area.objects.get(code=COUNTY)
    book = sheets(tables.workbook(county, 2024))
    assert len(book) == len(SECTIONS) + 2  # the sections, the trend, the indicators
    registry = book[list(SECTIONS).index("registry")]
    assert "花垣县" in registry[0][0] and "2024" in registry[0][0]  # the title row
    total = registry[2]
    assert total[1] == COUNTY
    for key in ("poor_households", "poor_people", "population", "incidence", "exited_households"):
        assert total[column("registry", key)] == shown(key, COUNTY_2024[key]), key
    # Each township on its own row, in code order, with its own values.
    for n, (township, row) in enumerate(zip(townships, registry[3:6], strict=True), start=1):
        assert row[0] == township.name and row[1] == township.code
        assert row[column("registry", "poor_households")] == 100 + n
        assert row[column("registry", "incidence")] == pytest.approx(1.5 + n / 10, abs=1e-12)
        assert row[column("registry", "exited_households")] == ""  # nothing stored: empty, not 0
    # 双龙镇, after them by code, has a row of its own too.
    assert registry[6][1] == TOWNSHIP and registry[6][column("registry", "poor_households")] == 109
    assert len(registry) == 7
    income = book[list(SECTIONS).index("income")]
    assert income[2][column("income", "income_mean")] == 12346.0  # to the indicator's places, like the page
    assert income[4][column("income", "income_mean")] == 9002.0
    conditions = book[list(SECTIONS).index("conditions")]
    assert conditions[2][column("conditions", "short_water")] == 17
    assert [r[column("conditions", "short_water")] for r in conditions[3:6]] == [1, 2, 3]
    measures = book[list(SECTIONS).index("measures")]
    assert measures[2][column("measures", "gini")] == 0.3456
    monitoring = book[list(SECTIONS).index("monitoring")]
    assert monitoring[2][column("monitoring", "monitored_edge")] == 400
    assert monitoring[2][column("monitoring", "alerts_open")] == ""  # stored as null


def test_the_trend_sheet_has_one_row_a_year_oldest_first(townships: list[Area]) -> None:
    county = Area.objects.get(code=COUNTY)
    trend = sheets(tables.workbook(county, 2024))[len(SECTIONS)]
    rows = trend[2:]
    assert [r[0] for r in rows] == ["2019", "2020", "2024"]
    keys = list(tables.TREND_TABLE_KEYS)
    for row, year in zip(rows, (2019, 2020, 2024), strict=True):
        for key in ("poor_households", "poor_people", "incidence"):
            assert row[1 + keys.index(key)] == shown(key, TREND[year][key])
    assert rows[2][1 + keys.index("income_mean")] == 12346.0
    assert rows[0][1 + keys.index("income_mean")] == ""


def test_the_indicators_sheet_explains_every_indicator(townships: list[Area]) -> None:
    county = Area.objects.get(code=COUNTY)
    explained = sheets(tables.workbook(county, 2024))[-1]
    rows = explained[2:]
    assert [r[5] for r in rows] == list(INDICATORS)
    incidence = rows[list(INDICATORS).index("incidence")]
    assert incidence[4] == INDICATORS["incidence"].formula
    assert incidence[3]  # a definition


def test_numbers_are_numbers_with_the_indicators_places(townships: list[Area]) -> None:
    county = Area.objects.get(code=COUNTY)
    book = openpyxl.load_workbook(io.BytesIO(tables.workbook(county, 2024)))
    registry = book.worksheets[list(SECTIONS).index("registry")]
    poor = registry.cell(row=3, column=1 + column("registry", "poor_households"))
    incidence = registry.cell(row=3, column=1 + column("registry", "incidence"))
    assert poor.data_type == "n" and poor.value == 1234 and poor.number_format == "#,##0"
    assert incidence.data_type == "n" and incidence.number_format == "#,##0.00"
    measures = book.worksheets[list(SECTIONS).index("measures")]
    gini = measures.cell(row=3, column=1 + column("measures", "gini"))
    assert gini.number_format == "#,##0.0000"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sheet_names_are_ones_excel_accepts(townships: list[Area], language: str) -> None:
    county = Area.objects.get(code=COUNTY)
    with translation.override(language):
        names = CalamineWorkbook.from_filelike(io.BytesIO(tables.workbook(county, 2024))).sheet_names
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\"), name


def test_sheet_name_cleans_and_deduplicates() -> None:
    taken: set[str] = set()
    first = tables.sheet_name("a/b: " + "x" * 40, taken)
    second = tables.sheet_name("a/b: " + "x" * 40, taken)
    assert len(first) == 31 and len(second) == 31 and first != second
    assert not set(first + second) & set("[]:*?/\\")


def test_number_text_follows_the_places() -> None:
    assert tables.number_text(12345.678, 0) == "12,346"
    assert tables.number_text(1.7284, 2) == "1.73"
    assert tables.number_text(None, 2) == "—"


# --- the download ------------------------------------------------------------------------------

LEADERS = ["prefecture_supervisor", "province_supervisor"]
# Each user's codes inside their area, among those the test opens.
INSIDE: dict[str, set[str]] = {
    "county_admin": {COUNTY, TOWNSHIP, VILLAGE},
    "org_dept": {COUNTY, TOWNSHIP, VILLAGE},
    "supervisor": {COUNTY, TOWNSHIP, VILLAGE},
    "township_officer": {TOWNSHIP, VILLAGE},
    "village_clerk": {VILLAGE},
    "first_secretary": {VILLAGE},
    "outsider": {OTHER_COUNTY},
    "neighbour_clerk": set(),
    "prefecture_supervisor": {COUNTY, TOWNSHIP, VILLAGE, OTHER_COUNTY, PREFECTURE},
    "province_supervisor": {COUNTY, TOWNSHIP, VILLAGE, OTHER_COUNTY, PREFECTURE},
}
NO_STATS = {"cadre", "dept_provider"}
CODES = [COUNTY, TOWNSHIP, VILLAGE, OTHER_COUNTY, PREFECTURE]


def expected(username: str, code: str) -> int:
    if username in NO_STATS:
        return 403
    return 200 if code in INSIDE[username] else 404


def unmasked(page: bytes, code: str) -> bytes:
    """The page without what differs by request alone: the masked CSRF token and the address."""
    page = re.sub(rb'("X-CSRFToken": |name="csrfmiddlewaretoken" value=)"[^"]*"', b"", page)
    return page.replace(code.encode(), b"CODE")


@pytest.mark.parametrize("username", [*ALL_USERNAMES, *LEADERS])
@pytest.mark.parametrize("view", ["stats_export", "stats_trend_export"])
def test_who_may_download_the_workbook(
    client_for: Any, townships: list[Area], username: str, view: str
) -> None:
    client = client_for(username)
    for code in CODES:
        response = client.get(reverse(view, args=[code]))
        assert response.status_code == expected(username, code), (code, response.status_code)
    missing = client.get(reverse(view, args=[MISSING]))
    assert missing.status_code == (403 if username in NO_STATS else 404)
    if username not in NO_STATS and not INSIDE[username] >= set(CODES):
        outside = next(c for c in CODES if c not in INSIDE[username])
        # Nothing tells an area outside from one that does not exist.
        answer = client.get(reverse(view, args=[outside])).content
        assert unmasked(answer, outside) == unmasked(missing.content, MISSING)


def test_the_download_is_named_after_the_area_and_year(client_for: Any, townships: list[Area]) -> None:
    response = client_for("county_admin").get(reverse("stats_export", args=[COUNTY]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition and quote("花垣县") in disposition and "2024" in disposition
    total = sheets(response.content)[0][2]
    assert total[column("registry", "poor_households")] == 1234  # the latest year by default


def test_a_chosen_year(client_for: Any, townships: list[Area]) -> None:
    response = client_for("county_admin").get(reverse("stats_export", args=[COUNTY]), {"year": 2019})
    assert response.status_code == 200 and "2019" in response["Content-Disposition"]
    total = sheets(response.content)[0][2]
    assert total[column("registry", "poor_households")] == 5000
    assert len(sheets(response.content)[0]) == 3  # no township has a 2019 row


@pytest.mark.parametrize("year", ["2021", "2030", "1999", "abc"])
def test_a_year_without_statistics_is_a_page_that_says_so(
    client_for: Any, townships: list[Area], year: str
) -> None:
    response = client_for("county_admin").get(reverse("stats_export", args=[COUNTY]), {"year": year})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    if year == "2021":  # inside the years on file, but missing: the message names the area
        assert "花垣县" in response.content.decode()
    else:
        assert "2019" in response.content.decode() and "2024" in response.content.decode()


def test_an_area_without_any_snapshot(client_for: Any, townships: list[Area]) -> None:
    bare = Area.objects.filter(parent_id=COUNTY).order_by("-code").first()
    assert bare is not None and bare not in townships
    for view in ("stats_export", "stats_trend_export", "stats_summary_pdf"):
        response = client_for("county_admin").get(reverse(view, args=[bare.code]))
        assert response.status_code == 400, view
        assert bare.name in response.content.decode()


def test_anonymous_is_sent_to_log_in(client: Any, townships: list[Area]) -> None:
    response = client.get(reverse("stats_export", args=[COUNTY]))
    assert response.status_code == 302 and "login" in response["Location"]
