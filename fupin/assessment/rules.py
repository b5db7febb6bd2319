"""Exit assessment rules (贫困村退出 / 贫困县摘帽, domain.md §4 and §10): pure arithmetic, no database.

Every default threshold lives here and nowhere else; an area may override each one through
``AssessmentSetting`` (queries.thresholds_for resolves the nearest setting up the area tree).

Rates are compared exactly — ``part × 100 < limit × whole`` on integers and Decimals — so a
rate of exactly 2% fails "< 2%" and exactly 90% passes "≥ 90%"; rounding is for display only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

# 西部地区 (western region), by 2-digit province code: 内蒙古 广西 重庆 四川 贵州 云南 西藏 陕西 甘肃
# 青海 宁夏 新疆. The default only: a province's own AssessmentSetting.western_standard says
# otherwise (read at the province, queries.thresholds_for). Hunan (43) is central, not western.
WEST_PROVINCES: frozenset[str] = frozenset(
    {"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
)

# Percentages. Village and county exit: incidence below 2%, below 3% in the west (厅字〔2016〕16号).
INCIDENCE_MAX = Decimal("2")
INCIDENCE_MAX_WEST = Decimal("3")
# County special assessment gates (国务院扶贫办 专项评估检查实施办法, 2017).
WRONG_EXIT_MAX = Decimal("2")
MISSED_POOR_MAX = Decimal("2")
APPROVAL_MIN = Decimal("90")

HUNDRED = Decimal("100")
DISPLAY = Decimal("0.01")


def default_incidence_max(area_code: str, western: bool | None = None) -> Decimal:
    """2%, or 3% where the western standard applies (by the province's setting, else the list)."""
    if western is None:
        western = area_code[:2] in WEST_PROVINCES
    return INCIDENCE_MAX_WEST if western else INCIDENCE_MAX


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


OUTCOME_LABELS = {
    Outcome.PASS: _("pass"),
    Outcome.FAIL: _("fail"),
    Outcome.UNKNOWN: _("unknown"),
}

GATE_LABELS = {
    "incidence": _("Registered-poor incidence"),
    "wrong_exit": _("Wrong-exit rate"),
    "missed_poor": _("Missed-poor rate"),
    "approval": _("Public approval"),
}


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole as a percentage, for display; None when there is nothing to divide by."""
    if whole is None or whole <= 0:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def shown(value: Decimal | None) -> str:
    """A percentage rounded half-up to two places, as the page and the export show it."""
    if value is None:
        return "—"
    return f"{value.quantize(DISPLAY, rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Gate:
    """One criterion: ``part`` of ``whole`` compared with ``limit`` percent."""

    key: str
    part: int | None
    whole: int | None
    limit: Decimal
    below: bool  # True: the rate must be below the limit; False: at least the limit

    @property
    def rate(self) -> Decimal | None:
        return None if self.part is None else percent(self.part, self.whole)

    @property
    def outcome(self) -> Outcome:
        if self.part is None or self.whole is None or self.whole <= 0:
            return Outcome.UNKNOWN
        # Exact: both sides are integers times short Decimals, no division involved.
        scaled = Decimal(self.part) * HUNDRED
        bound = self.limit * Decimal(self.whole)
        passed = scaled < bound if self.below else scaled >= bound
        return Outcome.PASS if passed else Outcome.FAIL

    @property
    def label(self) -> str:
        return str(GATE_LABELS[self.key])

    @property
    def comparison(self) -> str:
        return f"< {self.limit.normalize():f}%" if self.below else f"≥ {self.limit.normalize():f}%"

    @property
    def rate_shown(self) -> str:
        return shown(self.rate)


def overall(gates: list[Gate]) -> Outcome:
    """Failing any gate means no exit; all must pass for a pass; otherwise we cannot tell yet."""
    outcomes = [g.outcome for g in gates]
    if Outcome.FAIL in outcomes:
        return Outcome.FAIL
    if all(o == Outcome.PASS for o in outcomes):
        return Outcome.PASS
    return Outcome.UNKNOWN


@dataclass(frozen=True)
class Thresholds:
    incidence_max: Decimal
    wrong_exit_max: Decimal = WRONG_EXIT_MAX
    missed_poor_max: Decimal = MISSED_POOR_MAX
    approval_min: Decimal = APPROVAL_MIN
    denominator_kind: str = "agricultural_registered"
    # Whether the western-region standard applies, and the province whose setting says so
    # ("" when it comes from the built-in list of western provinces).
    western: bool = False
    western_source: str = ""
    province_name: str = ""
    # Which area set each value ("" for the built-in default), so the page can say where it comes from.
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sampling:
    """The counts of a county's special assessment sample (专项评估检查)."""

    sampled_exited: int
    wrongly_exited: int
    sampled_unregistered: int
    missed_poor: int
    surveyed_households: int
    approving_households: int


def incidence_gate(poor_people: int, denominator: int | None, limit: Decimal) -> Gate:
    return Gate("incidence", poor_people, denominator, limit, below=True)


def county_gates(
    poor_people: int, denominator: int | None, sampling: Sampling | None, limits: Thresholds
) -> list[Gate]:
    def pair(part: str, whole: str) -> tuple[int | None, int | None]:
        # No sampling recorded: the gate is unknown, never a pass.
        if sampling is None:
            return None, None
        return getattr(sampling, part), getattr(sampling, whole)

    return [
        incidence_gate(poor_people, denominator, limits.incidence_max),
        Gate("wrong_exit", *pair("wrongly_exited", "sampled_exited"), limits.wrong_exit_max, below=True),
        Gate("missed_poor", *pair("missed_poor", "sampled_unregistered"), limits.missed_poor_max, below=True),
        Gate(
            "approval", *pair("approving_households", "surveyed_households"), limits.approval_min, below=False
        ),
    ]


def comprehensive_incidence(
    poor_people: int, denominator: int | None, sampling: Sampling | None
) -> Decimal | None:
    """综合贫困发生率 as (未脱贫 + 错退 + 漏评) / denominator — the formula is UNCONFIRMED (domain.md
    §10) and the sample's counts are not extrapolated to the county, so it is shown for
    information only and never decides a gate."""
    if sampling is None:
        return None
    return percent(poor_people + sampling.wrongly_exited + sampling.missed_poor, denominator)
