"""The printable summary of an area: the stored figures in the text, real glyphs on the page, and
the same doors as the workbook (200 inside, 403 without statistics, 404 outside or missing)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pypdf
import pytest
from django.urls import reverse

from fupin.areas.models import Area
from fupin.core.personas import ALL_USERNAMES
from fupin.stats.catalogue import INDICATORS
from fupin.stats.tables import number_text
from fupin.web.stats_report_views import render_summary
from tests.reports.test_rendering import needs_pdftoppm, page_one
from tests.stats.test_tables import (
    CODES,
    COUNTY,
    COUNTY_2024,
    LEADERS,
    MISSING,
    NO_STATS,
    TREND,
    expected,
    put_snapshots,
)


@pytest.fixture
def townships(db: Any) -> list[Area]:
    return put_snapshots()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def shown(key: str, value: Any = None) -> str:
    return number_text(COUNTY_2024[key] if value is None else value, INDICATORS[key].places)


def test_the_summary_prints_the_stored_figures(client_for: Any, townships: list[Area]) -> None:
    response = client_for("county_admin").get(reverse("stats_summary_pdf", args=[COUNTY]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;") and quote("花垣县") in disposition and "2024" in disposition
    text = pdf_text(response.content)
    assert "花垣县" in text and "2024" in text
    assert "湘西" in text  # the area's path above it
    for key in (
        "poor_households",  # 1,234
        "poor_people",  # 4,321
        "incidence",  # 1.73
        "exited_households",
        "monitored_households",
        "monitored_edge",
        "income_mean",  # 12,346
        "income_median",
        "fgt0",
        "fgt1",
        "fgt2",
        "watts",
        "gini",
        "mpi_h",
        "mpi_a",
        "mpi_m0",
        "short_water",
        "cause_illness",
    ):
        assert shown(key) in text, (key, shown(key))
    # The trend by year and the townships' own figures.
    for year in (2019, 2020):
        assert str(year) in text and shown("poor_households", TREND[year]["poor_households"]) in text
    for township in townships:
        assert township.name in text
    assert "9,003" in text  # the third township's mean income, 9,003.25 shown whole


def test_a_chosen_year_and_a_year_without_statistics(client_for: Any, townships: list[Area]) -> None:
    client = client_for("province_supervisor")
    response = client.get(reverse("stats_summary_pdf", args=[COUNTY]), {"year": "2019"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "2019" in text and "5,000" in text and "7.20" in text
    assert "1,234" in text  # 2024 still appears, in the table by year
    refused = client.get(reverse("stats_summary_pdf", args=[COUNTY]), {"year": "2030"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("username", [*ALL_USERNAMES, *LEADERS])
def test_who_may_print_the_summary(client_for: Any, townships: list[Area], username: str) -> None:
    client = client_for(username)
    # A PDF takes seconds to lay out: one area inside is printed, every one outside refused (the
    # workbook's test opens every pair; both views find the area the same way).
    inside = [c for c in CODES if expected(username, c) == 200][:1]
    for code in [*inside, *(c for c in CODES if expected(username, c) != 200)]:
        response = client.get(reverse("stats_summary_pdf", args=[code]))
        assert response.status_code == expected(username, code), (code, response.status_code)
        if response.status_code == 200:
            assert Area.objects.get(code=code).name in pdf_text(response.content)
    missing = client.get(reverse("stats_summary_pdf", args=[MISSING]))
    assert missing.status_code == (403 if username in NO_STATS else 404)


def test_every_character_has_a_glyph(townships: list[Area], caplog: pytest.LogCaptureFixture) -> None:
    # WeasyPrint draws a .notdef box (tofu) for a character no font covers and logs it.
    county = Area.objects.get(code=COUNTY)
    row = county.snapshots.get(year=2024)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_summary(county, row)
    assert [r for r in caplog.records if ".notdef" in r.getMessage()] == []


@needs_pdftoppm
def test_the_title_is_drawn_in_ink(townships: list[Area], tmp_path: Path) -> None:
    county = Area.objects.get(code=COUNTY)
    image = page_one(render_summary(county, county.snapshots.get(year=2024)), tmp_path)
    assert abs(image.width - 595) <= 1 and abs(image.height - 842) <= 1  # A4
    # The 18 pt bold title (花垣县 2024 年统计摘要) below the top margin: the card's five bold
    # characters leave more than 600 dark pixels, hollow tofu boxes far fewer per character.
    inked = sum(image.crop((0, 40, 595, 90)).histogram()[:128])
    assert inked > 900, inked
    assert sum(image.crop((0, 0, 595, 35)).histogram()[:128]) == 0  # nothing in the top margin
    # The page is not blank below the title: the figures are drawn.
    assert sum(image.crop((0, 120, 595, 700)).histogram()[:128]) > 5000


def test_no_figure_is_left_as_a_template_tag(client_for: Any, townships: list[Area]) -> None:
    text = pdf_text(client_for("county_admin").get(reverse("stats_summary_pdf", args=[COUNTY])).content)
    assert not re.search(r"\{[{%]", text)
