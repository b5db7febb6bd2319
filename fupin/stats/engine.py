"""Computing every indicator of the catalogue for the areas inside one prefix, year by year.

Household-level figures are summed per village (or village group) and those sums are rolled
up to every level inside the prefix; the two figures that are not sums (the median income and
the Gini coefficient) are computed from the households of each area directly. What is stored
per (area, year) is the additive ``parts`` and the ``values`` derived from them, so an area
above the prefix can later be re-derived by summing its children's parts (``derive``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from fupin.areas.models import PREFIX_LENGTH, Area, full_code
from fupin.assessment.models import AreaPopulation, AssessmentSetting, DenominatorKind
from fupin.assistance.visits import COUNTED_STATUSES, expected_so_far, months_elapsed
from fupin.cases.area_settings import lineage
from fupin.core.errors import FupinError
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import poverty_line_for
from fupin.stats import measures
from fupin.stats.catalogue import CONDITION_FIELDS, INDICATORS, MPI_DIMENSIONS
from fupin.stats.errors import StatsError
from fupin.stats.sources import (
    CATEGORIES,
    CAUSES,
    INCOME_PARTS,
    STATUS,
    Households,
    SettingReader,
    YearRecords,
    activity_by_area,
    alerts_now,
    paired_households,
    party_by_area,
    visits_in,
    within,
    year_sizes,
)

NONE, POOR, EXITED, MONITORED, ELIMINATED = (
    STATUS[s]
    for s in (
        HouseholdStatus.NONE,
        HouseholdStatus.POOR,
        HouseholdStatus.EXITED,
        HouseholdStatus.MONITORED,
        HouseholdStatus.RISK_ELIMINATED,
    )
)
# Not sums: computed per area from its households, carried over by an incremental roll-up.
NOT_ADDITIVE = ("income_median", "gini")
AREA_COUNTS = (
    "measures_count",
    "visits_count",
    "alerts_raised",
    "alerts_open",
    "alerts_overdue",
    "team_members",
    "checkin_days",
    "checkin_required",
    "checkin_credited",
    "grade_excellent",
    "grade_competent",
    "grade_basic",
    "grade_unfit",
)


@dataclass
class Scope:
    """The areas computed together: every area inside ``prefix`` (all areas when empty)."""

    prefix: str
    codes: list[str]
    levels: np.ndarray
    parents: list[str]

    @classmethod
    def load(cls, prefix: str) -> Scope:
        rows = list(
            Area.objects.filter(within(prefix, "code"))
            .order_by("code")
            .values_list("code", "level", "parent_id")
        )
        return cls(
            prefix,
            [r[0] for r in rows],
            np.array([r[1] for r in rows], dtype=np.int8),
            [r[2] or "" for r in rows],
        )

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.codes)}

    def ancestry(self, code: str) -> list[int]:
        """Indexes of ``code``'s area and its ancestors inside the scope (a code not in the
        area table counts for its village and above)."""
        out = []
        for level, n in PREFIX_LENGTH.items():
            # A group's code is its own 15 digits; every other level pads a prefix.
            candidate = (code if len(code) > 12 else "") if level == 6 else full_code(code[:n])
            i = self.index.get(candidate, -1) if candidate else -1
            if i >= 0:
                out.append(i)
        return out


class Rollup:
    """Sums per household, or per area code, into every scope area that contains them."""

    def __init__(self, scope: Scope, household_codes: list[str]) -> None:
        self.scope = scope
        self.n = len(scope.codes)
        # Distinct household area codes → the scope areas (up to six) containing each.
        leaves = sorted(set(household_codes))
        leaf_of = {code: i for i, code in enumerate(leaves)}
        self.household_leaf = np.fromiter(
            (leaf_of[c] for c in household_codes), dtype=np.int64, count=len(household_codes)
        )
        pairs = [(leaf, area) for leaf, code in enumerate(leaves) for area in scope.ancestry(code)]
        self.pair_leaf = np.array([p[0] for p in pairs], dtype=np.int64)
        self.pair_area = np.array([p[1] for p in pairs], dtype=np.int64)
        self.n_leaves = len(leaves)

    def households(self, values: np.ndarray) -> np.ndarray:
        """Σ values over the households of each scope area."""
        by_leaf = np.bincount(self.household_leaf, weights=values.astype(np.float64), minlength=self.n_leaves)
        return np.bincount(self.pair_area, weights=by_leaf[self.pair_leaf], minlength=self.n)

    def codes(self, counts: dict[str, float]) -> np.ndarray:
        """Σ counts keyed by area code over each scope area."""
        out = np.zeros(self.n)
        for code, value in counts.items():
            for i in self.scope.ancestry(code):
                out[i] += value
        return out

    def group_index(self, level: int) -> np.ndarray:
        """For each household, the index of its scope area at ``level`` (-1 if none)."""
        at_level = self.scope.levels[self.pair_area] == level
        leaf_area = np.full(self.n_leaves, -1, dtype=np.int64)
        leaf_area[self.pair_leaf[at_level]] = self.pair_area[at_level]
        return leaf_area[self.household_leaf]


def _grouped(index: np.ndarray, y: np.ndarray, w: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(group, y, w) per group, the group's y sorted ascending."""
    keep = index >= 0
    index, y, w = index[keep], y[keep], w[keep]
    if index.size == 0:
        return
    order = np.lexsort((y, index))
    index, y, w = index[order], y[order], w[order]
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    ends = np.r_[starts[1:], index.size]
    for s, e in zip(starts, ends, strict=True):
        yield int(index[s]), y[s:e], w[s:e]


