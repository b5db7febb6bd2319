"""The browser the browser tests drive: Debian's chromium through playwright.

A test module takes the ``phone`` (390 px) or ``desktop`` (1440 px) fixture (registered in
tests/conftest.py) and sets ``pytestmark = needs_chromium``; where chromium or playwright is
absent its tests are skipped, saying why.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
needs_chromium = [
    pytest.mark.skipif(not HAS_PLAYWRIGHT, reason="playwright is not installed"),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="chromium is not installed (apt-get install chromium)"
    ),
]


def wait_until(page: Any, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait until ``expression`` is true in the page.

    Playwright's ``page.wait_for_function`` runs its text through ``eval`` inside the page, which
    the Content-Security-Policy refuses (no 'unsafe-eval'); ``page.evaluate`` goes through the
    DevTools protocol, which the policy does not govern.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_ms} ms in vain for: {expression}")
        page.wait_for_timeout(50)


@contextlib.contextmanager
def _browser_page(live_server: Any, width: int, height: int) -> Iterator[tuple[Any, str, list[str]]]:
    """(page, base URL, every request that left the live server); fails on any CSP refusal."""
    from playwright.sync_api import sync_playwright

    # The live server thread runs async-unsafe ORM calls; playwright's loop is in another thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
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
        page = browser.new_page(
            viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
        )
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
        # Whatever the Content-Security-Policy refuses on a page the test visits is a defect (an
        # inline script or handler that silently stops working); the DOM event names it even
        # where the browser's own console message is not passed on.
        refused: list[str] = []
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => console.error("
            "'Content Security Policy refused ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')"
            " + ' at ' + e.sourceFile + ':' + e.lineNumber));"
        )
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        yield page, live_server.url, outside
        browser.close()
        assert refused == [], f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def phone(live_server: Any) -> Iterator[Any]:
    """A phone's screen, 390 px wide: (page, base URL, requests that left the live server)."""
    with _browser_page(live_server, 390, 844) as opened:
        yield opened


@pytest.fixture
def desktop(live_server: Any) -> Iterator[Any]:
    """An office screen, 1440 px wide, with the same checks as ``phone``."""
    with _browser_page(live_server, 1440, 900) as opened:
        yield opened
