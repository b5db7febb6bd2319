"""The demo population of 花垣县, planned in memory from one seed: no database, no clock.

The story follows 湘西's record (domain.md §0, 表1 of seed 003): about 30% of rural households
registered poor in 2014 (a few more in 2015-2016), nearly all out of poverty by 2019 and the last
in 2020 except a handful the demo keeps to show an exit case; from 2021 a few percent monitored
against return to poverty, some of them since cleared (风险消除). 十八洞村, where 精准扶贫 was first
proposed in 2013, has its real size (225 households, 939 people) and its real story: 136 of its
households registered, all out by 2016.

``generate`` yields plans village by village; ``fupin.demo.actions`` writes them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fupin.demo import economy, names
from fupin.demo.people import (
    LARGE_SIZE_WEIGHTS,
    SIZE_WEIGHTS,
    SIZES,
    PersonPlan,
    VillageProfile,
    compose,
    describe,
    phone_number,
)
from fupin.registry import choices as c
from fupin.registry import idnumber

COUNTY6 = "433124"
SHIBADONG = "433124110226"  # 十八洞村
SHIBADONG_HOUSEHOLDS = 225
SHIBADONG_PEOPLE = 939
SHIBADONG_POOR = 136
DEFAULT_HOUSEHOLDS = 80_000
# Villages whose households are filed by village group (组): 十八洞村's township, 双龙镇.
GROUPED_TOWNSHIP = "433124110"
GROUP_NAMES = "一二三四五六七八九十"

S = c.HouseholdStatus
Status = str


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Group:
    code: str
    name: str
    village: str


@dataclass(slots=True)
class HouseholdPlan:
    village: str
    area: str  # the village, or one of its groups
    members: list[PersonPlan]
    fields: dict[str, Any]
    status: Status = S.NONE
    registered_year: int | None = None
    exit_year: int | None = None
    main_cause: str = ""
    other_causes: list[str] = field(default_factory=list)
    household_type: str = ""
    phone: str = ""
    bank_account: str = ""
    incomes: list[tuple[int, dict[str, Decimal], int]] = field(default_factory=list)
    conditions: dict[int, dict[str, bool]] = field(default_factory=dict)
    changes: list[tuple[Status, Status, int, str]] = field(default_factory=list)

    @property
    def head(self) -> PersonPlan:
        return self.members[0]


def groups_for(villages: Sequence[Village]) -> list[Group]:
    """The village groups the demo files households under; fixed, whatever the seed.

    十八洞村 has six groups; the other villages of 双龙镇 three to eight, chosen from the code so
    that a rebuild finds the same groups again.
    """
    out: list[Group] = []
    for village in villages:
        if not village.code.startswith(GROUPED_TOWNSHIP):
            continue
        count = 6 if village.code == SHIBADONG else random.Random(village.code).randint(3, 8)
        out += [
            Group(f"{village.code}{n:03d}", f"{GROUP_NAMES[n - 1]}组", village.code)
            for n in range(1, count + 1)
        ]
    return out


class IdAllocator:
    """Unique, valid ID numbers of the county: the sequence's parity carries the gender."""

    def __init__(self, county6: str = COUNTY6, taken: Callable[[str], bool] | None = None) -> None:
        self.county6 = county6
        self.taken = taken
        self._next: dict[tuple[dt.date, int], int] = {}

    def allocate(self, born: dt.date, gender: str) -> str:
        parity = 1 if gender == "m" else 0
        key = (born, parity)
        k = self._next.get(key, 0)
        while True:
            sequence = 2 * k + 1 if parity else 2 * k + 2  # men 001..999 odd, women 002..998 even
            if sequence > 999:
                raise OverflowError(f"no ID sequence left for {born} ({gender})")
            k += 1
            number = idnumber.make(self.county6, born, sequence)
            if self.taken is None or not self.taken(number):
                break
        self._next[key] = k
        return number