@dataclass(frozen=True)
class MpiSettings:
    weights: np.ndarray
    cutoff: float


def mpi_settings(province: str) -> MpiSettings:
    """The province's weights and cutoff; weights that do not add up to 1 stop the refresh
    with a message naming the province, not a quietly wrong index."""
    readers = [SettingReader(f"mpi_weight_{name}") for name in MPI_DIMENSIONS]
    fractions = [Fraction(str(r(province))) for r in readers]
    total = sum(fractions, Fraction(0))
    if total != 1:
        name = Area.objects.filter(code=province).values_list("name", flat=True).first() or province
        raise FupinError(StatsError.WEIGHTS_NOT_ONE, area=name, total=str(total))
    return MpiSettings(
        np.array([float(f) for f in fractions]), float(Fraction(str(SettingReader("mpi_cutoff")(province))))
    )


def _denominator_kinds(scope: Scope) -> list[str]:
    found = dict(
        AssessmentSetting.objects.exclude(denominator_kind="").values_list("area_id", "denominator_kind")
    )
    default = DenominatorKind.AGRICULTURAL_REGISTERED.value
    return [next((found[c] for c in lineage(code) if c in found), default) for code in scope.codes]


def populations(scope: Scope, year: int, on_file: np.ndarray | None = None) -> list[float | None]:
    """Each area's own figure of the kind its setting names; else the sum of its children's
    figures (``sum_of_children``); else unknown. ``on_file[i]``: area i has households on file
    in the year (all of them when not given)."""
    kinds = _denominator_kinds(scope)
    rows = AreaPopulation.objects.filter(within(scope.prefix, "area_id"), year=year).values_list(
        "area_id", "agricultural_registered", "rural_resident"
    )
    own: dict[int, float] = {}
    for code, agricultural, rural in rows:
        i = scope.index.get(code)
        if i is None:
            continue
        figure = rural if kinds[i] == DenominatorKind.RURAL_RESIDENT else agricultural
        if figure:
            own[i] = float(figure)
    out: list[float | None] = [own.get(i) for i in range(len(scope.codes))]
    children: dict[int, list[int]] = {}
    for i, parent in enumerate(scope.parents):
        if parent in scope.index:
            children.setdefault(scope.index[parent], []).append(i)
    for i in sorted(range(len(scope.codes)), key=lambda i: -int(scope.levels[i])):
        kids = children.get(i)
        if out[i] is None and kids:
            out[i] = sum_of_children(
                [(out[k], True if on_file is None else bool(on_file[k])) for k in kids]
            )
    return out


def sum_of_children(children: list[tuple[float | None, bool]]) -> float | None:
    """An area's incidence denominator from its children's (figure, has households on file).

    A child with households on file and no figure makes the sum unknown: its poor would be
    counted over nobody. A child with no household on file and no figure is left out — a county
    not yet on the system (as the other counties of the demo's prefecture) must not blank its
    prefecture and province for every year, and it adds no poor to the numerator either. A
    child with a figure counts, households or not (a village with none registered poor still
    has its people). Unknown when no child has a figure."""
    if any(figure is None and on_file for figure, on_file in children):
        return None
    figures = [figure for figure, _ in children if figure is not None]
    return float(sum(figures)) if figures else None


