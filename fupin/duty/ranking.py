"""亮进度、赛成绩: every two months the owners on a list are ranked by their progress, and the
villages of a township or county by how far behind they are on pairing, visits and cases.

Periods are the six two-month spans of a year (1 = January–February … 6 = November–December).
A ranking is taken *as of* the period's last day, or today while the period is still running.

Owners (townships; units). The progress of a task on a day is its latest progress report on or
before that day (0 without one), so a past period's ranking is taken again from the history and a
report made after the period never changes it. Only tasks on the list by that day count. Per
owner: its tasks, their mean progress, the tasks done (100 %) and the overdue ones (due on or
before the day and below 100 %). Ranked by mean progress (highest first), then fewer overdue
tasks; owners equal on both share a rank and are listed by name. An owner is *behind* when it
has an overdue task or its mean progress lags the time elapsed (时间进度: the days of the year up
to and including the day, over the days in the year; 339 ÷ 365 = 92.9 % on 5 December 2026,
100 % only on 31 December. Counting the months begun instead said 100 % from 1 December).

Villages. For each village: its poor and monitored households (their status today); the share
of them paired with a cadre (干部包户) on the day; the share visited at least as often as the
visit minimum asks by the day (``visits_per_year`` × 时间进度, the share of the year's days gone
that the owners are judged by, rounded down: a visit is due once its share of the year has
passed, so 4 a year ask 1 from 2 April, 3 on 5 December (4 × 339 ÷ 365 = 3.7) and 4 only on
31 December; counting the month of the day as begun asked all 4 from 1 December); its open
cases; and its overdue alerts on the day (the alerts app's rule). The score is the mean of the
two shares; villages are ranked by score (highest first), then fewer overdue alerts, then more
home visits per counted household in the year so far (户均走访: the effort beyond the minimum, so
the many villages at 100 % are told apart by how much more they did), then more counted
households (the same result over more households is the heavier load). Villages equal on all
four share a rank and are marked tied (并列). A village with no poor or monitored household has
no score and is listed last, unranked.
A village is *behind* when either share is below 100 % or it has an overdue alert. Pairings and
visits are dated, so they are counted as they were on the day; a household's status and a case's
or an alert's status are read as they stand now (only cases opened by the day count), so those
columns of a past period may move as cases close.
Everything is counted by aggregate queries per table, never household by household.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from fupin.alerts.queries import overdue as overdue_alerts_q
from fupin.areas.models import Area, AreaSetting, Level, prefix_range
from fupin.assistance.models import Visit
from fupin.cases.area_settings import SPECS, lineage
from fupin.duty.models import ProgressReport, Task
from fupin.pairing.models import Pairing, PairingKind
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household

PERIODS = range(1, 7)
VISITS_KEY = "visits_per_year"
# The households whose coverage and visits are counted: registered poor and monitored.
COUNTED_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.MONITORED)
OPEN_CASE = "open"  # cases.models.Status.OPEN; the model is read through the app registry


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    number: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 2 * self.number - 1, 1)

    @property
    def end(self) -> dt.date:
        month = 2 * self.number
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def as_of(self, today: dt.date) -> dt.date:
        """The day the ranking is taken: the period's end, or today while it runs."""
        return min(self.end, today)


