"""What the engine reads, one query per source and year, scoped to an area prefix.

Each loader returns plain numpy arrays or small dicts keyed by area code; nothing here knows
about levels or snapshots. Money is cast to floating point in SQL: the measures are floating
point anyway, and Decimal objects would make the read several times slower.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast, ExtractMonth, ExtractYear

from fupin.alerts.models import Alert, AlertStatus
from fupin.areas.models import AreaSetting, prefix_range
from fupin.assistance.models import Measure, Visit
from fupin.cases.area_settings import SPECS, lineage
from fupin.pairing.models import HOUSEHOLD_KINDS, Pairing, PairingKind
from fupin.registry.choices import Cause, HouseholdStatus, MonitoringCategory
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member, StatusChange
from fupin.teams.grading import leave_inside, month_bounds, month_row
from fupin.teams.models import CheckIn, LeaveRequest, LeaveStatus, TeamMember, YearlyAssessment
from fupin.teams.roster import active_between

STATUSES = list(HouseholdStatus.values)  # index = status number
STATUS = {s: i for i, s in enumerate(STATUSES)}
CAUSES = list(Cause.values)
CAUSE = {c: i for i, c in enumerate(CAUSES)}
CATEGORIES = list(MonitoringCategory.values)
CATEGORY = {c: i for i, c in enumerate(CATEGORIES)}
INCOME_PARTS = ("wage", "business", "property", "transfer")
CONDITION_COLUMNS = (
    "food_secure",
    "clothing_secure",
    "education_secured",
    "medical_secured",
    "housing_secured",
    "water_secured",
)


def within(prefix: str, field: str) -> Q:
    return prefix_range(prefix, field) if prefix else Q()


CHUNK = 5000


def of_households(
    qs: QuerySet[Any], ids: np.ndarray, prefix: str, field: str = "household_id"
) -> Iterator[Any]:
    """The rows of ``qs`` that belong to the households ``ids`` (sorted): every row when the
    prefix is everything, else by chunks of ids. PostgreSQL planned the join on the area range
    as a scan of the whole table (0.3 s on a 1.4-million-row status history for one county);
    ids go straight to the index. Chunks keep the order ``qs`` gives within them."""
    if not prefix:
        yield from qs
        return
    for start in range(0, ids.size, CHUNK):
        yield from qs.filter(**{f"{field}__in": ids[start : start + CHUNK].tolist()})


class Households:
    """The households inside the prefix, sorted by id, with what does not change by year."""

    def __init__(self, prefix: str) -> None:
        rows = list(
            Household.objects.filter(within(prefix, "area_id"))
            .order_by("id")
            .values_list("id", "area_id", "status", "main_cause", "registered_year")
        )
        self.n = len(rows)
        self.ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=self.n)
        self.area_codes = [r[1] for r in rows]
        self.status = np.fromiter((STATUS[r[2]] for r in rows), dtype=np.int8, count=self.n)
        self.cause = np.fromiter((CAUSE.get(r[3], -1) for r in rows), dtype=np.int8, count=self.n)
        self.registered_year = np.fromiter((r[4] or 0 for r in rows), dtype=np.int32, count=self.n)
        self.prefix = prefix
        sizes = dict(
            self.rows_of(
                Member.objects.filter(left_on__isnull=True)
                .values("household_id")
                .annotate(n=Count("id"))
                .values_list("household_id", "n")
            )
        )
        self.size = np.fromiter((sizes.get(int(i), 0) for i in self.ids), dtype=np.float64, count=self.n)
        self._history(prefix)

    def rows_of(self, qs: QuerySet[Any], field: str = "household_id") -> Iterator[Any]:
        return of_households(qs, self.ids, self.prefix, field)

    def index_of(self, ids: np.ndarray) -> np.ndarray:
        """Positions of household ids in this set, -1 for ids outside it."""
        if self.n == 0 or ids.size == 0:
            return np.full(ids.size, -1, dtype=np.int64)
        pos = np.searchsorted(self.ids, ids)
        pos = np.clip(pos, 0, self.n - 1)
        return np.where(self.ids[pos] == ids, pos, -1)

    def _history(self, prefix: str) -> None:
        rows = list(
            self.rows_of(
                StatusChange.objects.order_by("household_id", "year", "at", "id").values_list(
                    "household_id", "year", "from_status", "to_status", "category"
                )
            )
        )
        m = len(rows)
        hh = self.index_of(np.fromiter((r[0] for r in rows), dtype=np.int64, count=m))
        self.change_hh = hh
        self.change_year = np.fromiter((r[1] for r in rows), dtype=np.int32, count=m)
        self.change_from = np.fromiter((STATUS[r[2]] for r in rows), dtype=np.int8, count=m)
        self.change_to = np.fromiter((STATUS[r[3]] for r in rows), dtype=np.int8, count=m)
        self.change_category = np.fromiter((CATEGORY.get(r[4], -1) for r in rows), dtype=np.int8, count=m)
        # Rows are sorted by household id and the households too, so this key is sorted.
        self.change_key = hh.astype(np.int64) * 10_000 + self.change_year

    def status_at_end_of(self, year: int) -> np.ndarray:
        """Each household's status at the end of ``year``: the last change made in that year or
        before; before its first change, the status that change left; with no history at all,
        its present status from the year it was registered (or always, if no year is known)."""
        out = self.status.copy()
        never = (self.registered_year > year) & (self.status != STATUS[HouseholdStatus.NONE])
        out[never] = STATUS[HouseholdStatus.NONE]
        if self.change_key.size == 0:
            return out
        own = np.arange(self.n, dtype=np.int64)
        first = np.searchsorted(self.change_hh, own, side="left")
        has = (first < self.change_hh.size) & (
            self.change_hh[np.clip(first, 0, self.change_hh.size - 1)] == own
        )
        last = np.searchsorted(self.change_key, own * 10_000 + year, side="right") - 1
        in_range = (last >= 0) & (self.change_hh[np.clip(last, 0, None)] == own)
        out[has] = self.change_from[first[has]]
        out[in_range] = self.change_to[last[in_range]]
        return out

    def category_at_end_of(self, year: int) -> np.ndarray:
        """Each household's monitoring category at the end of ``year`` (index into CATEGORIES,
        -1 for none): the category on its last change to monitored dated that year or before —
        an inclusion or a change of category, whether or not the case behind it has closed since.
        Meaningful where the status at the end of the year is monitored: that last change is
        then the one that put or kept the household there."""
        out = np.full(self.n, -1, dtype=np.int8)
        rows = np.flatnonzero((self.change_to == STATUS[HouseholdStatus.MONITORED]) & (self.change_hh >= 0))
        if rows.size == 0:
            return out
        key = self.change_key[rows]  # a subsequence of a sorted key: still sorted
        hh = self.change_hh[rows]
        own = np.arange(self.n, dtype=np.int64)
        last = np.searchsorted(key, own * 10_000 + year, side="right") - 1
        found = (last >= 0) & (hh[np.clip(last, 0, None)] == own)
        out[found] = self.change_category[rows[last[found]]]
        return out

    def ever_changed_to_by(self, status: str, year: int) -> np.ndarray:
        """Mask of households with at least one change to ``status`` dated ``year`` or before:
        a household that exited, fell back and exited again is one household."""
        mask = np.zeros(self.n, dtype=bool)
        hit = (self.change_to == STATUS[status]) & (self.change_year <= year) & (self.change_hh >= 0)
        mask[self.change_hh[hit]] = True
        return mask

    def changed_to_in(self, status: str, year: int) -> np.ndarray:
        """Mask of households with a change to ``status`` dated ``year``."""
        mask = np.zeros(self.n, dtype=bool)
        hit = (self.change_to == STATUS[status]) & (self.change_year == year) & (self.change_hh >= 0)
        mask[self.change_hh[hit]] = True
        return mask


class YearRecords:
    """One year's income records and condition checks, aligned to a Households set."""

    def __init__(self, households: Households, prefix: str, year: int) -> None:
        n = households.n
        self.has_income = np.zeros(n, dtype=bool)
        self.pcn = np.zeros(n)
        self.income_size = np.zeros(n)
        self.parts = {part: np.zeros(n) for part in INCOME_PARTS}
        money = {f: Cast(f, FloatField()) for f in ("per_capita_net", *INCOME_PARTS)}
        rows = list(
            households.rows_of(
                IncomeRecord.objects.filter(year=year)
                .annotate(**{f"f_{k}": v for k, v in money.items()})
                .values_list(
                    "household_id", "household_size", "f_per_capita_net", *(f"f_{p}" for p in INCOME_PARTS)
                )
            )
        )
        if rows:
            arr = np.array(rows, dtype=np.float64)
            idx = households.index_of(arr[:, 0].astype(np.int64))
            ok = idx >= 0
            idx, arr = idx[ok], arr[ok]
            self.has_income[idx] = True
            self.income_size[idx] = arr[:, 1]
            self.pcn[idx] = arr[:, 2]
            for j, part in enumerate(INCOME_PARTS):
                self.parts[part][idx] = arr[:, 3 + j]
        self.has_check = np.zeros(n, dtype=bool)
        # True where the condition is NOT met, one column per condition.
        self.short = np.zeros((n, len(CONDITION_COLUMNS)), dtype=bool)
        checks = list(
            households.rows_of(
                HouseholdCondition.objects.filter(year=year).values_list("household_id", *CONDITION_COLUMNS)
            )
        )
        if checks:
            arr = np.array(checks, dtype=np.int64)
            idx = households.index_of(arr[:, 0])
            ok = idx >= 0
            self.has_check[idx[ok]] = True
            self.short[idx[ok]] = arr[ok, 1:] == 0