def allocate_households(rng: random.Random, villages: Sequence[Village], total: int) -> dict[str, int]:
    """Households per village: 十八洞村 at its real share, the rest by a random village size;
    town communities (居委会, codes below 200) hold few rural households."""
    counts = {v.code: 0 for v in villages}
    remaining = total
    if SHIBADONG in counts:
        counts[SHIBADONG] = min(total, max(1, round(SHIBADONG_HOUSEHOLDS * total / DEFAULT_HOUSEHOLDS)))
        remaining -= counts[SHIBADONG]
    others = [v.code for v in villages if v.code != SHIBADONG]
    weights = {code: rng.lognormvariate(0, 0.35) * (0.35 if _is_community(code) else 1.0) for code in others}
    weight_sum = sum(weights.values()) or 1.0
    shares = {code: remaining * w / weight_sum for code, w in weights.items()}
    for code, share in shares.items():
        counts[code] = int(share)
    # Largest remainders get the households the rounding left over.
    left = remaining - sum(counts[code] for code in others)
    for code in sorted(others, key=lambda k: (shares[k] - int(shares[k]), k), reverse=True)[:left]:
        counts[code] += 1
    return counts


def _is_community(code: str) -> bool:
    return int(code[9:12]) < 200


def _profile(rng: random.Random, village: Village) -> tuple[VillageProfile, float, int]:
    """The village's character, its share of registered households, and its exit-wave year."""
    urban = _is_community(village.code)
    if urban:
        miao = rng.uniform(0.45, 0.6)
        weights = (miao, (1 - miao) * 0.6, (1 - miao) * 0.4)
    else:
        miao = rng.uniform(0.6, 0.97)
        weights = (miao, (1 - miao) * 0.8, (1 - miao) * 0.2)
    main = names.MIAO if weights[0] >= 0.5 else names.TUJIA
    clans = ["施", "杨", "龙", "隆"] if village.code == SHIBADONG else names.village_clans(rng, main)
    profile = VillageProfile(village.code, clans, weights, 0.1 if urban else rng.random(), urban)
    if village.code == SHIBADONG:
        return profile, SHIBADONG_POOR / SHIBADONG_HOUSEHOLDS, 2016
    rate = 0.12 if urban else min(0.55, max(0.1, rng.gauss(0.32, 0.09)))
    wave = rng.choices((2016, 2017, 2018, 2019), (15, 30, 35, 20))[0]
    return profile, rate, wave


def _sizes(rng: random.Random, count: int, village: str) -> list[int]:
    if village != SHIBADONG:
        return rng.choices(SIZES, weights=SIZE_WEIGHTS, k=count)
    sizes = rng.choices(SIZES, weights=LARGE_SIZE_WEIGHTS, k=count)
    # Nudge sizes until the village has its real head count (scaled with the build).
    target = round(SHIBADONG_PEOPLE * count / SHIBADONG_HOUSEHOLDS)
    while sum(sizes) != target:
        i = rng.randrange(count)
        if sum(sizes) < target and sizes[i] < SIZES[-1]:
            sizes[i] += 1
        elif sum(sizes) > target and sizes[i] > SIZES[0]:
            sizes[i] -= 1
    return sizes


# --- households -----------------------------------------------------------------------------


