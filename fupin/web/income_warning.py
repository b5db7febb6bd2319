"""The income warning of journey 1.3: a household whose per-capita net income is under the
line of that income's year (the monitoring threshold where one is in force, the poverty line
in the years before) is flagged while the income is typed, on its page once saved, and
offered a cadre check.

The lines come from the server (``income_line_for``, the look-ups of the screening and case
rules); the page's script only compares the figure it computes with them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from fupin.accounts.permissions import TRIAGE_ALERTS
from fupin.core.access import covers
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, IncomeRecord
from fupin.screening.queries import IncomeLine, income_line_for

# 精准扶贫 began with the 2014 registration: no income on file is older.
FIRST_INCOME_YEAR = 2014
# Already followed as poor or monitored: the screening rule skips them too, a check adds nothing.
FOLLOWED = (HouseholdStatus.POOR, HouseholdStatus.MONITORED)


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def live_text(line: IncomeLine) -> str:
    """What the form says under the live figure while it is below ``line``."""
    values = {"year": line.year, "line": _amount(line.amount)}
    if line.monitoring:
        return (
            gettext("Per-capita net income is under the %(year)s monitoring threshold of %(line)s yuan.")
            % values
        )
    return gettext("Per-capita net income is under the %(year)s poverty line of %(line)s yuan.") % values


def saved_text(record: IncomeRecord, line: IncomeLine) -> str:
    """The same finding for a saved income, in words that can stand as a cadre check's summary."""
    values = {"year": record.year, "net": _amount(record.per_capita_net), "line": _amount(line.amount)}
    if line.monitoring:
        return (
            gettext(
                "Per-capita net income of %(year)s is %(net)s yuan, under that year's monitoring "
                "threshold of %(line)s yuan."
            )
            % values
        )
    return (
        gettext(
            "Per-capita net income of %(year)s is %(net)s yuan, under that year's poverty "
            "line of %(line)s yuan."
        )
        % values
    )


def form_lines(area_code: str, year: Any) -> str:
    """{year: [amount, text]} for every year the form may be given, as JSON for a data attribute:
    the year can be changed in the form, and the warning must follow it without a round trip."""
    years = set(range(FIRST_INCOME_YEAR, timezone.localdate().year + 1))
    if str(year).isdigit() and len(str(year)) == 4:
        years.add(int(year))
    lines: dict[str, list[str]] = {}
    for y in sorted(years):
        line = income_line_for(area_code, y)
        if line is not None:
            lines[str(y)] = [f"{line.amount:.2f}", live_text(line)]
    return json.dumps(lines, ensure_ascii=False)


@dataclass(frozen=True)
class SavedWarning:
    record: IncomeRecord
    line: IncomeLine
    text: str
    followed: bool
    can_check: bool


def saved_warning(user: Any, household: Household, record: IncomeRecord | None) -> SavedWarning | None:
    """The warning for one saved income, or None when it is not under its year's line."""
    if record is None:
        return None
    line = income_line_for(household.area_id, record.year)
    if line is None or record.per_capita_net >= line.amount:
        return None
    followed = household.status in FOLLOWED
    can_check = not followed and user.can(TRIAGE_ALERTS) and covers(user, household.area_id)
    return SavedWarning(record, line, saved_text(record, line), followed, can_check)
