"""Party organisations of the demo county (domain.md §0, 党建引领): the county and prefecture
units that pair with villages, a committee per township, a branch per village, a joint party
committee over three neighbouring villages of 双龙镇, branches in two cooperatives, an
enterprise and along the kiwi-fruit chain; their members and the village cadres' profiles; the
five-star ratings and three classes of the last two full years with the weak-branch list; and
the linkages between organisations of every kind but urban–rural (that one follows the
unit-for-village pairings, ``fupin.demo.pairings``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from fupin.areas.models import prefix_range
from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.demo.county import PREFECTURE, County, person
from fupin.party.models import (
    Cadre,
    CadrePost,
    Linkage,
    LinkKind,
    MemberStatus,
    Organisation,
    OrgKind,
    OrgSetting,
    PartyMember,
    Rating,
    RatingClass,
    Unit,
    UnitKind,
)
from fupin.registry.choices import Education, PoliticalStatus
from fupin.registry.models import Member

K = UnitKind
# (name, kind): the county's departments and institutions that pair with villages (县直单位).
COUNTY_UNITS: list[tuple[str, str]] = [
    ("县委办公室", K.PARTY_GOVERNMENT),
    ("县政府办公室", K.PARTY_GOVERNMENT),
    ("县委组织部", K.PARTY_GOVERNMENT),
    ("县委宣传部", K.PARTY_GOVERNMENT),
    ("县纪委监委", K.PARTY_GOVERNMENT),
    ("县发展和改革局", K.DEPARTMENT),
    ("县财政局", K.DEPARTMENT),
    ("县教育局", K.DEPARTMENT),
    ("县卫健局", K.DEPARTMENT),
    ("县交通运输局", K.DEPARTMENT),
    ("县水利局", K.DEPARTMENT),
    ("县农业农村局", K.DEPARTMENT),
    ("县乡村振兴局", K.DEPARTMENT),
    ("县人社局", K.DEPARTMENT),
    ("县民政局", K.DEPARTMENT),
    ("县住建局", K.DEPARTMENT),
    ("县自然资源局", K.DEPARTMENT),
    ("县林业局", K.DEPARTMENT),
    ("县市场监管局", K.DEPARTMENT),
    ("县文旅广体局", K.DEPARTMENT),
    ("县商务局", K.DEPARTMENT),
    ("县公安局", K.DEPARTMENT),
    ("县人民医院", K.HOSPITAL),
    ("县民族中学", K.SCHOOL),
    ("县农商银行", K.ENTERPRISE),
    ("县档案馆", K.INSTITUTION),
]
# The prefecture's units (州直单位) that also pair with villages of the county.
PREFECTURE_UNITS: list[tuple[str, str]] = [
    ("州委组织部", K.PARTY_GOVERNMENT),
    ("州财政局", K.DEPARTMENT),
    ("州人民医院", K.HOSPITAL),
]
# The county unit left without a village: the coverage report's "unit without a village" gap.
GAP_UNIT = "县档案馆"

# 十八洞村 and its two neighbours along the road, under one joint party committee (联合党委).
JOINT_VILLAGES = ("433124110226", "433124110227", "433124110228")
JOINT_NAME = "十八洞片区联合党委"
COUNTY_SEAT = "433124109000"  # 花垣镇, where the embroidery company works

RECTIFICATION = [
    "班子战斗力不强，书记年龄偏大：调整配强支部书记，选派第一书记驻村指导",
    "组织生活不规范，三会一课落实不到位：乡镇党委班子成员包联，每月督查",
    "村级集体经济薄弱，服务群众能力不足：结对强村联建，发展猕猴桃产业",
    "矛盾纠纷较多，班子不团结：县委组织部约谈，开展专项整顿",
    "党员队伍老化，发展党员断档：制定三年发展党员计划，培养后备力量",
    "村务公开不及时，群众意见大：规范四议两公开，设立村务监督委员会",
]
BRANCH_POSTS = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"]
COMMITTEE_POSTS = ["党委书记", "党委副书记", "组织委员", "宣传委员", "纪委书记", "武装部长", "统战委员"]


@dataclass
class Person:
    """A party member before the organisation has a key."""

    name: str
    gender: str
    birth_year: int
    education: str
    status: str
    post: str = ""
    registry_member: int | None = None
    household: str = ""  # the registry member's household number


def _education(rng: random.Random, birth_year: int, *, official: bool = False) -> str:
    E = Education
    if official:
        return rng.choices((E.COLLEGE, E.SENIOR, E.VOCATIONAL), (80, 12, 8))[0]
    if birth_year < 1960:
        return rng.choices((E.PRIMARY, E.JUNIOR, E.SENIOR), (45, 40, 15))[0]
    if birth_year < 1975:
        return rng.choices((E.PRIMARY, E.JUNIOR, E.SENIOR, E.VOCATIONAL), (15, 50, 25, 10))[0]
    return rng.choices((E.JUNIOR, E.SENIOR, E.VOCATIONAL, E.COLLEGE), (25, 30, 20, 25))[0]


def _invent(rng: random.Random, year: int, *, official: bool = False, young: bool = False) -> Person:
    born = rng.randint(year - 40, year - 24) if young else rng.randint(year - 72, year - 26)
    gender = "m" if rng.random() < (0.65 if official else 0.78) else "f"
    status = rng.choices((MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.ACTIVIST), (90, 5, 5))[0]
    return Person(person(rng, born, gender), gender, born, _education(rng, born, official=official), status)


def _joined(rng: random.Random, p: Person, today: dt.date) -> dt.date | None:
    if p.status == MemberStatus.ACTIVIST:
        return None
    if p.status == MemberStatus.PROBATIONARY:
        return today - dt.timedelta(days=rng.randint(30, 330))
    first = dt.date(p.birth_year + 20, 1, 1)
    last = min(today - dt.timedelta(days=400), dt.date(p.birth_year + 45, 12, 31))
    span = max(0, (last - first).days)
    return first + dt.timedelta(days=rng.randint(0, span)) if span else last


def _registry_party(county: County) -> dict[str, list[Person]]:
    """Villagers whose household file says party member, by village, in household order."""
    rows = (
        Member.objects.filter(
            prefix_range(COUNTY[:6], "household__area_id"),
            political_status__in=[PoliticalStatus.PARTY, PoliticalStatus.PROBATIONARY],
            left_on=None,
        )
        .order_by("household__number", "pk")
        .values_list(
            "pk", "name", "gender", "birth_date", "education", "political_status", "household__number"
        )
    )
    found: dict[str, list[Person]] = defaultdict(list)
    for pk, name, gender, born, education, political, number in rows.iterator(chunk_size=5000):
        status = MemberStatus.PROBATIONARY if political == PoliticalStatus.PROBATIONARY else MemberStatus.FULL
        found[number[:12]].append(
            Person(name, gender, born.year, education, status, registry_member=pk, household=number)
        )
    return found


def _posts(people: list[Person], posts: list[str]) -> None:
    """The committee posts go to full members, the secretary to the first of them."""
    if people and not any(p.status == MemberStatus.FULL for p in people):
        people[0].status = MemberStatus.FULL
    full = [p for p in people if p.status == MemberStatus.FULL]
    for p, post in zip(full, posts[: max(1, min(len(posts), len(full) // 2))], strict=False):
        p.post = post


def _units(county: County) -> list[Unit]:
    """The units, taken up by name if an earlier build (or a user) made them already."""
    wanted = [(COUNTY, n, k) for n, k in COUNTY_UNITS] + [(PREFECTURE, n, k) for n, k in PREFECTURE_UNITS]
    have = {(u.area_id, u.name): u for u in Unit.objects.filter(area_id__in=[COUNTY, PREFECTURE])}
    county.save(Unit, [Unit(area_id=a, name=n, kind=k) for a, n, k in wanted if (a, n) not in have])
    have = {(u.area_id, u.name): u for u in Unit.objects.filter(area_id__in=[COUNTY, PREFECTURE])}
    # Counted whether made now or taken up again, so every build reports the same counts.
    county.counts[Unit._meta.label_lower] = len(wanted)
    return [have[a, n] for a, n, _ in wanted]


def build(county: County) -> None:
    rng = county.rng("party")
    year = county.year
    units = _units(county)
    county.shared["units"] = units

    # Organisations with their people planned first, so each knows its secretary's name.
    plans: list[tuple[Organisation, list[Person]]] = []
    committees: dict[str, Organisation] = {}
    for township in county.townships:
        org = Organisation(
            area_id=township.code,
            name=f"{township.name}党委",
            kind=OrgKind.COMMITTEE,
            setting=OrgSetting.TOWNSHIP,
            founded_on=dt.date(rng.randint(1950, 1958), rng.randint(1, 12), 1),
        )
        people = [_invent(rng, year, official=True) for _ in range(rng.randint(6, 9))]
        for p in people:
            p.status = MemberStatus.FULL
        _posts(people, COMMITTEE_POSTS)
        committees[township.code] = org
        plans.append((org, people))

    joint_villages = [c for c in JOINT_VILLAGES if any(v.code == c for v in county.villages)]
    if len(joint_villages) < 3:
        joint_villages = [v.code for v in county.villages if v.code.startswith(TOWNSHIP[:9])][:3]
    joint = Organisation(
        area_id=joint_villages[0][:9] + "000",
        name=JOINT_NAME,
        kind=OrgKind.JOINT_COMMITTEE,
        setting=OrgSetting.VILLAGE,
        founded_on=dt.date(year - 4, 7, 1),
    )
    joint_people = [_invent(rng, year, official=True) for _ in range(5)]
    for p in joint_people:
        p.status = MemberStatus.FULL
    _posts(joint_people, COMMITTEE_POSTS)
    plans.append((joint, joint_people))

    in_registry = _registry_party(county)
    branches: dict[str, Organisation] = {}
    secretaries: dict[str, Person] = {}
    for village in county.villages:
        community = int(village.code[9:12]) < 200
        general = rng.random() < 0.08
        org = Organisation(
            area_id=village.code,
            name=f"{village.short}党{'总支' if general else '支部'}",
            kind=OrgKind.GENERAL_BRANCH if general else OrgKind.BRANCH,
            setting=OrgSetting.COMMUNITY if community else OrgSetting.VILLAGE,
            founded_on=dt.date(rng.randint(1952, 1985), rng.randint(1, 12), 1),
        )
        size = rng.randint(5, 15)
        local = in_registry.get(village.code, [])
        chosen = sorted(rng.sample(range(len(local)), min(len(local), size - rng.randint(0, 2))))
        people = [local[i] for i in chosen]
        people += [_invent(rng, year) for _ in range(size - len(people))]
        # The secretary: a villager in the household file if there is one, in the prime of life.
        people.sort(key=lambda p: (p.registry_member is None, abs(year - p.birth_year - 48)))
        _posts(people, BRANCH_POSTS)
        branches[village.code] = org
        secretaries[village.code] = next(p for p in people if p.post == "书记")
        plans.append((org, people))

    def special(area: str, name: str, setting: str, size: int) -> Organisation:
        org = Organisation(
            area_id=area, name=name, kind=OrgKind.BRANCH, setting=setting, founded_on=dt.date(year - 5, 6, 1)
        )
        people = [_invent(rng, year) for _ in range(size)]
        _posts(people, BRANCH_POSTS[:3])
        plans.append((org, people))
        return org

    cattle_village = next((v for v in county.villages if v.code.startswith("433124106")), county.villages[-1])
    cooperatives = [
        special(VILLAGE, "十八洞村猕猴桃专业合作社党支部", OrgSetting.COOPERATIVE, 7),
        special(
            cattle_village.code,
            f"{cattle_village.short}湘西黄牛养殖专业合作社党支部",
            OrgSetting.COOPERATIVE,
            6,
        ),
    ]
    seat = next((t.code for t in county.townships if t.code == COUNTY_SEAT), county.townships[0].code)
    enterprise = special(seat, "花垣县苗绣文化发展有限公司党支部", OrgSetting.ENTERPRISE, 8)
    chain = special(COUNTY, "花垣县猕猴桃产业链党支部", OrgSetting.INDUSTRY_CHAIN, 9)

    unit_orgs: dict[int, Organisation] = {}
    for unit in units:
        org = Organisation(
            area_id=unit.area_id,
            name=f"{unit.name}{'机关' if unit.kind in (K.PARTY_GOVERNMENT, K.DEPARTMENT) else ''}党支部",
            kind=OrgKind.BRANCH,
            setting=OrgSetting.UNIT,
            unit=unit,
            founded_on=dt.date(rng.randint(1960, 1995), rng.randint(1, 12), 1),
        )
        people = [_invent(rng, year, official=True) for _ in range(rng.randint(8, 18))]
        _posts(people, BRANCH_POSTS[:4])
        unit_orgs[unit.pk] = org
        plans.append((org, people))

    for org, people in plans:
        org.secretary_name = next((p.name for p in people if p.post.endswith("书记")), "")
    county.save(Organisation, [org for org, _ in plans])
    # The hierarchy: branches under their township's committee, the three under the joint one.
    parents: list[Organisation] = []
    for code, org in branches.items():
        org.parent = joint if code in joint_villages else committees.get(code[:9] + "000")
        parents.append(org)
    joint.parent = committees.get(joint.area_id)
    for org in cooperatives:
        org.parent = committees.get(org.area_id[:9] + "000")
    Organisation.objects.bulk_update([*parents, joint, *cooperatives], ["parent"], batch_size=500)
    joint.villages.set(joint_villages)

    members: list[PartyMember] = []
    # Villagers in the household file who are members of their village's branch, by village,
    # with their household number (mutual-aid leaders and 党员联户 come from them).
    by_village: dict[str, list[tuple[PartyMember, str]]] = defaultdict(list)
    for org, people in plans:
        for p in people:
            member = PartyMember(
                organisation=org,
                area_id=org.area_id,
                name=p.name,
                gender=p.gender,
                birth_year=p.birth_year,
                education=p.education,
                status=p.status,
                post=p.post,
                joined_on=_joined(rng, p, county.today),
                registry_member_id=p.registry_member,
            )
            members.append(member)
            if p.household and branches.get(org.area_id) is org:
                by_village[org.area_id].append((member, p.household))
    county.save(PartyMember, members)
    county.shared["branches"] = branches
    county.shared["unit_orgs"] = unit_orgs
    county.shared["village_members"] = by_village

    _cadres(county, secretaries)
    ratings = _ratings(county, [org for org, _ in plans if org.kind != OrgKind.COMMITTEE])
    _linkages(county, branches, ratings, cooperatives, enterprise, chain, joint_villages)


def _cadres(county: County, secretaries: dict[str, Person]) -> None:
    """两委 members of every village: ages and schooling as 2021's elections left them, with a
    few over 60 or with primary schooling only (the profile's point), and reserve cadres."""
    rng = county.rng("cadres")
    year = county.year
    E = Education
    rows: list[Cadre] = []

    def trained() -> dt.date | None:
        return None if rng.random() < 0.1 else county.today - dt.timedelta(days=rng.randint(20, 500))

    def cadre(area: str, post: str, p: Person | None = None, *, reserve: bool = False) -> Cadre:
        if p is None:
            born = rng.randint(year - 35, year - 24) if reserve else rng.randint(year - 63, year - 28)
            if not reserve and rng.random() < 0.07:
                born = rng.randint(year - 68, year - 61)  # over 60: to be replaced at the next election
            gender = "m" if rng.random() < 0.7 else "f"
            education = _education(rng, born)
            if reserve:
                education = rng.choice((E.SENIOR, E.VOCATIONAL, E.COLLEGE))
            elif rng.random() < 0.07:
                education = E.PRIMARY
            p = Person(person(rng, born, gender), gender, born, education, MemberStatus.FULL)
            party = reserve or rng.random() < 0.75
        else:
            party = True
        return Cadre(
            area_id=area,
            name=p.name,
            post=post,
            birth_year=p.birth_year,
            education=p.education or E.JUNIOR,
            party_member=party,
            reserve=reserve,
            last_trained_on=trained(),
        )

    for village in county.villages:
        secretary = secretaries.get(village.code)
        if rng.random() < 0.7:
            rows.append(cadre(village.code, CadrePost.SECRETARY_DIRECTOR, secretary))
        else:
            rows.append(cadre(village.code, CadrePost.SECRETARY, secretary))
            rows.append(cadre(village.code, CadrePost.DIRECTOR))
        rows += [cadre(village.code, CadrePost.COMMITTEE) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            rows.append(cadre(village.code, CadrePost.ACCOUNTANT))
        if rng.random() < 0.35:
            rows.append(cadre(village.code, CadrePost.RESERVE, reserve=True))
    county.save(Cadre, rows)


def _ratings(county: County, orgs: list[Organisation]) -> dict[int, Rating]:
    """Five-star ratings and classes for the last two full years; about 5% weak each year.

    Returns last year's rating per organisation."""
    rng = county.rng("ratings")
    quality = {org.pk: rng.gauss(3.4, 0.9) for org in orgs}
    rater = county.user("org_dept")
    rows: list[Rating] = []
    latest: dict[int, Rating] = {}
    for year in (county.year - 2, county.year - 1):
        scores = {
            org.pk: quality[org.pk] + rng.gauss(0.15 if year == county.year - 1 else 0, 0.5) for org in orgs
        }
        # The weakest 5% of village branches are listed weak and lax (软弱涣散) for rectification.
        villages = sorted(
            (o for o in orgs if o.setting in (OrgSetting.VILLAGE, OrgSetting.COMMUNITY)),
            key=lambda o: (scores[o.pk], o.area_id),
        )
        weak = {o.pk for o in villages[: max(1, round(len(orgs) * 0.05))]}
        for org in orgs:
            stars = max(1, min(5, round(scores[org.pk])))
            if org.pk in weak:
                stars = min(stars, 2)
            elif stars <= 2 and rng.random() < 0.5:
                stars = 3
            rating = Rating(
                organisation=org,
                area_id=org.area_id,
                year=year,
                stars=stars,
                rating_class=RatingClass.ADVANCED
                if stars >= 4
                else RatingClass.MIDDLE
                if stars == 3
                else RatingClass.LAGGING,
                weak=org.pk in weak,
                rectification=rng.choice(RECTIFICATION) if org.pk in weak else "",
                rated_by=rater,
            )
            rows.append(rating)
            if year == county.year - 1:
                latest[org.pk] = rating
    county.save(Rating, rows)
    county.stamp(Rating, rows, "rated_at", [county.at(dt.date(r.year + 1, 1, 20), 15, 0) for r in rows])
    return latest


def _linkages(
    county: County,
    branches: dict[str, Organisation],
    ratings: dict[int, Rating],
    cooperatives: list[Organisation],
    enterprise: Organisation,
    chain: Organisation,
    joint_villages: list[str],
) -> None:
    """组织联建 of each kind: strong branches with weak ones of the same township, the
    cooperatives with villages of their industry, neighbours, and the kiwi chain."""
    rng = county.rng("linkages")
    rows: list[Linkage] = []

    def link(first: Organisation, second: Organisation, kind: str, note: str, years: int = 3) -> None:
        started = county.today - dt.timedelta(days=rng.randint(200, 365 * years))
        rows.append(Linkage(first=first, second=second, kind=kind, started_on=started, note=note))

    by_township: dict[str, list[Organisation]] = defaultdict(list)
    for code, org in branches.items():
        by_township[code[:9]].append(org)
    weak = [org for org in branches.values() if ratings[org.pk].weak]
    used: set[int] = set()
    for org in weak:
        strong = [o for o in by_township[org.area_id[:9]] if o.pk not in used and ratings[o.pk].stars >= 4]
        if strong:
            leader = min(strong, key=lambda o: (-ratings[o.pk].stars, o.area_id))
            used.add(leader.pk)
            link(leader, org, LinkKind.STRONG_WEAK, "强村带弱村，结对整顿提升")
    shibadong = branches.get(VILLAGE)
    for code in joint_villages[1:]:
        if shibadong and code in branches and branches[code] is not shibadong:
            link(shibadong, branches[code], LinkKind.SAME_AREA, "片区联建，抱团发展乡村旅游")
    kiwi, cattle = cooperatives
    for org in [o for o in by_township[kiwi.area_id[:9]] if o.area_id != kiwi.area_id][:3]:
        link(kiwi, org, LinkKind.SAME_INDUSTRY, "猕猴桃产业同业联建，统一技术标准和销售")
    for org in [o for o in by_township[cattle.area_id[:9]] if o.area_id != cattle.area_id][:2]:
        link(cattle, org, LinkKind.SAME_INDUSTRY, "黄牛养殖同业联建，共建防疫和销售渠道")
    for org in (kiwi, cattle, enterprise):
        link(chain, org, LinkKind.CHAIN, "产业链上建支部：种植、加工、销售环节联建")
    # One linkage that ran its course, so the history shows an ended one.
    if len(rows) > 1:
        rows[-1].ended_on = county.today - dt.timedelta(days=rng.randint(10, 120))
        rows[-1].note += "（已完成联建目标）"
        rows.append(
            Linkage(
                first=rows[-1].first,
                second=rows[-1].second,
                kind=rows[-1].kind,
                started_on=rows[-1].ended_on + dt.timedelta(days=1),
                note="第二轮联建：品牌共建",
            )
        )
    county.save(Linkage, rows)