def _living_conditions(rng: random.Random, members: list[PersonPlan], remote: float) -> dict[str, Any]:
    size = len(members)

    def mu(value: float) -> Decimal:
        return Decimal(f"{value:.1f}")

    cultivated = size * rng.uniform(0.4, 1.5)
    structure = rng.choices(
        (
            c.HousingStructure.BRICK,
            c.HousingStructure.BRICK_WOOD,
            c.HousingStructure.WOOD,
            c.HousingStructure.CONCRETE,
            c.HousingStructure.EARTH,
        ),
        (45, 20, 25, 8, 2),
    )[0]
    built = rng.randint(1965, 2000) if structure in ("wood", "earth") else rng.randint(1985, 2023)
    road = rng.choices(
        (c.RoadType.CEMENT, c.RoadType.GRAVEL, c.RoadType.DIRT, c.RoadType.NONE),
        (85 - 30 * remote, 8 + 12 * remote, 6 + 14 * remote, 1 + 4 * remote),
    )[0]
    return {
        "standard": "",
        "family_planning": rng.random() < 0.1,
        "military_family": rng.random() < 0.01,
        "cultivated_land_mu": mu(cultivated),
        "irrigated_land_mu": mu(cultivated * rng.uniform(0.2, 0.7)),
        "forest_land_mu": mu(rng.uniform(0, 6 + 15 * remote)),
        "returned_farmland_mu": mu(rng.uniform(0.5, 3)) if rng.random() < 0.3 else Decimal("0.0"),
        "orchard_mu": mu(rng.uniform(0.5, 5)) if rng.random() < 0.2 else Decimal("0.0"),
        "pasture_mu": Decimal("0.0"),
        "water_surface_mu": mu(rng.uniform(0.1, 1)) if rng.random() < 0.05 else Decimal("0.0"),
        "in_cooperative": rng.random() < 0.2,
        "production_power": rng.random() < 0.96,
        "living_power": True,
        "road_distance_km": Decimal(f"{rng.expovariate(1 / (0.2 + 1.5 * remote)):.2f}"),
        "road_type": road,
        "housing_area_m2": Decimal(f"{rng.uniform(50, 90) + 18 * size:.1f}"),
        "housing_structure": structure,
        "housing_built_year": built,
        "dangerous_house": False,
        "water_difficult": False,
        "water_safe": True,
        "fuel_type": rng.choices(
            (c.FuelType.FIREWOOD, c.FuelType.ELECTRICITY, c.FuelType.GAS, c.FuelType.COAL), (55, 30, 10, 5)
        )[0],
        "sanitary_toilet": rng.random() < 0.72,
    }


def _vulnerability(rng: random.Random, members: list[PersonPlan], remote: float) -> float:
    score = rng.gauss(0, 1.2) + remote
    workers = 0
    for m in members:
        if m.health == c.Health.SERIOUS:
            score += 2.0
        elif m.health == c.Health.DISABLED:
            score += 1.5
        elif m.health == c.Health.CHRONIC:
            score += 0.8
        if m.school_status in (
            c.SchoolStatus.SENIOR,
            c.SchoolStatus.UNIVERSITY,
            c.SchoolStatus.HIGHER_VOCATIONAL,
        ):
            score += 0.7
        if m.works:
            workers += 1
    if workers == 0:
        score += 2.0
    elif workers * 3 < len(members):
        score += 0.8
    return score


_BASE_CAUSE_WEIGHTS: dict[str, float] = {
    c.Cause.ILLNESS: 10,
    c.Cause.FUNDS: 20,
    c.Cause.SKILLS: 15,
    c.Cause.LABOUR: 6,
    c.Cause.DISABILITY: 5,
    c.Cause.SCHOOLING: 5,
    c.Cause.TRANSPORT: 5,
    c.Cause.MOTIVATION: 3,
    c.Cause.LAND: 3,
    c.Cause.WATER: 3,
    c.Cause.DISASTER: 2,
    c.Cause.OTHER: 1,
}


