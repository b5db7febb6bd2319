"""The income accounting period (domain.md §1.3, LOCAL): which days an income year means.

The default is the calendar year. One county counts 上年10月1日 to 当年9月30日: the setting
income_period_start_month is then 10 and income year Y runs from 1 October Y-1 to 30 September Y
(the year is named by the month it ends in, so "the 2025 income" stays the income a 2026 exit
judges). The period is shown where income is entered; the amounts are entered already summed
over it, so it changes no calculation.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from fupin.cases.area_settings import setting_for


def income_period(area_code: str, year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of income year ``year`` in the area."""
    month = int(setting_for(area_code, "income_period_start_month"))
    if month == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return dt.date(year - 1, month, 1), dt.date(year, month, 1) - dt.timedelta(days=1)


def income_period_text(area_code: str) -> str:
    """The rule in a sentence, for a form whose year the user may still change."""
    month = int(setting_for(area_code, "income_period_start_month"))
    if month == 1:
        return gettext("An income year here is the calendar year, 1 January to 31 December.")
    end = dt.date(2001, month, 1) - dt.timedelta(days=1)
    return gettext(
        "An income year here runs from {start_month}/1 of the year before to {end_month}/{end_day} "
        "of the year."
    ).format(start_month=month, end_month=end.month, end_day=end.day)