def year_sizes(households: Households, records: YearRecords) -> np.ndarray:
    """Each household's size in the year: the year's own income record of it wins over today's
    member list (the size the snapshot and the exit assessment both count people by)."""
    return np.where(records.has_income, records.income_size, households.size)


def count_by_area(qs: QuerySet[Any], area_field: str) -> dict[str, int]:
    return dict(qs.values(area_field).annotate(n=Count("id")).values_list(area_field, "n"))


def activity_by_area(prefix: str, year: int) -> dict[str, dict[str, int]]:
    """Counts per area code of the things that happen in a year: measures, visits, alerts."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return {
        "measures_count": count_by_area(
            Measure.objects.filter(within(prefix, "area_id"), day__gte=first, day__lte=last), "area_id"
        ),
        "visits_count": count_by_area(
            Visit.objects.filter(within(prefix, "area_id"), day__gte=first, day__lte=last), "area_id"
        ),
        "alerts_raised": count_by_area(
            Alert.objects.filter(within(prefix, "area_code"))
            .annotate(y=ExtractYear("raised_at"))
            .filter(y=year),
            "area_code",
        ),
    }


def alerts_now(prefix: str, today: dt.date) -> dict[str, dict[str, int]]:
    waiting = Alert.objects.filter(within(prefix, "area_code"))
    is_open = Q(status=AlertStatus.OPEN)
    is_visited = Q(status=AlertStatus.VISITED)
    overdue = (is_open & Q(visit_due__lt=today)) | (is_visited & Q(decision_due__lt=today))
    return {
        "alerts_open": count_by_area(waiting.filter(is_open | is_visited), "area_code"),
        "alerts_overdue": count_by_area(waiting.filter(overdue), "area_code"),
    }


def paired_households(households: Households, today: dt.date) -> tuple[set[int], set[int]]:
    """Ids of households with an active household pairing of any kind, and of a cadre."""
    active = households.rows_of(
        Pairing.objects.filter(
            Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gt=today)),
            kind__in=HOUSEHOLD_KINDS,
        ).values_list("household_id", "kind")
    )
    any_kind: set[int] = set()
    cadre: set[int] = set()
    for household_id, kind in active:
        any_kind.add(household_id)
        if kind == PairingKind.CADRE_HOUSEHOLD:
            cadre.add(household_id)
    return any_kind, cadre


def visits_in(prefix: str, year: int, until: dt.date) -> dict[int, int]:
    return dict(
        Visit.objects.filter(within(prefix, "area_id"), day__gte=dt.date(year, 1, 1), day__lte=until)
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )


class SettingReader:
    """A local setting for many areas with one query: the nearest area's value, else the default."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.default = SPECS[key].default
        self.found = dict(AreaSetting.objects.filter(key=key).values_list("area_id", "value"))
        self._cache: dict[str, Any] = {}

    def __call__(self, code: str) -> Any:
        if code not in self._cache:
            self._cache[code] = next((self.found[c] for c in lineage(code) if c in self.found), self.default)
        return self._cache[code]


