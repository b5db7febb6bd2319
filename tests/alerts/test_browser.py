"""In a real browser on a phone-sized screen: a villager sends a self-report without logging
in, and the county's dashboard draws its charts — loading nothing from outside either way.

Uses Debian's chromium; skipped, saying why, where it or playwright is absent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from fupin.alerts.models import Alert, SelfReport
from fupin.core.personas import VILLAGE
from tests.alerts.helpers import age_alert, screened
from tests.browser import needs_chromium
from tests.conftest import PASSWORD, make_household, new_id_number, wrong_check_digit

pytestmark = needs_chromium


@pytest.mark.restores_seeded_rows
def test_a_villager_reports_hardship_from_a_phone(transactional_db: Any, phone: Any) -> None:
    page, base, outside = phone
    page.goto(f"{base}/report/")
    page.fill("input[name=q]", "十八洞")
    page.click("button[type=submit]")
    page.click(f"a[href='/report/?village={VILLAGE}']")
    page.fill("input[name=name]", "龙秀英")
    page.fill("input[name=id_number]", wrong_check_digit(new_id_number()))
    page.fill("input[name=phone]", "139 1234 5678")
    page.fill("textarea[name=what_happened]", "丈夫住院，治病花了三万多")
    _answer_the_sum(page)
    page.click("form[method=post] button[type=submit]")
    assert page.locator("small.error").count() == 1 and not SelfReport.objects.exists()
    page.fill("input[name=id_number]", new_id_number(dt.date(1975, 3, 8), female=True))
    _answer_the_sum(page)  # each showing of the form asks a new one
    page.click("form[method=post] button[type=submit]")
    page.wait_for_selector(".reference")
    assert SelfReport.objects.count() == 1 and Alert.objects.get().area_code == VILLAGE
    assert page.inner_text(".reference").strip() in page.content()
    # fits the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert outside == []


def _answer_the_sum(page: Any) -> None:
    a, b = re.search(r"(\d+) \+ (\d+)", page.inner_text("form[method=post]")).groups()
    page.fill("input[name=answer]", str(int(a) + int(b)))


@pytest.mark.restores_seeded_rows
def test_the_county_dashboard_draws_its_charts(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    screened(make_household(VILLAGE))
    age_alert(screened(make_household(VILLAGE), rule="dibao_edge"), 5)
    make_household(VILLAGE, status="monitored")
    page, base, outside = phone
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "county_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/monitoring/")
    for chart in ("#chart-rule", "#chart-category", "#chart-place"):
        page.wait_for_selector(f"{chart} svg")
    assert "medical_cost" in page.inner_text("#chart-rule")
    assert outside == []
