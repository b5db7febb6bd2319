"""The indicator catalogue: every figure the dashboards, maps and standard tables show, declared
once with its Chinese name (through the translation catalogue), definition, unit and formula.

Values are computed by ``stats.engine`` and stored per (area, year) in ``stats.Snapshot``; a
page never computes an indicator itself. "Year" means the state at the end of that year; for
the current year, the state at the last refresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fupin.registry.choices import Cause, MonitoringCategory

# Units, shown after a value.
HOUSEHOLDS = pgettext_lazy("unit", "households")
PEOPLE = pgettext_lazy("unit", "people")
PERCENT = "%"
YUAN = pgettext_lazy("unit", "yuan")
INDEX = ""
COUNT = pgettext_lazy("unit", "items")


@dataclass(frozen=True)
class Indicator:
    key: str
    name: Promise
    unit: Promise | str
    definition: Promise
    formula: str
    section: str
    # "count" values are integers and are hidden below the small-cell threshold in public views;
    # a ratio names the count it rests on (``base``), and is hidden when that count is.
    kind: str = "count"
    base: str = ""
    # Figures about the present only (open alerts, current pairings): kept for the current year.
    current_only: bool = False
    # Decimal places shown.
    places: int = 0


SECTIONS: dict[str, Promise] = {
    "registry": _("Registered households"),
    "income": _("Income"),
    "causes": _("Main causes of poverty"),
    "conditions": _("Two assurances and three guarantees"),
    "measures": _("Poverty measures"),
    "assistance": _("Assistance coverage"),
    "monitoring": _("Monitoring and alerts"),
    "party": _("Party building"),
}

_REGISTRY = [
    Indicator(
        "covered_households",
        _("households on file"),
        HOUSEHOLDS,
        _("Households registered poor, exited, monitored or risk-eliminated at the end of the year."),
        "count(status_at_year_end ≠ none)",
        "registry",
    ),
    Indicator(
        "covered_people",
        _("people on file"),
        PEOPLE,
        _("Members of the households on file."),
        "Σ household size, status_at_year_end ≠ none",
        "registry",
    ),
    Indicator(
        "poor_households",
        _("registered poor households"),
        HOUSEHOLDS,
        _("Households registered poor and not yet exited at the end of the year."),
        "count(status_at_year_end = poor)",
        "registry",
    ),
    Indicator(
        "poor_people",
        _("registered poor people"),
        PEOPLE,
        _("Members of the registered poor households."),
        "Σ household size, status_at_year_end = poor",
        "registry",
    ),
    Indicator(
        "population",
        _("incidence denominator"),
        PEOPLE,
        _(
            "The population that divides the poor: the agricultural-registered population unless the "
            "assessment setting names the rural resident population; the area's own figure, else the "
            "sum of its sub-areas' figures. A sub-area with no households on file in the year and no "
            "figure (a county not yet on the system) is left out of the sum; one with households on "
            "file and no figure leaves the sum unknown."
        ),
        "AreaPopulation(area, year)",
        "registry",
        kind="figure",
    ),
    Indicator(
        "incidence",
        _("poverty incidence"),
        PERCENT,
        _("Registered poor people as a share of the incidence denominator."),
        "poor_people ÷ population × 100",
        "registry",
        kind="ratio",
        base="poor_people",
        places=2,
    ),
    Indicator(
        "exited_households",
        _("households exited this year"),
        HOUSEHOLDS,
        _("Households whose exit from poverty was approved in the year."),
        "count(status change to exited in year)",
        "registry",
    ),
    Indicator(
        "exited_people",
        _("people exited this year"),
        PEOPLE,
        _("Members of the households exited in the year."),
        "Σ household size, exited in year",
        "registry",
    ),
    Indicator(
        "exited_total_households",
        _("exited households in all"),
        HOUSEHOLDS,
        _(
            "Households lifted out by the end of the year: every household with at least one exit "
            "(a status change to exited) dated in the year or before, counted once however many "
            "times it exited, and still counted after a return to poverty or to monitoring."
        ),
        "count(distinct household with status change to exited, year ≤ Y)",
        "registry",
    ),
    Indicator(
        "monitored_households",
        _("monitored households"),
        HOUSEHOLDS,
        _("Households under monitoring against return to poverty at the end of the year."),
        "count(status_at_year_end = monitored)",
        "registry",
    ),
    Indicator(
        "monitored_people",
        _("monitored people"),
        PEOPLE,
        _("Members of the monitored households."),
        "Σ household size, status_at_year_end = monitored",
        "registry",
    ),
    Indicator(
        "monitored_per_thousand",
        _("monitored households per thousand on file"),
        "‰",
        _("Monitored households for every thousand households on file."),
        "monitored_households ÷ covered_households × 1000",
        "registry",
        kind="ratio",
        base="monitored_households",
        places=1,
    ),
    Indicator(
        "eliminated_households",
        _("risk-eliminated households"),
        HOUSEHOLDS,
        _("Households whose risk was eliminated, at the end of the year."),
        "count(status_at_year_end = eliminated)",
        "registry",
    ),
]

_MONITORED_BY_CATEGORY = [
    Indicator(
        f"monitored_{category.value}",
        category.label,
        HOUSEHOLDS,
        _(
            "Monitored households of this category at the end of the year: the category set by "
            "the household's last inclusion in monitoring or change of category dated in the year "
            "or before, whether or not the case that set it has closed."
        ),
        f"count(status_at_year_end = monitored, category_at_year_end = {category.value})",
        "monitoring",
    )
    for category in MonitoringCategory
]

_INCOME = [
    Indicator(
        "income_households",
        _("households with an income record"),
        HOUSEHOLDS,
        _("Households on file with an income record for the year."),
        "count(income record of year)",
        "income",
    ),
    Indicator(
        "income_mean",
        _("per-capita net income (mean)"),
        YUAN,
        _("Net income of the households with a record divided by their members."),
        "Σ (per-capita net × size) ÷ Σ size",
        "income",
        kind="ratio",
        base="income_households",
        places=0,
    ),
    Indicator(
        "income_median",
        _("per-capita net income (median)"),
        YUAN,
        _("The median of the households' per-capita net income (halfway between the middle two)."),
        "median(per-capita net) over households",
        "income",
        kind="ratio",
        base="income_households",
        places=0,
    ),
    *[
        Indicator(
            f"share_{part}",
            label,
            PERCENT,
            _("This part's share of the households' total income."),
            f"Σ {part} ÷ Σ (wage + business + property + transfer) × 100",
            "income",
            kind="ratio",
            base="income_households",
            places=1,
        )
        for part, label in (
            ("wage", _("share of wage income")),
            ("business", _("share of business income")),
            ("property", _("share of property income")),
            ("transfer", _("share of transfer income")),
        )
    ],
]

_CAUSES = [
    Indicator(
        f"cause_{cause.value}",
        cause.label,
        HOUSEHOLDS,
        _("Registered poor households whose main cause of poverty is this one."),
        f"count(status_at_year_end = poor, main_cause = {cause.value})",
        "causes",
    )
    for cause in Cause
]

CONDITION_FIELDS = {
    "food": ("food_secure", _("short of food")),
    "clothing": ("clothing_secure", _("short of clothing")),
    "education": ("education_secured", _("compulsory education not secured")),
    "medical": ("medical_secured", _("basic medical care not secured")),
    "housing": ("housing_secured", _("safe housing not secured")),
    "water": ("water_secured", _("safe drinking water not secured")),
}

_CONDITIONS = [
    Indicator(
        "checked_households",
        _("households checked"),
        HOUSEHOLDS,
        _("Households on file with a living-condition check for the year."),
        "count(condition check of year)",
        "conditions",
    ),
    *[
        Indicator(
            f"short_{name}",
            label,
            HOUSEHOLDS,
            _("Checked households where this condition is not met."),
            f"count({field} = false)",
            "conditions",
        )
        for name, (field, label) in CONDITION_FIELDS.items()
    ],
    Indicator(
        "short_any",
        _("households short of any assurance"),
        HOUSEHOLDS,
        _("Checked households where at least one of the six conditions is not met."),
        "count(any condition = false)",
        "conditions",
    ),
]

# The Alkire–Foster index's indicators: income below the line, then the six conditions.
MPI_DIMENSIONS = ("income", *CONDITION_FIELDS)

_MEASURES = [
    Indicator(
        "measured_people",
        _("people measured"),
        PEOPLE,
        _(
            "Members of the households on file with an income record; the poverty measures weigh each "
            "household by its members."
        ),
        "Σ size over households with an income record",
        "measures",
    ),
    Indicator(
        "fgt0",
        _("headcount ratio P0"),
        INDEX,
        _("Share of people in households whose per-capita net income is below the poverty line."),
        "Σ w·[y<z] ÷ Σ w",
        "measures",
        kind="ratio",
        base="measured_people",
        places=4,
    ),
    Indicator(
        "fgt1",
        _("poverty gap index P1"),
        INDEX,
        _("Mean shortfall from the line, as a share of the line, counting the non-poor as zero."),
        "Σ w·[y<z]·(z−y)/z ÷ Σ w",
        "measures",
        kind="ratio",
        base="measured_people",
        places=4,
    ),
    Indicator(
        "fgt2",
        _("squared poverty gap P2"),
        INDEX,
        _("Mean squared shortfall: weighs the poorest most."),
        "Σ w·[y<z]·((z−y)/z)² ÷ Σ w",
        "measures",
        kind="ratio",
        base="measured_people",
        places=4,
    ),
    Indicator(
        "watts",
        _("Watts index"),
        INDEX,
        _("Mean log distance of the poor below the line; incomes under 1 yuan count as 1 yuan."),
        "Σ w·[y<z]·ln(z/max(y,1)) ÷ Σ w",
        "measures",
        kind="ratio",
        base="measured_people",
        places=4,
    ),
    Indicator(
        "gini",
        _("Gini coefficient"),
        INDEX,
        _("Inequality of per-capita net income among the people measured (0 equal, 1 unequal)."),
        "Σᵢ Σⱼ wᵢwⱼ|yᵢ−yⱼ| ÷ (2 (Σw)² ȳ)",
        "measures",
        kind="ratio",
        base="measured_people",
        places=4,
    ),
    Indicator(
        "mpi_people",
        _("people in the multidimensional index"),
        PEOPLE,
        _("Members of households with both an income record and a condition check for the year."),
        "Σ size over households with both",
        "measures",
    ),
    Indicator(
        "mpi_h",
        _("multidimensional headcount H"),
        INDEX,
        _("Share of people whose weighted deprivation score reaches the cutoff k."),
        "Σ w·[c≥k] ÷ Σ w",
        "measures",
        kind="ratio",
        base="mpi_people",
        places=4,
    ),
    Indicator(
        "mpi_a",
        _("intensity A"),
        INDEX,
        _("Average deprivation score among the multidimensionally poor."),
        "Σ w·c·[c≥k] ÷ Σ w·[c≥k]",
        "measures",
        kind="ratio",
        base="mpi_people",
        places=4,
    ),
    Indicator(
        "mpi_m0",
        _("adjusted headcount M0"),
        INDEX,
        _("H × A: the multidimensional poverty index."),
        "Σ w·c·[c≥k] ÷ Σ w",
        "measures",
        kind="ratio",
        base="mpi_people",
        places=4,
    ),
    *[
        Indicator(
            f"mpi_contrib_{name}",
            label,
            PERCENT,
            _("This indicator's share of M0: its weight times its censored headcount, over M0."),
            f"wⱼ · Σ w·g_{name}·[c≥k] ÷ Σ w ÷ M0 × 100",
            "measures",
            kind="ratio",
            base="mpi_people",
            places=1,
        )
        for name, label in (
            ("income", _("contribution of income")),
            ("food", _("contribution of food")),
            ("clothing", _("contribution of clothing")),
            ("education", _("contribution of education")),
            ("medical", _("contribution of medical care")),
            ("housing", _("contribution of housing")),
            ("water", _("contribution of drinking water")),
        )
    ],
]

_ASSISTANCE = [
    Indicator(
        "helped_households",
        _("poor and monitored households now"),
        HOUSEHOLDS,
        _("Households that are registered poor or monitored now: those that must have a cadre."),
        "count(status ∈ {poor, monitored})",
        "assistance",
        current_only=True,
    ),
    Indicator(
        "no_cadre_households",
        _("households without a cadre"),
        HOUSEHOLDS,
        _("Poor or monitored households with no active cadre or party-member pairing."),
        "count(helped, no active household pairing)",
        "assistance",
        current_only=True,
    ),
    Indicator(
        "below_visit_minimum",
        _("households below the visit minimum"),
        HOUSEHOLDS,
        _("Poor or monitored households with fewer home visits this year than the minimum expected so far."),
        "count(helped, visits this year < minimum × months elapsed ÷ 12)",
        "assistance",
        current_only=True,
    ),
    Indicator(
        "measures_count",
        _("assistance measures"),
        COUNT,
        _("Assistance measures recorded in the year."),
        "count(measures in year)",
        "assistance",
    ),
    Indicator(
        "visits_count",
        _("home visits"),
        COUNT,
        _("Home visits recorded in the year."),
        "count(visits in year)",
        "assistance",
    ),
]

_ALERTS = [
    Indicator(
        "alerts_raised",
        _("alerts raised"),
        COUNT,
        _("Alerts raised in the year, from every channel."),
        "count(alerts raised in year)",
        "monitoring",
    ),
    Indicator(
        "alerts_open",
        _("alerts open"),
        COUNT,
        _("Alerts waiting for a home visit or a decision now."),
        "count(status ∈ {open, visited})",
        "monitoring",
        current_only=True,
    ),
    Indicator(
        "alerts_overdue",
        _("alerts overdue"),
        COUNT,
        _("Open alerts past their visit date, or visited ones past their decision date."),
        "count(open ∧ visit_due < today) + count(visited ∧ decision_due < today)",
        "monitoring",
        current_only=True,
    ),
]

_PARTY = [
    Indicator(
        "team_members",
        _("work-team members"),
        PEOPLE,
        _("Work-team members in service at some time in the year."),
        "count(members whose term overlaps the year)",
        "party",
    ),
    Indicator(
        "checkin_days",
        _("check-in days"),
        COUNT,
        _("Days work-team members checked in, in the year."),
        "count(check-ins in year)",
        "party",
    ),
    Indicator(
        "checkin_rate",
        _("check-in attendance"),
        PERCENT,
        _(
            "Check-in days credited as a share of the days due, member by member and month by month as on "
            "the attendance page: the days a month less approved leave, a share of it for a part month, "
            "the running month pro rata to the days gone, none after today. Days beyond those due in a "
            "month are not credited, so the rate never exceeds 100%."
        ),
        "Σ min(check-ins, days due) ÷ Σ days due × 100, per member and month",
        "party",
        kind="ratio",
        base="team_members",
        places=1,
    ),
    *[
        Indicator(
            f"grade_{grade}",
            label,
            PEOPLE,
            _("Work-team members given this grade for the year."),
            f"count(yearly assessment grade = {grade})",
            "party",
        )
        for grade, label in (
            ("excellent", _("graded excellent")),
            ("competent", _("graded competent")),
            ("basic", _("graded basically competent")),
            ("unfit", _("graded not competent")),
        )
    ],
]

INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        *_REGISTRY,
        *_MONITORED_BY_CATEGORY,
        *_INCOME,
        *_CAUSES,
        *_CONDITIONS,
        *_MEASURES,
        *_ASSISTANCE,
        *_ALERTS,
        *_PARTY,
    ]
}

# The trend lines of the area overview, like seed 003's 表1.
TREND_KEYS = ("poor_people", "incidence", "poor_households", "monitored_households", "income_mean")


def by_section() -> list[tuple[str, Promise, list[Indicator]]]:
    return [
        (section, label, [i for i in INDICATORS.values() if i.section == section])
        for section, label in SECTIONS.items()
    ]