def party_by_area(prefix: str, year: int, today: dt.date) -> dict[str, dict[str, float]]:
    """Work-team figures per village: members serving in the year, check-in days, and their
    yearly grades; and for the check-in rate, per member and month by the attendance page's own
    rule (``grading.month_row``: the setting less approved leave, a part month's share, the
    running month pro rata, nothing before it), the days due and the check-ins credited against
    them, never more than due. Counting every check-in against whole months of the term had
    villages at 105 %: the days beyond 20 a month counted, and members past their term end who
    kept checking in added days and no requirement."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    days_a_month = SettingReader("village_days_per_month")
    serving = TeamMember.objects.filter(
        within(prefix, "area_id"), term_starts_on__lte=last, term_ends_on__gte=first
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
    for (area_id,) in serving.values_list("area_id"):
        out[area_id]["team_members"] += 1
    for area_id, n in (
        CheckIn.objects.filter(within(prefix, "area_id"), day__gte=first, day__lte=last)
        .values("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    ):
        out[area_id]["checkin_days"] += n

    on_teams = list(
        TeamMember.objects.filter(within(prefix, "area_id"), active_between(first, last)).only(
            "id", "area_id", "term_starts_on", "left_on"
        )
    )
    present: dict[tuple[int, int], int] = dict(
        ((member_id, month), n)
        for member_id, month, n in CheckIn.objects.filter(
            within(prefix, "area_id"), day__gte=first, day__lte=last
        )
        .annotate(month=ExtractMonth("day"))
        .values("member_id", "month")
        .annotate(n=Count("id"))
        .values_list("member_id", "month", "n")
    )
    leave: dict[tuple[int, int], int] = defaultdict(int)
    for member_id, first_day, last_day, days in LeaveRequest.objects.filter(
        within(prefix, "area_id"), status=LeaveStatus.APPROVED, first_day__lte=last, last_day__gte=first
    ).values_list("member_id", "first_day", "last_day", "days"):
        for month in range(max(first_day, first).month, min(last_day, last).month + 1):
            m_first, m_last = month_bounds(year, month)
            leave[member_id, month] += leave_inside(first_day, last_day, days, m_first, m_last)
    months = range(1, (today.month if today.year == year else 12) + 1) if today.year >= year else range(0)
    for member in on_teams:
        per_month = int(days_a_month(member.area_id))
        for month in months:
            m_first, m_last = month_bounds(year, month)
            if member.term_starts_on > m_last or (member.left_on is not None and member.left_on < m_first):
                continue
            row = month_row(
                member,
                year,
                month,
                present=present.get((member.pk, month), 0),
                leave=leave[member.pk, month],
                per_month=per_month,
                today=today,
            )
            out[member.area_id]["checkin_required"] += row.due
            out[member.area_id]["checkin_credited"] += row.credited
    for area_id, grade, n in (
        YearlyAssessment.objects.filter(within(prefix, "area_id"), year=year)
        .values("area_id", "grade")
        .annotate(n=Count("id"))
        .values_list("area_id", "grade", "n")
    ):
        out[area_id][f"grade_{grade}"] += n
    return out


def years_with_data(prefix: str, current: int) -> list[int]:
    """From the first year any status change or income is recorded to ``current``."""
    starts: Iterable[int | None] = (
        StatusChange.objects.filter(within(prefix, "household__area_id"))
        .order_by("year")
        .values_list("year", flat=True)
        .first(),
        IncomeRecord.objects.filter(within(prefix, "household__area_id"))
        .order_by("year")
        .values_list("year", flat=True)
        .first(),
    )
    first = min((y for y in starts if y), default=current)
    first = max(first, current - 30)
    return list(range(first, current + 1))