def _cause_weights(members: list[PersonPlan], remote: float) -> dict[str, float]:
    weights = dict(_BASE_CAUSE_WEIGHTS)
    sick = any(m.health in (c.Health.SERIOUS, c.Health.CHRONIC) for m in members)
    disabled = any(m.health == c.Health.DISABLED for m in members)
    studying = any(
        m.school_status
        in (c.SchoolStatus.SENIOR, c.SchoolStatus.UNIVERSITY, c.SchoolStatus.HIGHER_VOCATIONAL)
        for m in members
    )
    workers = any(m.works for m in members)
    weights[c.Cause.ILLNESS] *= 5 if sick else 0.3
    weights[c.Cause.DISABILITY] *= 8 if disabled else 0.1
    weights[c.Cause.SCHOOLING] *= 6 if studying else 0.05
    weights[c.Cause.LABOUR] *= 6 if not workers else 0.3
    weights[c.Cause.TRANSPORT] *= 0.5 + 2 * remote
    weights[c.Cause.WATER] *= 0.5 + 2 * remote
    return weights


def _causes(rng: random.Random, weights: dict[str, float]) -> tuple[str, list[str]]:
    """Exactly one main cause and zero to two different others."""
    pool = dict(weights)
    main = rng.choices(list(pool), list(pool.values()))[0]
    del pool[main]
    others: list[str] = []
    for _ in range(rng.choices((0, 1, 2), (30, 40, 30))[0]):
        other = rng.choices(list(pool), list(pool.values()))[0]
        del pool[other]
        others.append(other)
    return main, others


def _household_type(rng: random.Random, members: list[PersonPlan], registered: int) -> str:
    T = c.HouseholdType
    workers = any(m.works for m in members)
    if len(members) == 1 and not workers and members[0].age_in(registered) >= 60:
        return T.TEKUN if registered >= 2016 else T.WUBAO
    if not workers:
        return T.DIBAO if rng.random() < 0.6 else T.DIBAO_POOR
    return T.DIBAO_POOR if rng.random() < 0.15 else T.GENERAL


_MONITOR_YEARS = ((2021, 2022, 2023, 2024), (40, 25, 20, 15))


def _story(
    rng: random.Random,
    plan: HouseholdPlan,
    registered: bool,
    wave: int,
    shibadong: bool,
    weak: bool,
) -> economy.Story:
    """Decide the household's statuses over the years and record each change."""
    reg_year = exit_year = monitored = eliminated = None
    status: Status = S.NONE
    if registered:
        reg_year = 2014 if shibadong else rng.choices((2014, 2015, 2016), (85, 9, 6))[0]
        plan.changes.append((S.NONE, S.POOR, reg_year, f"{reg_year}年建档立卡识别纳入"))
        status = S.POOR
        stays_poor = not shibadong and rng.random() < (0.012 if weak else 0.003)
        if not stays_poor:
            if shibadong:
                exit_year = 2016 if rng.random() < 0.85 else 2015
            elif rng.random() < 0.01:
                exit_year = 2020
            else:
                offset = rng.choices((-2, -1, 0, 1, 2), (10, 30, 50, 8, 2))[0]
                exit_year = min(2019, max(2015, reg_year + 1, wave + offset))
            exit_year = max(exit_year, reg_year + 1)  # 三不出: never out in the year it came in
            plan.changes.append((S.POOR, S.EXITED, exit_year, f"{exit_year}年脱贫退出"))
            status = S.EXITED
    chance = (0.05 if status == S.EXITED else 0.012 if status == S.NONE else 0.0) * (1.8 if weak else 0.6)
    if chance and rng.random() < chance:
        monitored = rng.choices(*_MONITOR_YEARS)[0]
        kind = "脱贫不稳定户" if status == S.EXITED else "边缘易致贫户"
        plan.changes.append((status, S.MONITORED, monitored, f"{monitored}年纳入监测({kind})"))
        status = S.MONITORED
        can_work = any(m.works for m in plan.members)
        # Households without labour stay monitored under 兜底 (domain.md §5), never cleared.
        if can_work and monitored <= 2023 and rng.random() < 0.35:
            eliminated = rng.randint(monitored + 1, 2024)
            plan.changes.append((S.MONITORED, S.RISK_ELIMINATED, eliminated, f"{eliminated}年风险消除"))
            status = S.RISK_ELIMINATED
    plan.status = status
    plan.registered_year, plan.exit_year = reg_year, exit_year
    return economy.Story(reg_year, exit_year, monitored, eliminated, rng.random() < 0.2)


