"""Assistance in the demo county (精准施策): measures for most poor and monitored households,
of the kinds their causes call for, each under the household's cadre; home visits, with most
paired households visited at least the yearly minimum last year and pro rata this year, and a
planted few below it (two of them the ``first_secretary`` login's households, with no visit this
quarter, so they show red on his phone); projects and funds per key village; workshops with
their workers; transfer jobs; trainings with attendance; and people flagged for care (三留守,
disability) with their follow-ups.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fupin.areas.models import prefix_range
from fupin.assistance.models import (
    CareCategory,
    CareFlag,
    CareFollowUp,
    Measure,
    MeasureKind,
    Project,
    Training,
    TrainingAttendance,
    TransferJob,
    Visit,
    Workshop,
    WorkshopKind,
    WorkshopWorker,
)
from fupin.core.personas import COUNTY, VILLAGE
from fupin.demo.county import ASSISTED, County, Home, person
from fupin.pairing.models import Pairing
from fupin.registry.choices import (
    Health,
    HouseholdStatus,
    HouseholdType,
    LabourCapacity,
    MigrantWork,
    Relation,
)
from fupin.registry.models import Member
from fupin.teams.models import TeamRole

MK = MeasureKind
CAUSE_KINDS: dict[str, list[str]] = {
    "illness": [MK.HEALTH],
    "disability": [MK.HEALTH, MK.DIBAO],
    "schooling": [MK.EDUCATION],
    "disaster": [MK.HOUSING],
    "land": [MK.INDUSTRY],
    "water": [MK.WATER],
    "skills": [MK.TRAINING, MK.EMPLOYMENT],
    "labour": [MK.PUBLIC_JOB, MK.DIBAO],
    "funds": [MK.INDUSTRY, MK.FINANCE],
    "transport": [MK.INDUSTRY],
    "motivation": [MK.EMPLOYMENT],
    "marriage": [MK.INDUSTRY],
    "other": [MK.INDUSTRY],
}
# (lowest, highest) yuan, and what the measure was.
MEASURES: dict[str, tuple[int, int, list[str]]] = {
    MK.INDUSTRY: (
        2000,
        8000,
        ["发放产业奖补资金，发展猕猴桃种植", "委托帮扶：产业资金入股合作社分红", "发放湘西黄牛养殖补助"],
    ),
    MK.EMPLOYMENT: (500, 3000, ["发放外出务工一次性交通补贴", "稳岗就业奖补"]),
    MK.EDUCATION: (
        1000,
        5000,
        ["雨露计划职业教育补助", "义务教育阶段家庭经济困难学生生活补助", "高校新生入学资助"],
    ),
    MK.HEALTH: (
        300,
        12000,
        ["住院费用经基本医保、大病保险、医疗救助三重保障报销", "家庭医生签约服务和慢病门诊补助"],
    ),
    MK.HOUSING: (15000, 40000, ["农村危房改造补助", "房屋加固改造补助"]),
    MK.DIBAO: (3000, 6000, ["纳入农村低保，按月发放低保金"]),
    MK.TEKUN: (5000, 8000, ["特困供养金（分散供养）"]),
    MK.FINANCE: (10000, 50000, ["扶贫小额信贷，三年期免抵押免担保", "农业保险保费补贴"]),
    MK.PUBLIC_JOB: (6000, 9600, ["安排生态护林员公益性岗位", "安排村级保洁员公益性岗位"]),
    MK.CONSUMPTION: (200, 2000, ["消费帮扶：单位食堂采购腊肉和土鸡蛋", "东西部协作消费帮扶专柜代销"]),
    MK.TRAINING: (0, 800, ["参加湘西焊工技能培训并取得证书", "参加家政服务培训"]),
    MK.ECOLOGICAL: (200, 1500, ["退耕还林和公益林生态补偿"]),
    MK.WATER: (500, 2000, ["安全饮水入户管网改造"]),
}
PROJECTS: list[tuple[str, str]] = [
    (MK.INDUSTRY, "{v}猕猴桃产业基地提质项目"),
    (MK.INDUSTRY, "{v}湘西黄牛养殖小区项目"),
    (MK.INDUSTRY, "{v}村级光伏电站项目"),
    (MK.WATER, "{v}安全饮水巩固提升工程"),
    (MK.OTHER, "{v}产业路硬化工程"),
    (MK.HOUSING, "{v}农村危房改造项目"),
    (MK.TRAINING, "{v}农村实用技术培训项目"),
    (MK.ECOLOGICAL, "{v}人居环境整治项目"),
]
VISIT_TALKS = [
    ("了解家庭收入和务工情况", "更新收入明白卡"),
    ("宣讲防返贫监测和帮扶政策", "发放政策明白卡"),
    ("了解孩子上学和资助落实情况", "核实雨露计划补助到账"),
    ("了解病人治疗和报销情况", "协助办理慢病门诊卡"),
    ("商量发展猕猴桃和养殖计划", "联系农技员上门指导"),
    ("查看住房和饮水安全", "反映屋顶漏雨问题，已报村委会"),
    ("了解外出务工人员稳岗情况", "推送县人社局招聘信息"),
]
WORKSHOPS: list[tuple[str, str]] = [
    ("{v}苗绣扶贫车间", WorkshopKind.HOME),
    ("{v}服装加工扶贫车间", WorkshopKind.FACTORY),
    ("{v}竹编扶贫车间", WorkshopKind.COOPERATIVE),
    ("{v}电子元件扶贫车间", WorkshopKind.FACTORY),
    ("{v}腊肉加工扶贫车间", WorkshopKind.COOPERATIVE),
    ("{v}猕猴桃分拣包装扶贫车间", WorkshopKind.COOPERATIVE),
]
JOBS: dict[str, list[tuple[str, str]]] = {
    MigrantWork.OUT_OF_PROVINCE: [
        ("浙江省宁波市", "宁波某电器有限公司"),
        ("广东省东莞市", "东莞某电子厂"),
        ("福建省厦门市", "厦门某鞋业公司"),
        ("江苏省苏州市", "苏州某精密制造公司"),
        ("山东省济南市", "济南某建筑公司（东西部协作岗位）"),
    ],
    MigrantWork.IN_PROVINCE: [
        ("长沙市", "长沙某物流公司"),
        ("株洲市", "株洲某轨道交通配件厂"),
        ("吉首市", "吉首某酒店"),
    ],
    MigrantWork.IN_COUNTY: [("花垣县工业园", "花垣某锰业公司"), ("花垣县城", "花垣某商贸公司")],
    MigrantWork.IN_TOWNSHIP: [("本镇", "镇上某农业公司")],
}
TRAININGS = [
    ("湘西焊工技能培训", "县人社局", 56.0),
    ("猕猴桃栽培管理技术培训", "县农业农村局", 8.0),
    ("家政服务员培训", "县人社局", 40.0),
    ("电商直播带货培训", "县商务局", 16.0),
    ("苗绣技艺传承培训", "县文旅广体局", 24.0),
    ("湘西黄牛养殖技术培训", "县农业农村局", 8.0),
    ("农村实用技术远程教育", "乡镇党委", 4.0),
]
FOLLOW = {
    CareCategory.CHILD: (
        "儿童督导员",
        ["上门看望，了解学习和生活情况", "联系学校老师了解在校表现", "组织亲情视频通话", "送去学习用品"],
    ),
    CareCategory.WOMAN: ("村妇联主席", ["了解家庭生产生活困难", "推荐参加苗绣车间务工"]),
    CareCategory.ELDERLY: ("村医", ["上门量血压，提醒按时服药", "检查住房和取暖安全", "帮助代购生活用品"]),
    CareCategory.DISABLED: (
        "残联专干",
        ["核实残疾人两项补贴发放", "协助办理残疾证换证", "联系康复机构上门服务"],
    ),
}


@dataclass(frozen=True, slots=True)
class Villager:
    pk: int
    household: str  # number
    area: str
    gender: str
    born: dt.date
    relation: str
    health: str
    labour: str
    migrant: str

    def age(self, day: dt.date) -> int:
        return day.year - self.born.year - ((day.month, day.day) < (self.born.month, self.born.day))


def _money(rng: random.Random, low: int, high: int, step: int = 10) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, step) if high > low else low).quantize(Decimal("0.01"))


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _villagers(county: County) -> dict[str, list[Villager]]:
    """Current members of poor, monitored and exited households, by household number."""
    rows = (
        Member.objects.filter(
            prefix_range(COUNTY[:6], "household__area_id"),
            household__status__in=[*ASSISTED, HouseholdStatus.EXITED],
            left_on=None,
        )
        .order_by("household__number", "pk")
        .values_list(
            "pk",
            "household__number",
            "household__area_id",
            "gender",
            "birth_date",
            "relation",
            "health",
            "labour_capacity",
            "migrant_work",
        )
    )
    found: dict[str, list[Villager]] = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        found[row[1]].append(Villager(*row))
    return found


def build(county: County) -> None:
    rng = county.rng("assistance")
    projects = _projects(county, rng)
    _measures(county, rng, projects)
    _visits(county, rng)
    villagers = _villagers(county)
    _workshops(county, rng, villagers)
    _transfer_jobs(county, rng, villagers)
    _trainings(county, rng)
    _care(county, rng, villagers)


def _projects(county: County, rng: random.Random) -> dict[tuple[str, int], Project]:
    """One to three projects a year in each key village; budget ≥ allocated ≥ spent.
    Returns each village's industry project by year (measures point at it)."""
    rows: list[Project] = []
    industry: dict[tuple[str, int], Project] = {}
    for village in county.key_villages:
        for year in (county.year - 1, county.year):
            for kind, name in rng.sample(PROJECTS, rng.randint(1, 3)):
                budget = Decimal(rng.randrange(100_000, 1_500_000, 10_000))
                done = year < county.year or rng.random() < 0.3
                allocated = (
                    budget if done else (budget * Decimal(rng.uniform(0.4, 1))).quantize(Decimal("1000"))
                )
                spent = (
                    allocated if done else (allocated * Decimal(rng.uniform(0.3, 1))).quantize(Decimal("100"))
                )
                started = dt.date(year, rng.randint(2, 5), rng.randint(1, 28))
                project = Project(
                    area_id=village.code,
                    name=name.format(v=village.short),
                    kind=kind,
                    year=year,
                    budget=budget,
                    allocated=min(allocated, budget),
                    spent=min(spent, allocated),
                    started_on=min(started, county.yesterday),
                    finished_on=dt.date(year, rng.randint(9, 12), rng.randint(1, 28))
                    if year < county.year
                    else None,
                )
                rows.append(project)
                if kind == MK.INDUSTRY:
                    industry.setdefault((village.code, year), project)
    county.save(Project, rows)
    return industry


