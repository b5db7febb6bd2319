"""A real browser on a phone-sized screen: log in, see the village, catch a mistyped ID number
while typing, and watch the per-capita income computed before saving.

Uses Debian's chromium (installed by .ci/run); skipped, saying why, where it is absent.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from fupin.core.personas import VILLAGE
from tests.conftest import PASSWORD, make_household, new_id_number

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is not installed (apt-get install chromium)"
)


@pytest.fixture
def phone(live_server: Any) -> Iterator[Any]:
    # The live server thread runs async-unsafe ORM calls; playwright's loop is in another thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
        yield page, live_server.url, outside
        browser.close()


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
    page.wait_for_function("document.querySelector('[data-id-message]').textContent.length > 0")
    assert "校验" in page.text_content("[data-id-message]")
    page.fill("input[name=id_number]", good)
    page.wait_for_function("document.querySelector('[data-id-message]').textContent === ''")

    page.goto(f"{base}/households/{household.pk}/income/?year=2023")
    page.fill("input[name=wage]", "9000")
    page.fill("input[name=business_costs]", "1000")
    assert page.text_content("[data-net]") == "4000.00"
    # nothing was fetched from outside the server
    assert outside == []