def compute_year(
    scope: Scope,
    households: Households,
    rollup: Rollup,
    year: int,
    *,
    today: dt.date,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(values, parts) for every scope area in ``year``."""
    prefix = scope.prefix
    parts: dict[str, np.ndarray] = {}
    status = households.status_at_end_of(year)
    size = households.size
    records = YearRecords(households, prefix, year)
    size_y = year_sizes(households, records)
    covered = status != NONE

    def add(key: str, mask: np.ndarray, weight: np.ndarray | None = None) -> None:
        parts[key] = rollup.households(mask if weight is None else np.where(mask, weight, 0.0))

    add("covered_households", covered)
    add("covered_people", covered, size_y)
    add("poor_households", status == POOR)
    add("poor_people", status == POOR, size_y)
    exited_now = households.changed_to_in(HouseholdStatus.EXITED, year)
    add("exited_households", exited_now)
    add("exited_people", exited_now, size_y)
    # Lifted out by the end of the year: every household with an exit dated then or before,
    # whatever happened after (the status at year end missed those who fell back, and counted
    # one exited twice once only by luck).
    add("exited_total_households", households.ever_changed_to_by(HouseholdStatus.EXITED, year))
    add("monitored_households", status == MONITORED)
    add("monitored_people", status == MONITORED, size_y)
    add("eliminated_households", status == ELIMINATED)
    category = households.category_at_end_of(year)
    for j, name in enumerate(CATEGORIES):
        add(f"monitored_{name}", (status == MONITORED) & (category == j))
    for j, cause in enumerate(CAUSES):
        add(f"cause_{cause}", (status == POOR) & (households.cause == j))

    # Income and the measures: households on file with a record for the year.
    earning = covered & records.has_income
    add("income_households", earning)
    w = np.where(earning, records.income_size, 0.0)
    y = records.pcn
    parts["income_size_sum"] = rollup.households(w)
    parts["income_net_sum"] = rollup.households(w * y)
    for part in INCOME_PARTS:
        parts[f"income_{part}_sum"] = rollup.households(np.where(earning, records.parts[part], 0.0))
    provinces = sorted({c[:2] for c in households.area_codes})
    lines = np.zeros(households.n)
    mpi_w = np.zeros((households.n, len(MPI_DIMENSIONS)))
    cutoff = np.zeros(households.n)
    province_of = np.array([c[:2] for c in households.area_codes]) if households.n else np.array([])
    for province in provinces:
        line = poverty_line_for(full_code(province), year)
        rows = province_of == province
        lines[rows] = float(line.nominal_line) if line else np.nan
        settings = mpi_settings(full_code(province))
        mpi_w[rows] = settings.weights
        cutoff[rows] = settings.cutoff
    measurable = earning & ~np.isnan(lines)
    wm = np.where(measurable, records.income_size, 0.0)
    z = np.where(measurable, lines, 1.0)
    for alpha in (0, 1, 2):
        parts[f"fgt{alpha}_sum"] = rollup.households(wm * measures.fgt_terms(y, z, alpha) * measurable)
    parts["watts_sum"] = rollup.households(wm * measures.watts_terms(y, z) * measurable)
    parts["measured_people"] = rollup.households(wm)

    # Conditions, and the multidimensional index over income and the six conditions.
    checked = covered & records.has_check
    add("checked_households", checked)
    for j, name in enumerate(CONDITION_FIELDS):
        add(f"short_{name}", checked & records.short[:, j])
    add("short_any", checked & records.short.any(axis=1))
    in_mpi = measurable & records.has_check
    deprived = np.column_stack([y < z, records.short])
    score = (deprived * mpi_w).sum(axis=1)
    # The same tolerance as measures.mpi_parts, so a score of exactly k counts as poor.
    poor_mpi = in_mpi & (score >= cutoff - 1e-9)
    wp = np.where(in_mpi, records.income_size, 0.0)
    parts["mpi_total_w"] = rollup.households(wp)
    parts["mpi_poor_w"] = rollup.households(wp * poor_mpi)
    parts["mpi_score_w"] = rollup.households(wp * score * poor_mpi)
    for j, name in enumerate(MPI_DIMENSIONS):
        parts[f"mpi_wdep_{name}_w"] = rollup.households(wp * deprived[:, j] * poor_mpi * mpi_w[:, j])

    # Counts kept per area code: activity in the year, and party figures.
    for key, counts in activity_by_area(prefix, year).items():
        parts[key] = rollup.codes(counts)
    party = party_by_area(prefix, year, today)
    for key in (
        "team_members",
        "checkin_days",
        "checkin_required",
        "checkin_credited",
        "grade_excellent",
        "grade_competent",
        "grade_basic",
        "grade_unfit",
    ):
        parts[key] = rollup.codes({code: v.get(key, 0.0) for code, v in party.items()})

    current = year == today.year
    if current:
        for key, counts in alerts_now(prefix, today).items():
            parts[key] = rollup.codes(counts)
        # The household file as it stands (every household, by its status now, and the people
        # living in them): what the home page of a county and above shows, read from here
        # instead of counting 80,000 households and 290,000 members on every view.
        parts["file_households"] = rollup.households(np.ones(households.n))
        parts["file_people"] = rollup.households(size)
        for name, number in STATUS.items():
            add(f"file_{name}", households.status == number)
        any_pair, cadre = paired_households(households, today)
        ids = households.ids
        has_any = np.isin(ids, np.fromiter(any_pair, dtype=np.int64, count=len(any_pair)))
        has_cadre = np.isin(ids, np.fromiter(cadre, dtype=np.int64, count=len(cadre)))
        helped = np.isin(households.status, [STATUS[s] for s in COUNTED_STATUSES])
        add("helped_households", helped)
        add("no_cadre_households", helped & ~has_any)
        visits = visits_in(prefix, year, today)
        done = np.fromiter((visits.get(int(i), 0) for i in ids), dtype=np.int64, count=households.n)
        minimum = SettingReader("visits_per_year")
        months = months_elapsed(year, today)
        expected = np.fromiter(
            (expected_so_far(int(minimum(code[:12])), months) for code in households.area_codes),
            dtype=np.int64,
            count=households.n,
        )
        add("below_visit_minimum", (helped | has_cadre) & (done < expected))

    n = len(scope.codes)
    on_file = parts["covered_households"] > 0
    parts["population"] = np.array(
        [np.nan if x is None else x for x in populations(scope, year, on_file)], dtype=float
    )
    parts["income_median"] = np.full(n, np.nan)
    parts["gini"] = np.full(n, np.nan)
    for level in sorted(set(scope.levels.tolist())):
        index = np.where(earning, rollup.group_index(level), -1)
        for group, gy, gw in _grouped(index, y, records.income_size):
            parts["income_median"][group] = measures.median(gy)
            parts["gini"][group] = measures.gini(gy, gw)

    values = derive_arrays(parts, current=current)
    # What is stored as parts: the sums a roll-up needs beyond the counts, which ``values``
    # holds already (halves the rows, which the full refresh spends most of its time writing).
    kept = {k: v for k, v in parts.items() if k not in values or k in NOT_ADDITIVE or k == "population"}
    value_cols = {k: _plain_list(v) for k, v in values.items()}
    part_cols = {k: _plain_list(v) for k, v in kept.items()}
    return [
        ({k: col[i] for k, col in value_cols.items()}, {k: col[i] for k, col in part_cols.items()})
        for i in range(n)
    ]


@dataclass(frozen=True)
class AreaYear:
    """One area's household file at the end of a year, counted by the snapshot's own
    definitions: what the exit assessment reads, so its figures and the statistics agree."""

    poor_ids: np.ndarray  # household ids, ascending
    poor_sizes: np.ndarray  # their size in the year, aligned
    file_people: float  # everyone in the household file, whatever the status, by the year's size
    population: float | None

    @property
    def poor_households(self) -> int:
        return int(self.poor_ids.size)

    @property
    def poor_people(self) -> int:
        return round(float(self.poor_sizes.sum()))


def area_at_end_of(area: Area, year: int) -> AreaYear:
    """Status at the end of ``year`` from the status history, people by the year's household
    size, and the incidence denominator of ``populations`` (own figure, else the children's
    sum) — exactly as ``compute_year`` counts them for the snapshot."""
    prefix = area.prefix
    scope = Scope.load(prefix)
    households = Households(prefix)
    records = YearRecords(households, prefix, year)
    status = households.status_at_end_of(year)
    size = year_sizes(households, records)
    covered = status != NONE
    on_file = Rollup(scope, households.area_codes).households(covered) > 0
    i = scope.index.get(area.code)
    population = populations(scope, year, on_file)[i] if i is not None else None
    poor = status == POOR
    return AreaYear(households.ids[poor], size[poor], float(size.sum()), population)


def _plain_list(column: np.ndarray) -> list[Any]:
    """JSON-ready values: whole numbers as int, nan as None."""
    column = np.asarray(column, dtype=float)
    finite = np.isfinite(column)
    if finite.all() and np.array_equal(column, np.round(column)):
        return column.astype(np.int64).tolist()
    out: list[Any] = column.tolist()
    if not finite.all():
        for i in np.flatnonzero(~finite).tolist():
            out[i] = None
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: whole floats as int, nan as None."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() else value


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """numerator / denominator × scale, nan where the denominator is 0 or unknown."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    ok = np.isfinite(denominator) & (denominator != 0)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator * scale, denominator, out=out, where=ok)
    return out


def derive_arrays(p: dict[str, np.ndarray], *, current: bool) -> dict[str, np.ndarray]:
    """Every indicator's values from the parts, for many areas at once (arrays, nan unknown)."""
    n = len(next(iter(p.values())))
    nothing = np.full(n, np.nan)

    def get(key: str) -> np.ndarray:
        value = p.get(key)
        return nothing if value is None else np.asarray(value, dtype=float)

    v: dict[str, np.ndarray] = {}
    for key, indicator in INDICATORS.items():
        if indicator.kind == "count":
            v[key] = get(key) if (current or not indicator.current_only) else nothing
    v["population"] = get("population")
    v["incidence"] = _ratio(get("poor_people"), get("population"), 100)
    v["monitored_per_thousand"] = _ratio(get("monitored_households"), get("covered_households"), 1000)
    v["income_mean"] = _ratio(get("income_net_sum"), get("income_size_sum"))
    v["income_median"] = get("income_median")
    total = sum((np.nan_to_num(get(f"income_{part}_sum")) for part in INCOME_PARTS), np.zeros(n))
    for part in INCOME_PARTS:
        v[f"share_{part}"] = _ratio(get(f"income_{part}_sum"), total, 100)
    people = get("measured_people")
    v["measured_people"] = people
    for alpha in (0, 1, 2):
        v[f"fgt{alpha}"] = _ratio(get(f"fgt{alpha}_sum"), people)
    v["watts"] = _ratio(get("watts_sum"), people)
    v["gini"] = get("gini")
    total_w = get("mpi_total_w")
    v["mpi_people"] = total_w
    v["mpi_h"] = _ratio(get("mpi_poor_w"), total_w)
    v["mpi_m0"] = _ratio(get("mpi_score_w"), total_w)
    v["mpi_a"] = _ratio(get("mpi_score_w"), get("mpi_poor_w"))
    for name in MPI_DIMENSIONS:
        # wⱼ·Σ w g [c≥k] / Σ w / M0 = Σ w wⱼ g [c≥k] / Σ w c [c≥k]
        v[f"mpi_contrib_{name}"] = _ratio(get(f"mpi_wdep_{name}_w"), get("mpi_score_w"), 100)
    v["checkin_rate"] = _ratio(get("checkin_credited"), get("checkin_required"), 100)
    return v


def derive(p: dict[str, Any], *, current: bool) -> dict[str, Any]:
    """Every indicator's value for one area from its parts (its own, or its children's summed)."""
    arrays = {k: np.array([np.nan if x is None else x], dtype=float) for k, x in p.items()}
    return {k: _plain(col[0]) for k, col in derive_arrays(arrays, current=current).items()}


def sum_parts(
    children: list[tuple[dict[str, Any], dict[str, Any]]], own_population: float | None
) -> dict[str, Any]:
    """An area's parts from its children's (values, parts): the counts are in their values, the
    other sums in their parts (the incremental roll-up above the refreshed scope)."""
    out: dict[str, Any] = {}
    for values, parts in children:
        # A re-derived row's parts hold its counts too: take counts from values only.
        sums = ((k, v) for k, v in parts.items() if k not in COUNT_SET)
        for key, value in [*((k, values.get(k)) for k in COUNT_KEYS), *sums]:
            if key in NOT_ADDITIVE or key == "population" or value is None:
                continue
            out[key] = out.get(key, 0) + value
    if own_population is not None:
        out["population"] = own_population
    else:
        out["population"] = sum_of_children(
            [(parts.get("population"), bool(values.get("covered_households"))) for values, parts in children]
        )
    return {k: _plain(v) if isinstance(v, float) else v for k, v in out.items()}


COUNT_KEYS = tuple(k for k, i in INDICATORS.items() if i.kind == "count")
COUNT_SET = frozenset(COUNT_KEYS)

Progress = Callable[[int, int, str], None]
