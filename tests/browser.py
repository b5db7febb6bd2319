"""The phone-sized browser the browser tests drive: Debian's chromium through playwright.

A test module takes the ``phone`` fixture (registered in tests/conftest.py) and sets
``pytestmark = needs_chromium``; where chromium or playwright is absent its tests are skipped,
saying why.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
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


@pytest.fixture
def phone(live_server: Any) -> Iterator[Any]:
    """(page, base URL, every request that left the live server)."""
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
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
        yield page, live_server.url, outside
        browser.close()