def _kinds(rng: random.Random, home: Home) -> list[str]:
    kinds = list(CAUSE_KINDS.get(home.main_cause, [MK.INDUSTRY]))
    kinds += [rng.choice(CAUSE_KINDS.get(cause, [MK.INDUSTRY])) for cause in home.other_causes[:1]]
    if home.household_type in (HouseholdType.DIBAO, HouseholdType.DIBAO_POOR):
        kinds.append(MK.DIBAO)
    elif home.household_type in (HouseholdType.TEKUN, HouseholdType.WUBAO):
        kinds.append(MK.TEKUN)
    if rng.random() < 0.2:
        kinds.append(MK.CONSUMPTION)
    if rng.random() < 0.15:
        kinds.append(MK.ECOLOGICAL)
    return list(dict.fromkeys(kinds))


def _measures(county: County, rng: random.Random, projects: dict[tuple[str, int], Project]) -> None:
    paired: dict[int, Pairing] = county.shared["household_pairing"]
    homes = {h.pk: h for v in county.villages for h in county.homes.get(v.code, [])}
    rows: list[Measure] = []
    first = dt.date(county.year - 1, 1, 1)
    for pk, pairing in paired.items():
        home = homes[pk]
        if rng.random() < 0.07:
            continue  # measures not yet entered: the card shows the household still needs them
        for kind in _kinds(rng, home):
            low, high, texts = MEASURES[kind]
            day = _between(rng, first, county.yesterday)
            rows.append(
                Measure(
                    household_id=pk,
                    area_id=home.area,
                    kind=kind,
                    day=day,
                    amount=_money(rng, low, high),
                    description=rng.choice(texts),
                    responsible=pairing,
                    project=projects.get((home.village, day.year)) if kind == MK.INDUSTRY else None,
                    recorded_by=pairing.helper_user,
                )
            )
    county.save(Measure, rows)


