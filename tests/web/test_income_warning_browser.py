"""Journey 1.3 in a real browser on a phone: the warning appears while the income is typed and
the per-capita figure falls under the year's line, follows a change of year, and goes away
once the figure is above it; after saving, the household page offers the cadre check.

Uses Debian's chromium (installed by .ci/run); skipped, saying why, where it is absent.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fupin.core.personas import VILLAGE
from tests.browser import needs_chromium, wait_until
from tests.conftest import PASSWORD, make_household

pytestmark = needs_chromium

WARNING = "document.querySelector('[data-income-warning]')"
SHOWN = f"!{WARNING}.hidden && {WARNING}.textContent.length > 0"


@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_the_income_warning_follows_what_is_typed(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    household = make_household(VILLAGE, members=2, head_name="龙金花")
    year = timezone.localdate().year - 1
    page, base, outside = phone
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "village_clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/**")

    page.goto(f"{base}/households/{household.pk}/income/?year={year}")
    assert page.is_hidden("[data-income-warning]")
    page.fill("input[name=wage]", "9000")  # 4,500 a head, under the 6,000 floor
    wait_until(page, SHOWN)
    assert page.text_content("[data-net]") == "4500.00"
    assert f"{year}年监测范围 6,000.00 元" in page.text_content("[data-income-warning]")
    page.fill("input[name=wage]", "12000")  # exactly on the line: not under it
    wait_until(page, f"{WARNING}.hidden")
    # 2019 had no monitoring threshold: its poverty line (3,218) applies, and 6,000 a head is over it
    page.fill("input[name=year]", "2019")
    wait_until(page, f"{WARNING}.hidden")
    page.fill("input[name=wage]", "6000")  # 3,000 a head
    wait_until(page, SHOWN)
    assert "2019年扶贫标准" in page.text_content("[data-income-warning]")

    page.fill("input[name=year]", str(year))
    page.fill("input[name=wage]", "9000")
    wait_until(page, SHOWN)
    with page.expect_navigation():
        page.click("form[data-income] button[type=submit]")
    assert page.url == f"{base}/households/{household.pk}/"
    assert "4,500.00" in page.text_content(f"[data-income-warning='{year}']")
    with page.expect_navigation():
        page.click(f"a[href='/alerts/new/?household={household.pk}&income_year={year}']")
    assert "4,500.00" in page.input_value("textarea[name=summary]")
    assert outside == []
