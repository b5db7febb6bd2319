"""In a real browser at desk width: the organisation department grades a member on the yearly
assessment page and the grade appears in place — the page is not loaded again (a marker set on
the window survives), the counts above the table follow, and a refused grade shows its message
in the member's row with what was typed.

Uses Debian's chromium; skipped, saying why, where it or playwright is absent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fupin.teams.models import TeamMember, WorkTeam, YearlyAssessment
from tests.browser import needs_chromium, wait_until
from tests.conftest import PASSWORD

pytestmark = needs_chromium
YEAR = 2025


@pytest.mark.restores_seeded_rows  # a transactional test empties every table
def test_a_grade_is_saved_without_reloading_the_page(
    transactional_db: Any, personas: dict[str, Any], team: WorkTeam, desktop: Any
) -> None:
    page, base, outside = desktop
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "org_dept")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/teams/assessments/?year={YEAR}")
    page.evaluate("window.notReloaded = true")
    member = TeamMember.objects.get(team=team, name="吴队员")
    rows = page.locator(f"#m{member.pk}")
    rows.locator("summary").click()
    form = rows.locator("form")
    form.locator("[name=half_year_score]").fill("90")
    form.locator("[name=year_end_score]").fill("96")
    form.locator("[name=grade]").select_option("competent")
    form.locator("button[type=submit]").click()
    wait_until(page, f"!!document.querySelector('#m{member.pk} [role=status]')")
    assert page.evaluate("window.notReloaded === true")  # swapped in place, not a new page
    assert "94.20" in page.locator(f"#m{member.pk}").inner_text()
    assert "已考核 1 人" in page.locator("#assess-summary").inner_text()
    assert YearlyAssessment.objects.get(member=member).total == Decimal("94.20")

    # A refusal comes back into the same rows, with its message and the typed value.
    rows = page.locator(f"#m{member.pk}")
    rows.locator("summary").click()
    form = rows.locator("form")
    form.locator("[name=year_end_score]").fill("100")
    form.locator("[name=half_year_score]").evaluate("(e) => { e.removeAttribute('max'); e.value = '150'; }")
    form.locator("button[type=submit]").click()
    wait_until(page, f"!!document.querySelector('#m{member.pk} [role=alert]')")
    assert page.evaluate("window.notReloaded === true")
    assert page.locator(f"#m{member.pk} [name=half_year_score]").input_value() == "150"
    assert YearlyAssessment.objects.get(member=member).half_year_score == Decimal("90")
    assert outside == []
