"""Reads of the screening data: which parameters apply where and when, the monitoring threshold
of a province and year, and the runs a user may see.

Parameters resolve per county: a county's own setting wins, else its prefecture's, else its
province's, else the rule's default; within one area the latest row whose year is not after
the screening year applies ("effective from year"). The threshold of a province in a year is
the latest national row not after that year (the floor) or the province's latest row not after
it, whichever is higher.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from fupin.accounts.permissions import EDIT_RULES, VIEW_ALERTS
from fupin.areas.models import Area, Level, full_code
from fupin.areas.queries import within
from fupin.core.access import SYSTEM, covers, require
from fupin.core.errors import NotFound
from fupin.registry.models import poverty_line_for
from fupin.screening.models import MonitoringLine, RuleSetting, ScreeningRun
from fupin.screening.rules import BY_KEY, RULES, Rule


def county_code(code: str) -> str:
    return full_code(code[:6])


def province_code(code: str) -> str:
    return full_code(code[:2])


def setting_lineage(code: str) -> list[str]:
    """The areas whose settings reach ``code``, nearest first: itself if it is a county or
    larger, then its county, prefecture and province (settings live at county level or above)."""
    # A county, prefecture or province code is its own first six digits padded again.
    return list(dict.fromkeys(full_code(code[:n]) for n in (6, 4, 2)))


def counties_of(area: Area) -> list[str]:
    """The counties a screening of ``area`` touches: those inside it, or the one it lies in."""
    if area.level >= Level.COUNTY:
        return [county_code(area.code)]
    return list(
        Area.objects.filter(within(area, "code"), level=Level.COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
    )


@dataclass(frozen=True)
class Effective:
    """What a rule does in one area and year, and where that came from."""

    rule: Rule
    enabled: bool
    params: dict[str, Decimal]
    setting: RuleSetting | None  # None: the rule's defaults

    @property
    def source_area(self) -> str | None:
        return self.setting.area_id if self.setting else None


def _effective(rule: Rule, setting: RuleSetting | None) -> Effective:
    params = dict(rule.defaults)
    if setting is not None:
        for name, value in (setting.params or {}).items():
            if name in params:
                params[name] = Decimal(str(value))
        return Effective(rule, setting.enabled, params, setting)
    return Effective(rule, True, params, None)


def effective_settings(codes: Iterable[str], year: int) -> dict[tuple[str, str], Effective]:
    """{(area code, rule key): Effective} for every given area and rule, in one query."""
    wanted = {code: setting_lineage(code) for code in codes}
    every = {c for lineage in wanted.values() for c in lineage}
    latest: dict[tuple[str, str], RuleSetting] = {}
    # Ordered by year, so the last row seen per (area, rule) is the latest effective one.
    for row in RuleSetting.objects.filter(area_id__in=every, year__lte=year).order_by("year", "pk"):
        latest[(row.area_id, row.rule)] = row
    out: dict[tuple[str, str], Effective] = {}
    for code, lineage in wanted.items():
        for rule in RULES:
            found = next((latest[(c, rule.key)] for c in lineage if (c, rule.key) in latest), None)
            out[(code, rule.key)] = _effective(rule, found)
    return out


def effective_setting(code: str, rule_key: str, year: int) -> Effective:
    return effective_settings([code], year)[(code, BY_KEY[rule_key].key)]


@dataclass(frozen=True)
class Threshold:
    """The monitoring range of one province in one year, with the rows it came from."""

    province: str
    year: int
    floor: MonitoringLine | None
    own: MonitoringLine | None

    @property
    def amount(self) -> Decimal | None:
        amounts = [line.amount for line in (self.floor, self.own) if line is not None]
        return max(amounts) if amounts else None

    @property
    def applied(self) -> MonitoringLine | None:
        if self.own is not None and (self.floor is None or self.own.amount >= self.floor.amount):
            return self.own
        return self.floor


def thresholds(provinces: Iterable[str], year: int) -> dict[str, Threshold]:
    """{province code: Threshold} for ``year``, in one query."""
    wanted = {province_code(p) for p in provinces}
    floor: MonitoringLine | None = None
    own: dict[str, MonitoringLine] = {}
    rows = MonitoringLine.objects.filter(scope__in=[MonitoringLine.NATIONAL, *wanted], year__lte=year)
    for line in rows.order_by("year"):
        if line.scope == MonitoringLine.NATIONAL:
            floor = line
        else:
            own[line.scope] = line
    return {p: Threshold(p, year, floor, own.get(p)) for p in sorted(wanted)}


def threshold_for(code: str, year: int) -> Threshold:
    province = province_code(code)
    return thresholds([province], year)[province]


@dataclass(frozen=True)
class IncomeLine:
    """The per-capita net income under which a household's income of one year is flagged: the
    monitoring threshold where one is in force for that year (seeded from 2020, 1.5 × the line,
    and the national 6000 floor from 2021), else the poverty line the case rules use (the years
    before monitoring began)."""

    year: int
    amount: Decimal
    monitoring: bool
    source: str


def income_line_for(code: str, year: int) -> IncomeLine | None:
    # The same look-ups as the screening rule (threshold_for) and the case rules
    # (poverty_line_for), so the warning on a form never disagrees with what they decide.
    threshold = threshold_for(code, year)
    applied = threshold.applied
    if applied is not None:
        return IncomeLine(year, applied.amount, True, applied.source)
    line = poverty_line_for(code, year)
    if line is None:
        return None
    return IncomeLine(year, line.nominal_line, False, line.source)


def lines_for_reader(user: Any) -> QuerySet[MonitoringLine]:
    """The national rows and the reader's own province's, for the settings page."""
    # The province bureau sees no alert but keeps the thresholds shown here.
    if not (getattr(user, "is_authenticated", False) and user.can(EDIT_RULES)):
        require(user, VIEW_ALERTS)
    rows = MonitoringLine.objects.all()
    if user is not SYSTEM:
        rows = rows.filter(scope__in=[MonitoringLine.NATIONAL, province_code(user.area.code)])
    return rows.order_by("-year", "scope")


def runs_for(user: Any) -> QuerySet[ScreeningRun]:
    """Runs of areas inside the user's: a township does not see its county's totals."""
    require(user, VIEW_ALERTS)
    rows = ScreeningRun.objects.select_related("job")
    if user is not SYSTEM:
        rows = rows.filter(within(user.area, "area_code"))
    return rows


def access_run_by_id(user: Any, run_id: Any) -> ScreeningRun:
    require(user, VIEW_ALERTS)
    try:
        run = ScreeningRun.objects.select_related("job").get(pk=int(run_id))
    except (ScreeningRun.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    if not covers(user, run.area_code):
        raise NotFound()
    return run
