"""What every journey test checks on every page it walks (issue 13's "done when").

A ``Walk`` drives one browser page as one user and, for each page it looks at, keeps what went
wrong instead of failing at the first: any answer of 500 or more from the live server (pages,
htmx fragments, downloads), and any Latin word outside ``pagewalk``'s whitelist in the visible
text. ``finish()`` fails with all of them at once, so one run of a journey names every stumble
on its path; what a step must do (a message, a saved row) is asserted where the step is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from tests.browser import wait_until
from tests.conftest import PASSWORD
from tests.web.pagewalk import english_words


def chinese(msgid: str, **params: Any) -> str:
    """What the Chinese page says for ``msgid``, from the catalogue the page itself uses."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return text % params if params else text


def cells_of(path: Path) -> list[str]:
    """Every filled cell of every sheet of a workbook, as text."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


class Walk:
    def __init__(self, opened: tuple[Any, str, list[str]]) -> None:
        self.page, self.base, self.outside = opened
        self.server_errors: list[str] = []
        self.english: list[str] = []
        self.looked: list[str] = []
        self.page.on("response", self._answered)

    def _answered(self, response: Any) -> None:
        if response.url.startswith(self.base) and response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base)

    def look(self) -> str:
        """Check the page as it stands now (after a navigation or an htmx swap)."""
        self.page.wait_for_load_state("load")
        html = self.page.content()
        self.looked.append(self.path)
        words: dict[str, list[str]] = {}
        for word, context in english_words(html):
            words.setdefault(context, []).append(word)
        self.english += [f"{self.path}: {' '.join(w)!r} in {c!r}" for c, w in words.items()]
        return html

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None
        assert response.status < 400, f"{path} answered {response.status}"
        self.look()
        return response

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/login/")
        self.look()
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("main form[method=post] button[type=submit]")
        assert not self.path.startswith("/login/"), f"{username} could not log in"
        self.look()

    def follow(self, href: str) -> None:
        """Follow the page's link to ``href`` as a user would: where it sits in a closed menu
        (a ``details`` drop-down), open the menu first."""
        link = self.page.locator(f"a[href='{href}']").first
        if not link.is_visible():
            menu = self.page.locator(f"details:has(a[href='{href}']) > summary").first
            assert menu.count() == 1, f"no link to {href} on {self.path}"
            menu.click()
        with self.page.expect_navigation():
            link.click()
        self.look()

    def submit(self, selector: str = "main form[method=post] button[type=submit]") -> None:
        """Click a button that posts a form and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.look()

    def values(self, form: str, names: list[str]) -> dict[str, str]:
        return {n: self.page.input_value(f"{form} [name={n}]") for n in names}

    def download(self, selector: str, into: Path) -> Path:
        """Click a link that downloads a file; the file, saved under ``into``."""
        with self.page.expect_download() as info:
            self.page.click(selector)
        download = info.value
        assert download.failure() is None, download.failure()
        target = into / download.suggested_filename
        download.save_as(target)
        return target

    def fetch(self, selector: str) -> tuple[str, bytes]:
        """What a link on the page serves (a PDF the browser would open in its viewer), fetched
        with the page's own session: (content type, body)."""
        href = self.page.locator(selector).first.get_attribute("href")
        assert href, f"no {selector} on {self.path}"
        url = href if href.startswith("http") else self.base + href
        response = self.page.request.get(url)
        if response.status >= 500:
            self.server_errors.append(f"{response.status} GET {url}")
        assert response.status == 200, f"{href} answered {response.status}"
        return response.headers.get("content-type", ""), response.body()

    def text(self, selector: str = "main") -> str:
        return re.sub(r"\s+", " ", self.page.inner_text(selector))

    def wait(self, expression: str, timeout_ms: int = 15_000) -> None:
        wait_until(self.page, expression, timeout_ms)

    def finish(self) -> None:
        problems = [*self.server_errors, *sorted(set(self.english))]
        if self.outside:
            problems.append(f"requests outside the server: {self.outside}")
        assert problems == [], "the journey stumbled:\n" + "\n".join(problems)
        assert len(self.looked) >= 3, self.looked
