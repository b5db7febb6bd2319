"""The demo county's responsibility list for this year (职责任务清单化, the 23 items signed level by
level, seed 002) owned by townships and units, with progress reported every few weeks. Each
owner keeps its own pace — fast early, late starter, steady, stalled — so the two-monthly
ranking (亮进度、赛成绩) comes out differently from one period to the next.
"""

from __future__ import annotations

import datetime as dt
import random

from fupin.core.personas import COUNTY, TOWNSHIP
from fupin.demo.county import County, person
from fupin.demo.party_orgs import GAP_UNIT
from fupin.duty.models import ProgressReport, Task

TASKS = [
    "脱贫人口收入监测和动态调整全覆盖",
    "防止返贫动态监测和帮扶：风险消除率达到目标",
    "驻村工作队考勤管理和轮换选派",
    "衔接资金项目按进度拨付，年底支付率达到 90%",
    "扶贫小额信贷应贷尽贷，到期及时收回",
    "易地扶贫搬迁后续扶持和就业帮扶",
    "农村危房改造动态清零",
    "农村饮水安全巩固提升",
    "义务教育控辍保学，零辍学",
    "脱贫人口和监测对象基本医保参保全覆盖",
    "脱贫劳动力转移就业稳岗",
    "扶贫车间提质增效，稳定带动就业",
    "消费帮扶农产品销售任务",
    "村集体经济薄弱村清零",
    "软弱涣散村党组织整顿转化",
    "互助五兴组织建设和年度评星",
    "三个全覆盖结对帮扶落实",
    "农村人居环境整治三年行动",
    "低保特困兜底保障应保尽保",
    "公益性岗位开发和规范管理",
    "技能培训一户一工人",
    "生态护林员选聘和考核",
    "东西部协作项目落地",
]
PACES = ("early", "late", "steady", "stalled")


def _curve(pace: str, share: float) -> float:
    """Progress (0-100) at ``share`` of the way to the due date."""
    if pace == "early":
        return 100 * min(1.0, share**0.5)
    if pace == "late":
        return 100 * min(1.0, share**2.2)
    if pace == "stalled":
        return 100 * min(0.6, share * 1.3)
    return 100 * min(1.0, share)


def build(county: County) -> None:
    rng = county.rng("duty")
    year = county.year
    units = [u for u in county.shared["units"] if u.name != GAP_UNIT]
    townships = list(county.townships)
    township_user = county.user("township_officer")
    county_user = county.user("county_admin")
    tasks: list[Task] = []
    paces: list[str] = []
    for i, title in enumerate(TASKS):
        # Alternate township and unit owners, each owner with its own pace.
        if i % 2 == 0 and townships:
            owner_area, owner_unit = townships[(i // 2) % len(townships)].code, None
        else:
            owner_area, owner_unit = None, units[(i * 3) % len(units)]
        due = rng.choice(
            (dt.date(year, 12, 31), dt.date(year, 12, 31), dt.date(year, 9, 30), dt.date(year, 6, 30))
        )
        tasks.append(
            Task(
                area_id=COUNTY,
                year=year,
                title=title,
                owner_area_id=owner_area,
                owner_unit=owner_unit,
                owner_person=person(rng, rng.randint(year - 55, year - 35)),
                due_on=due,
            )
        )
        paces.append(PACES[(i * 7 + rng.randrange(4)) % 4])
    reports: list[ProgressReport] = []
    start = dt.date(year, 1, 10)
    for task, pace in zip(tasks, paces, strict=True):
        span = (task.due_on - dt.date(year, 1, 1)).days or 1
        day = start + dt.timedelta(days=rng.randint(0, 14))
        progress = 0
        while day <= county.yesterday:
            share = (day - dt.date(year, 1, 1)).days / span
            target = round(_curve(pace, share) + rng.uniform(-4, 4))
            progress = max(progress, min(100, max(0, target)))
            by = (
                township_user
                if task.owner_area_id and task.owner_area_id.startswith(TOWNSHIP[:9])
                else county_user
            )
            reports.append(
                ProgressReport(
                    task=task,
                    area_id=COUNTY,
                    day=day,
                    progress=progress,
                    note=_note(rng, progress),
                    by=by,
                )
            )
            if progress >= 100:
                break
            day += dt.timedelta(days=rng.randint(14, 28))
        task.progress = progress
    county.save(Task, tasks)
    # On the list since early January: the ranking of a past period only counts tasks that
    # existed then.
    county.stamp(Task, tasks, "created_at", [county.at(dt.date(year, 1, 4), 9, 0)] * len(tasks))
    county.save(ProgressReport, reports)


def _note(rng: random.Random, progress: int) -> str:
    if progress >= 100:
        return "已全面完成，资料归档"
    if progress >= 60:
        return rng.choice(("按计划推进，进入收尾阶段", "主体工作完成，正在查漏补缺"))
    if progress >= 30:
        return rng.choice(("完成摸底和方案制定，正在组织实施", "部分乡镇进度滞后，已约谈督办"))
    return rng.choice(("已部署，正在摸底调查", "资金尚未到位，进度偏慢"))
