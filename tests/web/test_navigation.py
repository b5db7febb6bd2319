"""The navigation (issue 13, item 29): grouped by task so that it fits, one line per entry at
1440 px and a bounded bar at 390 px, and each role starts on the page of its daily task."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.core.personas import PERSONAS
from tests.browser import needs_chromium
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("first_secretary", "/my/"),
        ("village_clerk", "/"),
        ("dept_provider", "/feeds/"),
        ("county_admin", "/"),
    ],
)
def test_each_role_lands_on_its_first_screen(personas: dict[str, Any], persona: str, landing: str) -> None:
    from django.test import Client

    response = Client().post("/login/", {"username": persona, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == landing


@pytest.mark.parametrize("persona", [p.username for p in PERSONAS])
def test_the_bar_has_at_most_six_entries(persona: str, client_for: Any) -> None:
    html = client_for(persona).get("/", follow=True).content.decode()
    bar = html[html.index('<ul class="main-nav">') : html.index("</nav>")]
    # Entries of the bar itself: its direct <li>, each either a link or a group's <summary>.
    depth, top = 0, 0
    for token in bar.split("<")[1:]:
        if token.startswith("ul"):
            depth += 1
        elif token.startswith("/ul"):
            depth -= 1
        elif token.startswith("li") and depth == 1:
            top += 1
    assert 2 <= top <= 6, (persona, top)


@needs_chromium[0]
@needs_chromium[1]
@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_nav_entries_stay_on_one_line_at_desk_and_phone_width(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    page, base, outside = phone
    # Rows are told apart by the tops of the entries (the brand included): one row shares a top.
    measure = """() => {
        const q = '.brand, .main-nav > li > a, .main-nav > li > details > summary';
        const items = [...document.querySelectorAll(q)].map(e => e.getBoundingClientRect())
            .filter(r => r.height > 0);
        const line = parseFloat(getComputedStyle(document.querySelector('.main-nav')).lineHeight);
        return {rows: new Set(items.map(r => Math.round(r.top / 8))).size, line,
                tallest: Math.max(...items.map(r => r.height)),
                nav: document.querySelector('header').getBoundingClientRect().height};
    }"""
    for persona in ("county_admin", "township_officer", "first_secretary", "org_dept"):
        page.context.clear_cookies()
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", persona)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for width, height, rows in ((1440, 900, 1), (390, 844, 2)):
            page.set_viewport_size({"width": width, "height": height})
            m = page.evaluate(measure)
            # Every entry on one line: none is taller than one line of text and its padding.
            assert m["tallest"] < 2 * m["line"], (persona, width, m)
            assert m["rows"] <= rows, (persona, width, m)
            # The header of one row measures 130 px (Pico's padding around a 50 px entry); each
            # further row may add one entry's height, no more, before the content starts.
            assert m["nav"] <= 130 + (rows - 1) * m["tallest"], (persona, width, m)
    assert outside == []