def _conditions(rng: random.Random, plan: HouseholdPlan, story: economy.Story) -> dict[int, dict[str, bool]]:
    """两不愁三保障 and water checks: shortfalls when it came in, all met when it went out."""
    all_met = dict.fromkeys(
        (
            "food_secure",
            "clothing_secure",
            "education_secured",
            "medical_secured",
            "housing_secured",
            "water_secured",
        ),
        True,
    )
    rows: dict[int, dict[str, bool]] = {}
    fields = plan.fields
    if story.registered is not None:
        wooden = fields["housing_structure"] in (c.HousingStructure.WOOD, c.HousingStructure.EARTH)
        causes = {plan.main_cause, *plan.other_causes}
        rows[story.registered] = {
            "food_secure": rng.random() < 0.93,
            "clothing_secure": rng.random() < 0.96,
            "education_secured": not (c.Cause.SCHOOLING in causes and rng.random() < 0.3),
            "medical_secured": not (c.Cause.ILLNESS in causes and rng.random() < 0.35),
            "housing_secured": rng.random() >= (0.5 if wooden else 0.15),
            "water_secured": rng.random() >= (0.2 + 0.3 * (c.Cause.WATER in causes)),
        }
        if story.exited is not None:
            rows[story.exited] = dict(all_met)
            rows[2020] = dict(all_met)
            rows[2023] = dict(all_met)
        else:
            # Still poor: one problem left, the one the demo's exit case has to solve.
            left = dict(all_met)
            left[rng.choice(("housing_secured", "medical_secured", "water_secured"))] = False
            rows[2020] = left
            rows[2023] = dict(left)
    if story.monitored is not None:
        at_start = dict(all_met)
        if rng.random() < 0.4:
            at_start[
                rng.choice(("medical_secured", "housing_secured", "water_secured", "education_secured"))
            ] = False
        rows[story.monitored] = at_start
        rows[2024] = dict(all_met) if story.eliminated is not None else dict(at_start)
    # The household file shows today's house and water as the latest check found them.
    if rows:
        latest = rows[max(rows)]
        fields["dangerous_house"] = not latest["housing_secured"]
        fields["water_safe"] = latest["water_secured"]
        fields["water_difficult"] = not latest["water_secured"]
    return rows


def _monitored_cause(rng: random.Random, plan: HouseholdPlan, remote: float) -> None:
    if not plan.main_cause:
        weights = _cause_weights(plan.members, remote)
        weights[c.Cause.DISASTER] *= 3
        plan.main_cause, plan.other_causes = _causes(rng, weights)


def _bank_account(rng: random.Random) -> str:
    return "6217" + "".join(rng.choices("0123456789", k=15))


BANKS = ("湖南花垣农村商业银行", "中国农业银行花垣县支行", "中国邮政储蓄银行花垣县支行")