def _visits(county: County, rng: random.Random) -> None:
    """At least the yearly minimum last year and pro rata this year, except a planted few."""
    paired: dict[int, Pairing] = county.shared["household_pairing"]
    homes = {h.pk: h for v in county.villages for h in county.homes.get(v.code, [])}
    persona = county.shared["persona_homes"]
    today = county.today
    jan_last, dec_last = dt.date(county.year - 1, 1, 1), dt.date(county.year - 1, 12, 31)
    jan = dt.date(county.year, 1, 1)
    quarter = dt.date(county.year, 3 * ((today.month - 1) // 3) + 1, 1)
    elapsed = (today - jan).days + 1

    # The planted: about 3% of the others below the minimum, and two of the first secretary's
    # households (by number) with no visit since long before this quarter began.
    own = sorted(
        (pk for pk, who in persona.items() if who == "first_secretary" and pk in paired),
        key=lambda k: homes[k].number,
    )
    red = set(own[:2])
    others = sorted(pk for pk in paired if pk not in persona)
    short = set(rng.sample(others, round(len(others) * 0.03))) if others else set()
    rows: list[dict[str, Any]] = []  # plain rows for ``County.insert``
    for pk, pairing in sorted(paired.items()):
        home = homes[pk]
        minimum = int(county.setting(home.area, "visits_per_year"))
        due_now = math.ceil(minimum * elapsed / 365)
        if pk in short:
            last_year = rng.randint(1, minimum - 1) if minimum > 1 else 0
            this_year = rng.randint(0, max(0, due_now - 1))
        else:
            last_year = minimum + rng.randint(0, 3)
            this_year = due_now + rng.randint(0, 2)
        dates = [_between(rng, jan_last, dec_last) for _ in range(last_year)]
        if pk in red:
            cutoff = min(quarter, today - dt.timedelta(days=100)) - dt.timedelta(days=1)
            dates += [_between(rng, jan, cutoff) for _ in range(this_year) if cutoff >= jan]
        else:
            dates += [_between(rng, jan, county.yesterday) for _ in range(this_year)]
            if pk in persona:
                # The persona's other households: seen this quarter and this month.
                recent = max(quarter, today - dt.timedelta(days=25))
                dates.append(_between(rng, recent, county.yesterday) if recent <= county.yesterday else today)
        for day in sorted(dates):
            discussed, done = rng.choice(VISIT_TALKS)
            rows.append(
                {
                    "household_id": pk,
                    "area_id": home.area,
                    "day": day,
                    "visitor_name": pairing.helper_name,
                    "visitor_id": pairing.helper_user_id,
                    "discussed": discussed,
                    "done": done,
                }
            )
    # Households without a cadre (the planted gap) are still visited by the work team.
    secretaries = {
        p.member.area_id: p.member.name
        for p in county.shared.get("team_members", [])
        if p.member.role == TeamRole.FIRST_SECRETARY
    }
    for number in county.shared["planted"].get("households_without_cadre", []):
        home = next(h for h in county.homes[number[:12]] if h.number == number)
        minimum = int(county.setting(home.area, "visits_per_year"))
        count = minimum + rng.randint(0, 1) + math.ceil(minimum * elapsed / 365)
        for i in range(count):
            day = _between(rng, jan_last, dec_last) if i < minimum else _between(rng, jan, county.yesterday)
            discussed, done = rng.choice(VISIT_TALKS)
            rows.append(
                {
                    "household_id": home.pk,
                    "area_id": home.area,
                    "day": day,
                    "visitor_name": secretaries.get(home.village, "驻村工作队"),
                    "visitor_id": None,
                    "discussed": discussed,
                    "done": done,
                }
            )
    county.insert(Visit, rows)
    planted = county.shared["planted"]
    planted["households_below_visits"] = sorted(homes[pk].number for pk in short)
    planted["households_no_visit_this_quarter"] = sorted(homes[pk].number for pk in red)


def _workshops(county: County, rng: random.Random, villagers: dict[str, list[Villager]]) -> None:
    key = [v for v in county.key_villages if v.code != VILLAGE]
    places = (
        [county.village(VILLAGE)] if any(v.code == VILLAGE for v in county.villages) else []
    ) + rng.sample(key, min(len(key), len(WORKSHOPS) - 1))
    shops: list[Workshop] = []
    crews: list[list[Villager]] = []
    taken: set[int] = set()
    for (name, kind), village in zip(WORKSHOPS, places, strict=False):
        shops.append(
            Workshop(
                area_id=village.code,
                name=name.format(v=village.short),
                kind=kind,
                opened_on=dt.date(county.year - rng.randint(2, 6), rng.randint(1, 12), 1),
            )
        )
        township = village.code[:9]
        able = [
            v
            for number, people in villagers.items()
            if number.startswith(township)
            for v in people
            if v.labour in (LabourCapacity.ORDINARY, LabourCapacity.SKILLED)
            and v.migrant in (MigrantWork.NONE, MigrantWork.IN_TOWNSHIP)
            and 18 <= v.age(county.today) <= 62
            and v.pk not in taken
        ]
        crew = rng.sample(able, min(len(able), rng.randint(8, 25)))
        taken.update(v.pk for v in crew)
        crews.append(crew)
    county.save(Workshop, shops)
    rows = [
        WorkshopWorker(
            workshop=shop,
            member_id=v.pk,
            area_id=v.area,
            started_on=_between(
                rng, max(shop.opened_on, county.today - dt.timedelta(days=900)), county.yesterday
            ),
            ended_on=None,
            monthly_wage=_money(rng, 1800, 3500, 50),
        )
        for shop, crew in zip(shops, crews, strict=True)
        for v in crew
    ]
    county.save(WorkshopWorker, rows)


def _transfer_jobs(county: County, rng: random.Random, villagers: dict[str, list[Villager]]) -> None:
    away = [
        v
        for people in villagers.values()
        for v in people
        if v.migrant != MigrantWork.NONE and v.migrant in JOBS
    ]
    chosen = sorted(rng.sample(away, min(len(away), 400)), key=lambda v: (v.household, v.pk))
    rows: list[TransferJob] = []
    for v in chosen:
        place, employer = rng.choice(JOBS[v.migrant])
        started = county.today - dt.timedelta(days=rng.randint(30, 1100))
        ended = started + dt.timedelta(days=rng.randint(90, 400)) if rng.random() < 0.1 else None
        rows.append(
            TransferJob(
                member_id=v.pk,
                area_id=v.area,
                place=place,
                employer=employer,
                started_on=started,
                ended_on=ended if ended and ended < county.today else None,
                monthly_income=_money(rng, 2800, 7500, 100),
                via_job_fair=rng.random() < 0.3,
            )
        )
    county.save(TransferJob, rows)


def _trainings(county: County, rng: random.Random) -> None:
    """Trainings in townships and key villages, attended by working-age villagers there."""
    places = [t.code for t in rng.sample(county.townships, min(5, len(county.townships)))]
    key = [v.code for v in county.key_villages]
    places += rng.sample(key, min(10, len(key)))
    if VILLAGE in {v.code for v in county.villages} and VILLAGE not in places:
        places.append(VILLAGE)
    trainings: list[Training] = []
    attendees: list[list[tuple[int, str]]] = []
    for code in places:
        prefix = code[:9] if code.endswith("000") else code
        pool = list(
            Member.objects.filter(
                prefix_range(prefix, "household__area_id"),
                left_on=None,
                labour_capacity__in=[LabourCapacity.ORDINARY, LabourCapacity.SKILLED],
            )
            .order_by("pk")
            .values_list("pk", "household__area_id")
        )
        if not pool:
            continue
        title, organiser, hours = rng.choice(TRAININGS)
        trainings.append(
            Training(
                area_id=code,
                title=title,
                day=county.today - dt.timedelta(days=rng.randint(5, 360)),
                hours=Decimal(str(hours)),
                organiser=organiser,
            )
        )
        attendees.append(rng.sample(pool, min(len(pool), rng.randint(12, 40))))
    county.save(Training, trainings)
    county.save(
        TrainingAttendance,
        [
            TrainingAttendance(training=t, member_id=pk, area_id=area)
            for t, people in zip(trainings, attendees, strict=True)
            for pk, area in people
        ],
    )


def _care(county: County, rng: random.Random, villagers: dict[str, list[Villager]]) -> None:
    """三留守 and disability among poor, monitored and exited households, each followed."""
    today = county.today
    assisted = {h.number for h in county.assisted()}
    picked: list[tuple[Villager, str]] = []
    for number, people in villagers.items():
        away = [p for p in people if p.migrant in (MigrantWork.OUT_OF_PROVINCE, MigrantWork.IN_PROVINCE)]
        for p in people:
            age = p.age(today)
            if p.health == Health.DISABLED and (number in assisted or rng.random() < 0.1):
                picked.append((p, CareCategory.DISABLED))
            elif away and age < 16 and len(away) >= 2 and rng.random() < 0.3:
                picked.append((p, CareCategory.CHILD))
            elif away and age >= 65 and rng.random() < 0.12:
                picked.append((p, CareCategory.ELDERLY))
            elif (
                away
                and p.gender == "f"
                and p.relation == Relation.SPOUSE
                and p not in away
                and 20 <= age <= 55
                and rng.random() < 0.05
            ):
                picked.append((p, CareCategory.WOMAN))
    clerk = county.user("village_clerk")
    flags = [
        CareFlag(
            member_id=p.pk,
            area_id=p.area,
            category=category,
            since=today - dt.timedelta(days=rng.randint(60, 1500)),
            followed_by=FOLLOW[category][0] + person(rng, rng.randint(today.year - 55, today.year - 28), "f"),
        )
        for p, category in picked
    ]
    county.save(CareFlag, flags)
    clerk_pk = clerk.pk if clerk is not None else None
    follow_ups = [
        {
            "flag_id": flag.pk,
            "area_id": flag.area_id,
            "day": _between(rng, max(flag.since, today - dt.timedelta(days=365)), county.yesterday),
            "note": rng.choice(FOLLOW[flag.category][1]),
            "by_id": clerk_pk if flag.area_id.startswith(VILLAGE) else None,
        }
        for flag in flags
        for _ in range(rng.randint(1, 4))
    ]
    county.insert(CareFollowUp, follow_ups)
