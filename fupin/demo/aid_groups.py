"""Mutual-aid groups of the demo county (互助五兴, seed 003) in about a fifth of the villages,
十八洞村 among them: about five neighbouring households each (neighbours by household number),
led by a party member of the village branch who lives among them or else by an activist; a
year of activities under the five kinds; last year's evaluations from the four sources (a few
groups missing one, as real records are); and last year's household star ratings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fupin.core.personas import VILLAGE
from fupin.demo.county import County, Home
from fupin.mutualaid.models import (
    Activity,
    AidGroup,
    Evaluation,
    EvaluationSource,
    FiveKind,
    GroupHousehold,
    HouseholdStar,
    LeaderKind,
)

VILLAGE_SHARE = 0.2
ACTIVITIES: dict[str, list[str]] = {
    FiveKind.STUDY: [
        "组织收看远程教育节目，学习防返贫政策",
        "户主学习会：讲解产业奖补和小额信贷政策",
        "党员组长领学村规民约和移风易俗倡议",
    ],
    FiveKind.PRODUCTION: [
        "互助修剪猕猴桃，交流病虫害防治经验",
        "帮助缺劳力户抢收稻谷和玉米",
        "统一采购肥料和种苗，降低生产成本",
        "联系合作社收购腊肉和土鸡蛋",
    ],
    FiveKind.CIVILITY: [
        "评选好媳妇好婆婆，张榜表扬",
        "劝导红白喜事从简办理",
        "开展苗歌传唱和苗绣交流活动",
    ],
    FiveKind.HARMONY: [
        "调解两户宅基地边界纠纷",
        "轮流照看独居老人和留守儿童",
        "帮助生病农户送医陪护",
    ],
    FiveKind.GREEN: [
        "清理房前屋后垃圾，整治庭院环境",
        "疏通组内排水沟，修补入户步道",
        "植树护林，清理河道漂浮物",
    ],
}


def _score(value: float) -> Decimal:
    return Decimal(f"{max(40.0, min(99.5, value)):.1f}")


def build(county: County) -> None:
    rng = county.rng("mutualaid")
    with_homes = [v.code for v in county.villages if len(county.homes.get(v.code, [])) >= 3]
    if not with_homes:
        return
    chosen = set(rng.sample(with_homes, max(1, round(len(with_homes) * VILLAGE_SHARE))))
    if VILLAGE in with_homes:
        chosen.add(VILLAGE)
    clerk = county.user("village_clerk")
    members = county.shared["village_members"]
    year = county.year - 1

    groups: list[AidGroup] = []
    homes_of: list[list[Home]] = []
    for code in sorted(chosen):
        limit = int(county.setting(code, "aid_group_max_households"))
        homes = [h for h in county.homes[code] if rng.random() < 0.92]  # a few do not join
        leaders = {number: m for m, number in members.get(code, [])}
        at = 0
        n = 0
        while at < len(homes):
            size = min(limit, rng.choice((4, 5, 5, 5, 6)))
            chunk = homes[at : at + size]
            at += size
            if len(chunk) < 3 and groups and groups[-1].area_id == code:
                homes_of[-1] += chunk[: max(0, limit - len(homes_of[-1]))]
                continue
            if len(chunk) < 2:
                continue  # a lone household is no group
            n += 1
            member = next((leaders[h.number] for h in chunk if h.number in leaders), None)
            groups.append(
                AidGroup(
                    area_id=code,
                    name=f"第{n}互助组",
                    leader_name=member.name if member else rng.choice(chunk).head_name,
                    leader_kind=LeaderKind.PARTY_MEMBER if member else LeaderKind.ACTIVIST,
                    leader_party_member=member,
                    formed_on=dt.date(county.year - rng.randint(3, 6), rng.randint(1, 12), 1),
                )
            )
            homes_of.append(chunk)
    county.save(AidGroup, groups)

    # The big tables go in as plain rows (``County.insert``): {attname: value}.
    links: list[dict[str, Any]] = []
    activities: list[dict[str, Any]] = []
    evaluations: list[dict[str, Any]] = []
    stars: list[dict[str, Any]] = []
    kinds = list(ACTIVITIES)
    # Last year's evaluations were entered in January (or today, early in January).
    recorded = min(timezone.now(), county.at(dt.date(county.year, 1, 15), 10, 0))
    for group, homes in zip(groups, homes_of, strict=True):
        recorder = clerk.pk if clerk is not None and group.area_id == VILLAGE else None
        links += [
            {"group_id": group.pk, "household_id": h.pk, "joined_on": group.formed_on, "left_on": None}
            for h in homes
        ]
        first = rng.randrange(len(kinds))
        for i in range(rng.randint(5, 10)):
            kind = kinds[(first + i) % len(kinds)]
            activities.append(
                {
                    "group_id": group.pk,
                    "area_id": group.area_id,
                    "day": county.today - dt.timedelta(days=rng.randint(1, 365)),
                    "kind": kind,
                    "description": rng.choice(ACTIVITIES[kind]),
                    "households": rng.randint(2, len(homes)),
                    "recorded_by_id": recorder,
                }
            )
        quality = rng.gauss(80, 8)
        sources = list(EvaluationSource.values)
        if rng.random() < 0.08:
            sources.remove(rng.choice(sources))  # one source has not scored the group yet
        bias = {EvaluationSource.SELF: 5.0}
        evaluations += [
            {
                "group_id": group.pk,
                "area_id": group.area_id,
                "year": year,
                "source": source,
                "score": _score(quality + bias.get(source, 0.0) + rng.gauss(0, 4)),
                "recorded_by_id": recorder,
                "recorded_at": recorded,
            }
            for source in sources
        ]
        party_homes = {number for _, number in members.get(group.area_id, [])}
        for h in homes:
            value = quality / 20 + rng.gauss(0, 0.8)
            stars.append(
                {
                    "household_id": h.pk,
                    "area_id": h.area,
                    "year": year,
                    "stars": max(1, min(5, round(value))),
                    "party_star": h.number in party_homes and rng.random() < 0.6,
                    "five_good_family": rng.random() < 0.08,
                    "rated_by_id": recorder,
                }
            )
    county.insert(GroupHousehold, links)
    county.insert(Activity, activities)
    county.insert(Evaluation, evaluations)
    county.insert(HouseholdStar, stars)