def _village_households(
    rng: random.Random,
    village: Village,
    count: int,
    groups: Sequence[Group],
    ids: IdAllocator,
) -> list[HouseholdPlan]:
    profile, rate, wave = _profile(rng, village)
    shibadong = village.code == SHIBADONG
    plans: list[HouseholdPlan] = []
    scores: list[float] = []
    group_weights = [rng.uniform(0.6, 1.4) for _ in groups]
    for size in _sizes(rng, count, village.code):
        members = compose(rng, profile, size)
        for person in members:
            describe(rng, person)
        area = rng.choices(groups, group_weights)[0].code if groups else village.code
        plan = HouseholdPlan(
            village.code, area, members, _living_conditions(rng, members, profile.remoteness)
        )
        plan.phone = phone_number(rng) if rng.random() < 0.9 else ""
        plans.append(plan)
        scores.append(_vulnerability(rng, members, profile.remoteness))
    poor = round(rate * count)
    ranked = sorted(range(count), key=lambda i: scores[i], reverse=True)
    registered = set(ranked[:poor])
    weak_cut = sorted(scores, reverse=True)[max(0, min(count - 1, round(count * 0.35)))] if count else 0
    for i, plan in enumerate(plans):
        weak = scores[i] >= weak_cut
        is_registered = i in registered
        if is_registered:
            plan.main_cause, plan.other_causes = _causes(
                rng, _cause_weights(plan.members, profile.remoteness)
            )
        story = _story(rng, plan, is_registered, wave, shibadong, weak)
        holdings = _holdings(rng, plan, story)
        if story.monitored is not None:
            _monitored_cause(rng, plan, profile.remoteness)
        plan.conditions = _conditions(rng, plan, story)
        migrant = any(m.migrant_work != c.MigrantWork.NONE for m in plan.members)
        path = economy.per_capita_path(rng, story, migrant=migrant)
        plan.incomes = [
            (year, *economy.amounts_for_year(rng, year, path[year], plan.members, holdings))
            for year in economy.INCOME_YEARS
        ]
        for person in plan.members:
            person.id_number = ids.allocate(person.born, person.gender)
    return plans


def _holdings(rng: random.Random, plan: HouseholdPlan, story: economy.Story) -> economy.Holdings:
    fields = plan.fields
    members = plan.members
    dibao_from = tekun_from = None
    if story.registered is not None:
        plan.household_type = _household_type(rng, members, story.registered)
        fields["standard"] = c.Standard.NATIONAL
        if plan.household_type in (c.HouseholdType.DIBAO, c.HouseholdType.DIBAO_POOR):
            dibao_from = story.registered
        elif plan.household_type in (c.HouseholdType.WUBAO, c.HouseholdType.TEKUN):
            tekun_from = story.registered
        # Industry aid put most registered households into a cooperative.
        fields["in_cooperative"] = fields["in_cooperative"] or rng.random() < 0.55
        plan.bank_account = _bank_account(rng)
        fields["bank_name"] = rng.choice(BANKS)
    elif story.monitored is not None and not any(m.works for m in members) and rng.random() < 0.3:
        dibao_from = story.monitored
    if dibao_from is not None:
        for m in members:
            m.dibao = True
    migrants = sum(1 for m in members if m.migrant_work != c.MigrantWork.NONE)
    workers = sum(1 for m in members if m.works)
    if migrants:
        wage_share = rng.uniform(0.6, 0.9)
    elif workers:
        wage_share = rng.uniform(0.15, 0.45)
    else:
        wage_share = 0.0
    return economy.Holdings(
        forest_mu=float(fields["forest_land_mu"]),
        returned_mu=float(fields["returned_farmland_mu"]),
        cultivated_mu=float(fields["cultivated_land_mu"]),
        family_planning=fields["family_planning"],
        dibao_from=dibao_from,
        tekun_from=tekun_from,
        cooperative=fields["in_cooperative"],
        land_rent=rng.randint(300, 2000) if rng.random() < 0.1 else 0,
        cost_ratio=rng.uniform(0.3, 0.5),
        wage_share=wage_share,
    )


def generate(
    villages: Sequence[Village],
    households: int,
    seed: int,
    *,
    taken: Callable[[str], bool] | None = None,
) -> Iterator[HouseholdPlan]:
    """Every household of the demo, village by village in code order; the same seed and villages
    always give the same households (``taken`` only skips ID numbers already in the database)."""
    rng = random.Random(seed)
    villages = sorted(villages, key=lambda v: v.code)
    counts = allocate_households(rng, villages, households)
    groups = groups_for(villages)
    ids = IdAllocator(taken=taken)
    for village in villages:
        if counts[village.code]:
            own = [g for g in groups if g.village == village.code]
            yield from _village_households(rng, village, counts[village.code], own, ids)