def period_of(day: dt.date) -> Period:
    return Period(day.year, (day.month + 1) // 2)


def clean_period(year: Any, number: Any, today: dt.date | None = None) -> Period:
    """The period asked for, or the current one when none, a wrong one or one not yet begun is
    asked for (a read needs no error)."""
    today = today or timezone.localdate()
    current = period_of(today)
    try:
        period = Period(int(year), int(number))
    except (TypeError, ValueError):
        return current
    if period.number not in PERIODS or not 2000 <= period.year <= today.year or period.start > today:
        return current
    return period


def year_elapsed(year: int, day: dt.date) -> Fraction:
    """时间进度: the share of ``year`` gone by the end of ``day`` (0 before it, 1 after it)."""
    if day.year != year:
        return Fraction(1 if day.year > year else 0)
    days_in_year = 366 if calendar.isleap(year) else 365
    return Fraction(day.timetuple().tm_yday, days_in_year)


def one_place(value: Fraction) -> Decimal:
    shown = Decimal(value.numerator) / Decimal(value.denominator)
    return shown.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(value: Fraction | None) -> Decimal | None:
    """A share as a percentage with one decimal, as shown and exported."""
    if value is None:
        return None
    return one_place(value * 100)


def _ranked(rows: list[Any], key: Any) -> None:
    """Competition ranks (1, 1, 3): rows with equal ``key`` share the rank and are marked
    ``tied``, so a shared rank is shown as one. Rows are in order."""
    previous: Any = object()
    for position, row in enumerate(rows, start=1):
        current = key(row)
        if current != previous:
            rank = position
            previous = current
        row.rank = rank
    shared = {rank for rank, n in Counter(row.rank for row in rows).items() if n > 1}
    for row in rows:
        row.tied = row.rank in shared


# --- owners ----------------------------------------------------------------------------------


@dataclass
class OwnerRow:
    key: str  # "area:<code>" or "unit:<id>", as in the list's owner filter
    name: str
    tasks: int = 0
    done: int = 0
    overdue: int = 0
    total: int = 0  # sum of progress, for the exact mean
    rank: int = 0
    tied: bool = False
    behind: bool = False

    @property
    def mean(self) -> Fraction:
        return Fraction(self.total, self.tasks) if self.tasks else Fraction(0)

    @property
    def mean_shown(self) -> Decimal:
        shown = percent(self.mean / 100)
        return Decimal(0) if shown is None else shown


@dataclass
class TaskRanking:
    area: Area
    period: Period
    as_of: dt.date
    time_share: Decimal  # 时间进度: % of the year's days gone by the end of the day
    townships: list[OwnerRow] = field(default_factory=list)
    units: list[OwnerRow] = field(default_factory=list)


def progress_on(day: dt.date) -> Any:
    """Each task's progress on ``day``: its latest report on or before it, else 0."""
    latest = (
        ProgressReport.objects.filter(task=OuterRef("pk"), day__lte=day)
        .order_by("-day", "-pk")
        .values("progress")
    )
    return Coalesce(Subquery(latest[:1], output_field=IntegerField()), Value(0))


def tasks_on_list(area: Area, year: int, day: dt.date) -> Any:
    """The tasks on ``area``'s own list for ``year`` that existed on ``day``, with their progress
    then."""
    return (
        Task.objects.filter(area=area, year=year, created_at__date__lte=day)
        .annotate(progress_then=progress_on(day))
        .values(
            "pk",
            "owner_area_id",
            "owner_area__name",
            "owner_unit_id",
            "owner_unit__name",
            "due_on",
            "progress_then",
        )
    )


def rank_owners(rows: Iterable[OwnerRow], time_share: Fraction) -> list[OwnerRow]:
    ordered = sorted(rows, key=lambda r: (-r.mean, r.overdue, r.name, r.key))
    _ranked(ordered, lambda r: (r.mean, r.overdue))
    for row in ordered:
        row.behind = row.overdue > 0 or row.mean < time_share * 100
    return ordered


def task_ranking(area: Area, period: Period, *, today: dt.date | None = None) -> TaskRanking:
    """The owners on ``area``'s list ranked for ``period`` (the caller may read the area)."""
    today = today or timezone.localdate()
    day = period.as_of(today)
    time_share = year_elapsed(period.year, day)
    owners: dict[str, OwnerRow] = {}
    for t in tasks_on_list(area, period.year, day):
        if t["owner_area_id"]:
            key, name = f"area:{t['owner_area_id']}", t["owner_area__name"]
        else:
            key, name = f"unit:{t['owner_unit_id']}", t["owner_unit__name"]
        row = owners.setdefault(key, OwnerRow(key, name))
        progress = int(t["progress_then"])
        row.tasks += 1
        row.total += progress
        row.done += progress >= 100
        row.overdue += t["due_on"] <= day and progress < 100
    ranking = TaskRanking(area, period, day, percent(time_share) or Decimal(0))
    ranking.townships = rank_owners([r for r in owners.values() if r.key.startswith("area:")], time_share)
    ranking.units = rank_owners([r for r in owners.values() if r.key.startswith("unit:")], time_share)
    return ranking


# --- villages --------------------------------------------------------------------------------


@dataclass
class VillageRow:
    code: str
    name: str
    minimum: int  # visits a year
    expected: int  # visits expected by the day
    households: int = 0
    covered: int = 0
    visited: int = 0
    open_cases: int = 0
    overdue_alerts: int = 0
    visits: int = 0  # home visits to the counted households in the year up to the day
    rank: int | None = None
    tied: bool = False
    behind: bool = False

    @property
    def visits_per_household(self) -> Fraction | None:
        return Fraction(self.visits, self.households) if self.households else None

    @property
    def visits_per_household_shown(self) -> Decimal | None:
        """户均走访 with one decimal, as shown and exported (the tie-break compares it exactly)."""
        share = self.visits_per_household
        return None if share is None else one_place(share)

    @property
    def covered_share(self) -> Fraction | None:
        return Fraction(self.covered, self.households) if self.households else None

    @property
    def visited_share(self) -> Fraction | None:
        return Fraction(self.visited, self.households) if self.households else None

    @property
    def score(self) -> Fraction | None:
        if not self.households:
            return None
        return (Fraction(self.covered, self.households) + Fraction(self.visited, self.households)) / 2

    @property
    def covered_shown(self) -> Decimal | None:
        return percent(self.covered_share)

    @property
    def visited_shown(self) -> Decimal | None:
        return percent(self.visited_share)

    @property
    def score_shown(self) -> Decimal | None:
        return percent(self.score)


@dataclass
class VillageRanking:
    area: Area
    period: Period
    as_of: dt.date
    time_share: Decimal  # 时间进度 the visit minimum was prorated by, % as shown
    rows: list[VillageRow] = field(default_factory=list)


def visit_minimums(area: Area, villages: list[Area]) -> dict[str, int]:
    """``visits_per_year`` for each village, resolved as ``setting_for`` does (the nearest area
    that sets it, else the default), from one read of the settings instead of one per village."""
    rows = AreaSetting.objects.filter(key=VISITS_KEY).filter(
        Q(area_id__in=lineage(area.code)) | prefix_range(area.prefix, "area_id")
    )
    found = dict(rows.values_list("area_id", "value"))
    default = SPECS[VISITS_KEY].default
    out = {}
    for village in villages:
        value = next((found[c] for c in lineage(village.code) if c in found), default)
        out[village.code] = int(value)
    return out


def active_pairing_on(day: dt.date) -> Any:
    return Exists(
        Pairing.objects.filter(
            household=OuterRef("pk"), kind=PairingKind.CADRE_HOUSEHOLD, started_on__lte=day
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    )


def visits_between(start: dt.date, day: dt.date) -> Any:
    counted = (
        Visit.objects.filter(household=OuterRef("pk"), day__gte=start, day__lte=day)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _per_village(qs: Any, code_field: str) -> dict[str, int]:
    grouped = (
        qs.annotate(village=Substr(code_field, 1, 12)).values("village").annotate(n=Count("pk")).order_by()
    )
    return {r["village"]: r["n"] for r in grouped}


def village_ranking(area: Area, period: Period, *, today: dt.date | None = None) -> VillageRanking:
    """The villages of ``area`` (a township or county the caller may read) for ``period``."""
    today = today or timezone.localdate()
    day = period.as_of(today)
    elapsed = year_elapsed(period.year, day)
    villages = list(
        Area.objects.filter(prefix_range(area.prefix, "code"), level=Level.VILLAGE).order_by("code")
    )
    minimums = visit_minimums(area, villages)
    rows = {
        v.code: VillageRow(v.code, v.name, minimums[v.code], math.floor(minimums[v.code] * elapsed))
        for v in villages
    }

    # One row per village, visit count and coverage: few distinct counts, so few rows.
    households = (
        Household.objects.filter(prefix_range(area.prefix, "area_id"), status__in=COUNTED_STATUSES)
        .annotate(
            village=Substr("area_id", 1, 12),
            visits_made=visits_between(dt.date(period.year, 1, 1), day),
            paired=active_pairing_on(day),
        )
        .values("village", "visits_made", "paired")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group in households:
        row = rows.get(group["village"])
        if row is None:  # a household filed under an area that is not a village: not ranked
            continue
        row.households += group["n"]
        row.visits += group["visits_made"] * group["n"]
        if group["paired"]:
            row.covered += group["n"]
        if group["visits_made"] >= row.expected:
            row.visited += group["n"]

    case_model = apps.get_model("cases", "Case")
    cases = case_model.objects.filter(
        prefix_range(area.prefix, "area_code"), status=OPEN_CASE, opened_at__date__lte=day
    )
    for code, n in _per_village(cases, "area_code").items():
        if code in rows:
            rows[code].open_cases = n
    alert_model = apps.get_model("alerts", "Alert")
    alerts = alert_model.objects.filter(prefix_range(area.prefix, "area_code")).filter(overdue_alerts_q(day))
    for code, n in _per_village(alerts, "area_code").items():
        if code in rows:
            rows[code].overdue_alerts = n

    scored = sorted(
        (r for r in rows.values() if r.households),
        key=lambda r: (
            -(r.score or 0),
            r.overdue_alerts,
            -(r.visits_per_household or 0),
            -r.households,
            r.name,
            r.code,
        ),
    )
    _ranked(scored, lambda r: (r.score, r.overdue_alerts, r.visits_per_household, r.households))
    unscored = sorted(
        (r for r in rows.values() if not r.households), key=lambda r: (-r.overdue_alerts, r.name)
    )
    for row in [*scored, *unscored]:
        row.behind = row.overdue_alerts > 0 or (row.score is not None and row.score < 1)
    return VillageRanking(area, period, day, percent(elapsed) or Decimal(0), [*scored, *unscored])
