"""The Content-Security-Policy: sent with every page, and nothing on the pages needs inline script.

The policy refuses inline ``<script>`` blocks, ``on…=`` attributes, ``javascript:`` links and
htmx's ``hx-on`` (which evaluates its text), so none may appear in a template: each would stop
working silently in the browser. The browser test proves the policy is really enforced, and the
``phone`` fixture (tests/browser.py) fails any browser test whose pages the policy refuses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import fupin
from fupin.core.personas import VILLAGE
from tests.browser import needs_chromium
from tests.conftest import PASSWORD

TEMPLATES = sorted(Path(fupin.__file__).parent.glob("*/templates/**/*.html"))

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
EVALUATED = re.compile(r"javascript:|\bhx-on\b|\bhx-on:|\bhx-vals\s*=\s*['\"]\s*js:", re.IGNORECASE)


def test_there_are_templates_to_read() -> None:
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(Path(fupin.__file__).parent)))
def test_no_template_holds_script_the_policy_refuses(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = INLINE_SCRIPT.findall(text) + HANDLER.findall(text) + EVALUATED.findall(text)
    assert found == [], f"{template.name}: move this into a file under fupin/web/static/: {found}"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<select name="year" onchange="this.form.submit()">',
        '<a href="javascript:void(0)">',
        '<button hx-on:click="go()">',
    ],
)
def test_the_scan_catches_each_kind(text: str) -> None:
    assert INLINE_SCRIPT.findall(text) + HANDLER.findall(text) + EVALUATED.findall(text)


def test_the_scan_lets_script_files_and_data_attributes_through() -> None:
    text = '<script src="/static/x.js" defer></script><select data-autosubmit name="online">'
    assert INLINE_SCRIPT.findall(text) + HANDLER.findall(text) + EVALUATED.findall(text) == []


def test_pages_the_api_and_the_login_page_carry_the_policy(client_for: Any, client: Any) -> None:
    for response, status in (
        (client.get("/login/"), 200),
        (client_for("village_clerk").get("/"), 200),
        (client.get("/api/v1/households"), 401),  # an answer that is not a page carries it too
    ):
        assert response.status_code == status
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy


@needs_chromium[0]
@needs_chromium[1]
@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_the_browser_enforces_the_policy_and_the_year_filter_still_applies(
    transactional_db: Any, personas: dict[str, Any], phone: Any
) -> None:
    page, base, outside = phone
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "village_clerk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # The year selector submitted itself through an onchange attribute, which the policy refuses;
    # now a listener in app.js does it.
    page.goto(f"{base}/assessment/village/{VILLAGE}/")
    options = page.locator("select[name=year] option")
    assert options.count() >= 2
    other = next(v for v in options.evaluate_all("os => os.map(o => o.value)") if f"year={v}" not in page.url)
    with page.expect_navigation():
        page.select_option("select[name=year]", other)
    assert f"year={other}" in page.url

    # An injected inline script does not run (and the browser says why), in a page of its own so
    # the fixture's watch over the first one stays clean.
    probe = page.context.browser.new_page()
    refused: list[str] = []
    probe.on("console", lambda m: refused.append(m.text))
    probe.goto(f"{base}/login/")
    probe.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    probe.wait_for_timeout(200)
    assert probe.evaluate("window.injected") is None
    assert any("Content Security Policy" in text for text in refused), refused
    probe.close()
    assert outside == []
