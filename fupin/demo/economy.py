"""Yearly incomes of demo households, split into the kinds of the national form (domain.md §1.3).

A household's per-capita net income follows its story: below the poverty line while it is
registered poor, above it from the year it exits, inside the monitoring range while monitored,
comfortably above both otherwise. The amounts of each kind are whole yuan that add up exactly to
the net income chosen, so ``registry.income.compute`` gives back the per-capita figure intended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from fupin.demo.people import PersonPlan
from fupin.registry import choices as c
from fupin.registry import income

INCOME_YEARS = tuple(range(2013, 2025))

# National line by income year (domain.md §2; 2017-2019 unconfirmed, 2020 the ≈4000 target).
# After 2020 there is no national poverty line; the demo indexes the 2020 figure for its
# still-poor stragglers so that "below the line" keeps a meaning.
POVERTY_LINE: dict[int, int] = {
    2013: 2736,
    2014: 2800,
    2015: 2855,
    2016: 2952,
    2017: 2952,
    2018: 2995,
    2019: 3218,
    2020: 4000,
    2021: 4100,
    2022: 4250,
    2023: 4400,
    2024: 4550,
}
# Monitoring range by year (domain.md §5: 6000 in 2021 confirmed; later values are the demo's
# assumption, in line with the unconfirmed national figures).
MONITORING_LINE: dict[int, int] = {2021: 6000, 2022: 6300, 2023: 6900, 2024: 7300}

# Yearly amounts per person: rural basic pension, minimum allowance paid, destitute support.
PENSION = dict(
    zip(INCOME_YEARS, (720, 780, 900, 900, 1000, 1080, 1236, 1296, 1416, 1476, 1596, 1716), strict=True)
)
DIBAO = dict(
    zip(INCOME_YEARS, (1200, 1300, 1450, 1600, 1750, 1900, 2050, 2200, 2300, 2400, 2500, 2600), strict=True)
)
TEKUN = dict(
    zip(INCOME_YEARS, (2600, 2900, 3200, 3500, 3900, 4300, 4700, 5000, 5300, 5600, 5900, 6200), strict=True)
)


def line(year: int) -> int:
    return POVERTY_LINE[year]


def monitoring_line(year: int) -> int:
    return MONITORING_LINE.get(year, 0)


@dataclass(slots=True)
class Story:
    """The years that shape a household's income."""

    registered: int | None
    exited: int | None
    monitored: int | None
    eliminated: int | None
    sudden_hardship: bool  # 突发严重困难户: income above the range, spending crushing it


def per_capita_path(rng: random.Random, story: Story, *, migrant: bool) -> dict[int, float]:
    """Per-capita net income for each income year."""
    path: dict[int, float] = {}
    base = rng.lognormvariate(8.62, 0.42)  # median ≈ 5,500 yuan in 2013
    growth = rng.uniform(0.07, 0.12)
    poor_ratio = rng.uniform(0.5, 0.85)
    exit_ratio = rng.uniform(1.12, 1.6)
    exit_growth = rng.uniform(0.10, 0.17)
    value = base
    for year in INCOME_YEARS:
        if year > INCOME_YEARS[0]:
            # 2020: migrant work stopped for months.
            step = 0.01 if year == 2020 and migrant else growth + rng.uniform(-0.03, 0.03)
            value *= 1 + step
        pc = max(value, line(year) * rng.uniform(1.15, 1.35))
        if story.registered is not None:
            poor_from = story.registered - 1  # registration in year Y rests on the income of Y-1
            poor_until = story.exited if story.exited is not None else INCOME_YEARS[-1] + 1
            if year < poor_from:
                pc = line(year) * rng.uniform(1.02, 1.25)
            elif year < poor_until:
                ratio = min(0.92, poor_ratio + 0.02 * (year - poor_from) + rng.uniform(-0.03, 0.03))
                pc = line(year) * ratio
            else:
                pc = line(year) * exit_ratio * (1 + exit_growth) ** (year - poor_until)
        if year in MONITORING_LINE and not (story.registered is not None and story.exited is None):
            threshold = monitoring_line(year)
            monitored_now = story.monitored is not None and story.monitored <= year
            if monitored_now and (story.eliminated is None or year < story.eliminated):
                if not story.sudden_hardship:
                    pc = rng.uniform(max(line(year) * 1.1, threshold * 0.7), threshold * 0.96)
                else:
                    pc = max(pc, threshold * rng.uniform(1.05, 1.3))
            else:
                pc = max(pc, threshold * rng.uniform(1.08, 1.4))
        path[year] = pc
    return path


def household_size(members: list[PersonPlan], year: int) -> int:
    return max(1, sum(1 for m in members if m.born.year <= year))


@dataclass(slots=True)
class Holdings:
    """What a household owns or receives that turns into transfers and property income."""

    forest_mu: float
    returned_mu: float
    cultivated_mu: float
    family_planning: bool
    dibao_from: int | None
    tekun_from: int | None
    cooperative: bool
    land_rent: int
    cost_ratio: float
    wage_share: float


def amounts_for_year(
    rng: random.Random, year: int, pc: float, members: list[PersonPlan], holdings: Holdings
) -> tuple[dict[str, Decimal], int]:
    """The input amounts of one income record and the household size they are divided by."""
    size = household_size(members, year)
    net_total = round(pc * size)
    elderly = [m for m in members if m.age_in(year) >= 60]
    transfers = {
        "transfer_pension": PENSION[year] * sum(1 for m in elderly if m.pension_insurance),
        "transfer_family_planning": (
            960 * sum(1 for m in elderly if m.relation in (c.Relation.HEAD, c.Relation.SPOUSE))
            if holdings.family_planning
            else 0
        ),
        "transfer_dibao": (
            DIBAO[year] * size if holdings.dibao_from is not None and year >= holdings.dibao_from else 0
        ),
        "transfer_tekun": (
            TEKUN[year] * size if holdings.tekun_from is not None and year >= holdings.tekun_from else 0
        ),
        "transfer_eco": round(holdings.forest_mu * 15 + holdings.returned_mu * 120),
        "transfer_other": round(holdings.cultivated_mu * (100 if year >= 2016 else 90)),
    }
    cap = int(net_total * 0.8)
    total_transfers = sum(transfers.values())
    if total_transfers > cap:
        scale = cap / total_transfers
        transfers = {k: int(v * scale) for k, v in transfers.items()}
        total_transfers = sum(transfers.values())
    rest = net_total - total_transfers
    prop = holdings.land_rent
    if holdings.cooperative and year >= 2016:
        prop += rng.randint(200, 800)
    prop = min(prop, int(rest * 0.3))
    rest -= prop
    wage = int(rest * holdings.wage_share)
    business_net = rest - wage
    costs = round(business_net * holdings.cost_ratio / (1 - holdings.cost_ratio))
    values = {
        "wage": wage,
        "business": business_net + costs,
        "property": prop,
        "business_costs": costs,
        **transfers,
    }
    return {k: Decimal(v) for k, v in values.items()}, size


def totals(amounts: dict[str, Decimal], size: int) -> income.IncomeTotals:
    return income.compute(amounts, size)
