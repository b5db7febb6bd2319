"""In a real browser on a phone-sized screen: the first secretary logs in, opens /my/, taps the
check-in button (the phone gives its place, which the user allowed), sees that today's check-in
is done; tapping again and reloading still shows the one check-in — and nothing is loaded from
outside the server.

Uses Debian's chromium; skipped, saying why, where it or playwright is absent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from fupin.core.models import AuditEntry
from fupin.teams.errors import TeamError
from fupin.teams.models import CheckIn, TeamMember
from tests.browser import needs_chromium
from tests.conftest import PASSWORD

pytestmark = needs_chromium


def chinese(msgid: str, **params: Any) -> str:
    """What the Chinese page says for ``msgid``, from the catalogue the page itself uses."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return text % params if params else text


@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_a_first_secretary_checks_in_from_a_phone(
    transactional_db: Any, personas: dict[str, Any], secretary: TeamMember, phone: Any
) -> None:
    page, base, outside = phone
    # The user allows the page to know where the phone is.
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"latitude": 28.3741, "longitude": 109.5311})

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "first_secretary")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # A first secretary's first screen is 我的工作 (issue 13, item 29).
    page.wait_for_url(f"{base}/my/")
    button = page.locator("button.check-in")
    assert button.count() == 1 and page.locator("[data-checked-in]").count() == 0
    with translation.override("zh-hans"):
        assert button.inner_text().strip() == gettext("Check in")
    # Measure once styles and fonts have settled: a width read mid-load varies from run to run.
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone

    button.click()
    page.wait_for_selector("[data-checked-in]")
    row = CheckIn.objects.get()
    hhmm = timezone.localtime(row.at).strftime("%H:%M")
    done = chinese("Checked in today %(time)s", time=hhmm)  # 今日已签到 HH:MM
    assert page.locator("[data-checked-in]").inner_text().strip() == done
    assert (row.member, row.latitude, row.longitude) == (
        secretary,
        Decimal("28.374100"),
        Decimal("109.531100"),
    )

    # A second tap the same day says so and adds nothing; a reload still shows the one check-in.
    page.click("[data-checked-in]")
    page.wait_for_selector("p.error")
    with translation.override("zh-hans"):
        assert page.locator("p.error").inner_text().strip() == TeamError.ALREADY_CHECKED_IN.message()
    assert page.locator("[data-checked-in]").inner_text().strip() == done
    page.goto(f"{base}/my/")
    assert page.locator("[data-checked-in]").count() == 1
    assert page.locator("[data-checked-in]").inner_text().strip() == done
    assert page.locator("p.error").count() == 0

    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action="teams.check_in").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert outside == []


@pytest.mark.restores_seeded_rows
def test_without_the_phones_place_the_check_in_still_works(
    transactional_db: Any, personas: dict[str, Any], secretary: TeamMember, phone: Any
) -> None:
    page, base, outside = phone
    # No permission granted: the browser refuses the place (or never answers); the check-in goes
    # through without it.
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "first_secretary")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/my/")
    page.click("button.check-in")
    page.wait_for_selector("[data-checked-in]", timeout=15000)
    row = CheckIn.objects.get()
    assert row.latitude is None and row.longitude is None
    assert outside == []
