"""A real browser on a phone-sized screen: log in, see the village, catch a mistyped ID number
while typing, and watch the per-capita income computed before saving.

Uses Debian's chromium (installed by .ci/run); skipped, saying why, where it is absent.
"""

from __future__ import annotations

from typing import Any

import pytest

from fupin.core.personas import VILLAGE
from tests.browser import needs_chromium, wait_until
from tests.conftest import PASSWORD, make_household, new_id_number

pytestmark = needs_chromium


@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_a_village_clerk_works_on_a_phone(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    household = make_household(VILLAGE, members=2, head_name="龙金花")
    page, base, outside = phone
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "village_clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "十八洞村" in page.content()

    page.goto(f"{base}/households/{household.pk}/members/new/")
    good = new_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.fill("input[name=id_number]", bad)
    wait_until(page, "document.querySelector('[data-id-message]').textContent.length > 0")
    assert "校验" in page.text_content("[data-id-message]")
    page.fill("input[name=id_number]", good)
    wait_until(page, "document.querySelector('[data-id-message]').textContent === ''")

    page.goto(f"{base}/households/{household.pk}/income/?year=2023")
    page.fill("input[name=wage]", "9000")
    page.fill("input[name=business_costs]", "1000")
    assert page.text_content("[data-net]") == "4000.00"
    # nothing was fetched from outside the server
    assert outside == []
