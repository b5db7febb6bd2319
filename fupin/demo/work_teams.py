"""Village work teams of the demo county (驻村工作队, domain.md §7) and a year of their work.

One team in each key village and in 十八洞村, three to five people from the unit paired with the
village and others, on two-year terms; one team planted with only two people and one with a
term under two years, so the warnings show. 十八洞村's first secretary is the
``first_secretary`` login.

Check-ins (一日一签到) for the 365 days up to yesterday, about 22 days a month with a few
members short of 20 in some months and none on leave days; 十八洞村's weekly summaries and
monthly plans, most reviewed; leave approved by the township (short) or the county (long), one
member with 36 days of approved leave this year and the recall proposal it triggers, and
requests still waiting at both levels; spot checks with a few unexcused absences; last year's
assessments with the excellent share under the cap and the local score weights.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.demo.county import PERSONA_PEOPLE, County, add_years, days, person
from fupin.demo.party_orgs import GAP_UNIT
from fupin.party.models import Unit
from fupin.teams.grading import check_recall_triggers
from fupin.teams.models import (
    CheckIn,
    Grade,
    LeaveRequest,
    LeaveStatus,
    RecallProposal,
    ReportKind,
    SpotCheck,
    TeamMember,
    TeamRole,
    WorkReport,
    WorkTeam,
    YearlyAssessment,
)

TOWNSHIP_LEVEL, COUNTY_LEVEL = 4, 3
RECALL_LEAVE = (10, 12, 14)  # the planted member's approved leave this year: 36 days
SHIBADONG_PLACE = (28.3675, 109.6061)

LEAVE_REASONS_SHORT = ["家中老人住院陪护", "孩子开家长会", "回原单位办理人事手续", "本人体检", "家中有事"]
LEAVE_REASONS_LONG = [
    "本人手术住院治疗",
    "配偶生产陪护",
    "参加州委党校集中培训",
    "直系亲属病危照料",
    "年休假",
]
WEEK_DONE = [
    "走访脱贫户和监测户{n}户，核实家庭收入和两不愁三保障情况",
    "召开村两委和工作队联席会，研究产业发展和项目推进",
    "协调猕猴桃基地用工，带动{n}名脱贫劳动力就近务工",
    "组织党员开展主题党日活动，宣讲惠民政策",
    "督促危房改造和饮水工程进度，现场解决施工矛盾",
    "开展防返贫监测排查，新发现风险线索{k}条并上报乡镇",
    "帮助农户对接电商平台销售腊肉、茶叶等农产品",
    "调处邻里土地纠纷{k}起，组织互助组开展环境卫生评比",
]
WEEK_ISSUES = [
    "部分监测户增收渠道单一",
    "产业路雨后塌方需尽快修复",
    "个别农户对政策理解有偏差",
    "村集体经济收益分配方案尚未公示",
    "留守老人就医不便",
]
MONTH_PLANS = [
    "完成全部监测户和脱贫户月度走访",
    "推进村级光伏电站收益分配",
    "组织一期实用技术培训",
    "完善村规民约并开展道德星级评定",
    "督促项目资金按进度拨付",
    "开展软弱涣散党组织整顿回头看",
    "落实雨露计划和教育资助申报",
    "组织劳务输出对接会",
]


@dataclass
class Person:
    """A team member and what the build decides about their year."""

    member: TeamMember
    team: WorkTeam
    low_months: set[tuple[int, int]] = field(default_factory=set)
    leave: set[dt.date] = field(default_factory=set)
    checked: set[dt.date] = field(default_factory=set)


def _place(code: str) -> tuple[float, float]:
    if code == VILLAGE:
        return SHIBADONG_PLACE
    r = random.Random(code)
    return 28.38 + r.random() * 0.36, 109.28 + r.random() * 0.38


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build(county: County) -> None:
    rng = county.rng("teams")
    units: list[Unit] = [u for u in county.shared["units"] if u.name != GAP_UNIT]
    village_unit: dict[str, Unit] = county.shared["village_unit"]
    codes = {v.code for v in county.key_villages}
    if any(v.code == VILLAGE for v in county.villages):
        codes.add(VILLAGE)
    villages = sorted(codes)
    others = [c for c in villages if c != VILLAGE]
    # The planted warnings, away from 十八洞村: one team of two, one on a short term.
    small = rng.choice(others) if others else ""
    short = rng.choice([c for c in others if c != small]) if len(others) > 1 else ""
    planted = county.shared["planted"]
    planted["teams_below_min_members"] = [small] if small else []
    planted["teams_short_term"] = [short] if short else []
    _deviate(county, small, short)

    teams: list[WorkTeam] = []
    sizes: list[int] = []
    for code in villages:
        least, years = (
            int(county.setting(code, "team_min_members")),
            int(county.setting(code, "team_min_term_years")),
        )
        began = county.today - dt.timedelta(days=rng.randint(380, 720))
        ends = add_years(began, years + (1 if rng.random() < 0.2 else 0))
        if code == short:
            began = county.today - dt.timedelta(days=390)
            ends = add_years(began, years) - dt.timedelta(days=190)  # half a year short of the minimum
        unit = village_unit.get(code) or rng.choice(units)
        teams.append(WorkTeam(area_id=code, lead_unit=unit, started_on=began, term_ends_on=ends))
        sizes.append(max(1, least - 1) if code == small else rng.randint(least, least + 2))
    county.save(WorkTeam, teams)

    members: list[TeamMember] = []
    for team, size in zip(teams, sizes, strict=True):
        for i in range(size):
            role = (
                TeamRole.FIRST_SECRETARY
                if i == 0
                else TeamRole.LEADER
                if i == 1 and rng.random() < 0.5
                else TeamRole.MEMBER
            )
            persona = team.area_id == VILLAGE and i == 0
            members.append(
                TeamMember(
                    team=team,
                    area_id=team.area_id,
                    user=county.user("first_secretary") if persona else None,
                    name=PERSONA_PEOPLE["first_secretary"]
                    if persona
                    else person(rng, rng.randint(county.year - 50, county.year - 25)),
                    unit=team.lead_unit if i == 0 or rng.random() < 0.5 else rng.choice(units),
                    role=role,
                    term_starts_on=team.started_on,
                    term_ends_on=team.term_ends_on,
                )
            )
    county.save(TeamMember, members)
    people = [Person(m, m.team) for m in members]
    county.shared["team_members"] = people

    recalled = _leave(county, rng, people)
    _check_ins(county, rng, people, full=recalled)
    absences = _spot_checks(county, rng, people)
    _reports(county, rng, people)
    _assessments(county, rng, people, absences)
    if recalled is not None:
        # The system's own rule proposes the recall, as it would after the last leave approved.
        proposals = check_recall_triggers(recalled.member, county.year)
        county.made[RecallProposal._meta.label_lower] += [p.pk for p in proposals]
        county.counts[RecallProposal._meta.label_lower] += len(proposals)
        planted["recall_leave_member"] = [recalled.member.name]


def _windows(rng: random.Random, first: dt.date, last: dt.date, lengths: tuple[int, ...]) -> list[dt.date]:
    """Start days of leaves of ``lengths`` days, one in each equal part of [first, last]."""
    span = (last - first).days + 1
    part = span // len(lengths)
    starts = []
    for i, length in enumerate(lengths):
        room = max(0, part - length - 2)
        starts.append(first + dt.timedelta(days=i * part + rng.randint(0, room)))
    return starts


def _leave(county: County, rng: random.Random, people: list[Person]) -> Person | None:
    """Leave of the past year, the planted 36 days, and requests still waiting."""
    org_dept, township_user = county.user("org_dept"), county.user("township_officer")
    rows: list[LeaveRequest] = []
    now = timezone.now()
    township_max = {
        p.team.area_id: int(county.setting(p.team.area_id, "leave_township_max_days")) for p in people
    }

    def request(
        p: Person, first: dt.date, length: int, reason: str, status: str = LeaveStatus.APPROVED
    ) -> None:
        last = first + dt.timedelta(days=length - 1)
        level = TOWNSHIP_LEVEL if length <= township_max[p.team.area_id] else COUNTY_LEVEL
        decided = status in (LeaveStatus.APPROVED, LeaveStatus.REFUSED)
        approver = township_user if level == TOWNSHIP_LEVEL else org_dept
        if approver is township_user and not p.team.area_id.startswith(TOWNSHIP[:9]):
            approver = None  # another township's officer: not a demo login
        rows.append(
            LeaveRequest(
                member=p.member,
                area_id=p.member.area_id,
                first_day=first,
                last_day=last,
                days=length,
                reason=reason,
                approver_level=level,
                status=status,
                decided_by=approver if decided else None,
                decided_at=min(
                    now, county.at(first - dt.timedelta(days=rng.randint(1, 5)), 10, rng.randint(0, 59))
                )
                if decided
                else None,
                decision_note=(
                    "同意，请做好工作交接" if status == LeaveStatus.APPROVED else "驻村任务重，暂缓休假"
                )
                if decided
                else "",
            )
        )
        if status == LeaveStatus.APPROVED:
            p.leave.update(days(first, last))

    # The planted one: a first secretary of 双龙镇 (not 十八洞村's) with 36 days this year.
    secretaries = [
        p for p in people if p.member.role == TeamRole.FIRST_SECRETARY and p.team.area_id != VILLAGE
    ]
    home = [p for p in secretaries if p.team.area_id.startswith(TOWNSHIP[:9])]
    recalled = (home or secretaries or [None])[0]
    if recalled is not None:
        jan = dt.date(county.year, 1, 5)
        if (county.yesterday - jan).days >= 100:
            starts = _windows(rng, jan, county.yesterday - dt.timedelta(days=3), RECALL_LEAVE)
        else:  # early in the year: approved leave still to come
            starts = _windows(
                rng, county.today + dt.timedelta(days=7), dt.date(county.year, 12, 28), RECALL_LEAVE
            )
        for first, length in zip(starts, RECALL_LEAVE, strict=True):
            request(recalled, first, length, rng.choice(LEAVE_REASONS_LONG))

    for p in people:
        if p is recalled:
            continue
        start = max(county.year_ago, p.member.term_starts_on)
        room = (county.yesterday - start).days - 20
        if room <= 0:
            continue
        if rng.random() < 0.35:
            request(
                p,
                start + dt.timedelta(days=rng.randint(0, room)),
                rng.randint(1, 3),
                rng.choice(LEAVE_REASONS_SHORT),
            )
        if rng.random() < 0.15:
            request(
                p,
                start + dt.timedelta(days=rng.randint(0, room)),
                rng.randint(4, 9),
                rng.choice(LEAVE_REASONS_LONG),
            )
        if rng.random() < 0.01:
            request(
                p,
                start + dt.timedelta(days=rng.randint(0, room)),
                rng.randint(5, 10),
                rng.choice(LEAVE_REASONS_LONG),
                LeaveStatus.REFUSED,
            )
    # Waiting for a decision: a short request at the township and a long one at the county,
    # both in 十八洞村's team (not the persona's own: his is for the journey to make).
    waiting = [p for p in people if p.team.area_id == VILLAGE and p.member.user_id is None]
    waiting = waiting or [p for p in people if p is not recalled][:2]
    if waiting:
        request(
            waiting[0], county.today + dt.timedelta(days=3), 2, "回原单位参加年度述职", LeaveStatus.PENDING
        )
        request(
            waiting[-1], county.today + dt.timedelta(days=10), 5, "陪同父亲赴长沙复查", LeaveStatus.PENDING
        )
    county.save(LeaveRequest, rows)
    asked = [
        (r.decided_at - dt.timedelta(days=1)) if r.decided_at else county.at(county.yesterday, 17, 30)
        for r in rows
    ]
    county.stamp(LeaveRequest, rows, "requested_at", asked)
    return recalled


def _deviate(county: County, small: str, short: str) -> None:
    """The planted teams are below the central rule, which the county may allow only by saying
    so: the county's deviation settings, set as its administrator would, through the rule."""
    from fupin.areas.models import Area
    from fupin.cases.area_settings import do_set_area_setting
    from fupin.core.access import SYSTEM

    area = Area.objects.get(code=COUNTY)
    wanted = {
        "team_deviation_min_members": 2 if small else 0,
        "team_deviation_min_term_years": 1 if short else 0,
    }
    for key, value in wanted.items():
        if value:
            do_set_area_setting(area, key, value, actor=SYSTEM)
            county.area_settings[COUNTY, key] = value


def _check_ins(county: County, rng: random.Random, people: list[Person], full: Person | None = None) -> None:
    """About 22 days a month in the village: most weekdays, some weekends, none on leave.

    The 365 days up to yesterday, from the first of that month on so the oldest month is
    whole. Each whole month but a planted low one is topped up to the days owed (the required
    days less approved leave), so only the planted low months fall short of the rule."""
    first = county.year_ago.replace(day=1)
    months: dict[tuple[int, int], list[dt.date]] = {}
    for day in days(first, county.yesterday):
        months.setdefault((day.year, day.month), []).append(day)
    current = (county.today.year, county.today.month)
    rows: list[dict[str, object]] = []
    for p in people:
        start = max(first, p.member.term_starts_on)
        mine = [m for m, ds in months.items() if ds[-1] >= start]
        # The planted leave recall stays the only proposal: its member has no low month.
        if rng.random() < 0.08 and p is not full:
            p.low_months = set(rng.sample(mine, min(len(mine), rng.randint(1, 3))))
        required = int(county.setting(p.member.area_id, "village_days_per_month"))
        lat, lon = _place(p.team.area_id)
        member, area = p.member.pk, p.member.area_id
        for month in mine:
            open_days = [d for d in months[month] if d >= start and d not in p.leave]
            low = month in p.low_months
            chosen = [
                d for d in open_days if rng.random() < ((0.7 if low else 0.95) if d.weekday() < 5 else 0.18)
            ]
            # Approved leave lowers the days owed, as ``teams.grading.attendance`` counts them.
            owed = required - sum(1 for d in months[month] if d in p.leave)
            whole = months[month][0] >= start and month != current
            if whole and not low and len(chosen) < owed:
                taken = set(chosen)
                spare = [d for d in open_days if d not in taken]
                chosen += rng.sample(spare, min(len(spare), owed - len(chosen) + rng.randint(0, 2)))
            for day in sorted(chosen):
                p.checked.add(day)
                at = county.at(day, rng.choice((7, 8, 8, 8, 9)), rng.randint(0, 59))
                located = rng.random() < 0.95  # else location refused on the phone: the time counts
                rows.append(
                    {
                        "member_id": member,
                        "area_id": area,
                        "day": day,
                        "at": at,
                        "latitude": Decimal(f"{lat + rng.uniform(-0.004, 0.004):.6f}") if located else None,
                        "longitude": Decimal(f"{lon + rng.uniform(-0.004, 0.004):.6f}") if located else None,
                    }
                )
    county.insert(CheckIn, rows)


def _spot_checks(county: County, rng: random.Random, people: list[Person]) -> dict[int, int]:
    """Two to four checks per member; absent on leave is excused, a few absences are not.
    Returns each member's unexcused absences in last year's calendar part."""
    checker = county.user("org_dept")
    rows: list[SpotCheck] = []
    absences: dict[int, int] = {}
    last_year = county.year - 1
    unexcused_plan = {id(p): 1 for p in people if rng.random() < 0.04}
    if people:
        unexcused_plan[id(rng.choice(people))] = 2
    for p in people:
        start = max(county.year_ago, p.member.term_starts_on)
        workdays = [d for d in days(start, county.yesterday) if d.weekday() < 5]
        if not workdays:
            continue
        wanted = unexcused_plan.get(id(p), 0)
        present_days = [d for d in workdays if d in p.checked]
        away = [d for d in workdays if d not in p.checked and d not in p.leave]
        leave_days = [d for d in workdays if d in p.leave]
        chosen: dict[dt.date, tuple[bool, bool, str]] = {}
        for day in rng.sample(present_days, min(len(present_days), rng.randint(2, 4))):
            chosen[day] = (True, False, "在岗，工作日志齐全")
        if leave_days and rng.random() < 0.5:
            chosen[rng.choice(leave_days)] = (False, True, "请假已批准，手续齐全")
        for day in rng.sample(away, min(len(away), wanted)):
            chosen[day] = (False, False, "电话联系称在县城办事，未履行请假手续")
        for day, (present, excused, note) in sorted(chosen.items()):
            rows.append(
                SpotCheck(
                    member=p.member,
                    area_id=p.member.area_id,
                    day=day,
                    present=present,
                    excused=excused,
                    note=note,
                    checked_by=checker,
                )
            )
            if not present and not excused and day.year == last_year:
                absences[p.member.pk] = absences.get(p.member.pk, 0) + 1
    county.save(SpotCheck, rows)
    return absences


def _reports(county: County, rng: random.Random, people: list[Person]) -> None:
    """十八洞村's weekly summaries and monthly plans; all but the latest reviewed."""
    reviewer = county.user("township_officer")
    rows: list[WorkReport] = []
    monday = county.today - dt.timedelta(days=county.today.weekday())
    for p in people:
        if p.team.area_id != VILLAGE:
            continue
        start = max(county.year_ago, p.member.term_starts_on)
        weeks = 52 if p.member.role == TeamRole.FIRST_SECRETARY else 8
        week = monday - dt.timedelta(weeks=1)
        for n in range(weeks):
            if week < start:
                break
            in_village = sum(1 for d in days(week, week + dt.timedelta(days=6)) if d in p.checked)
            text = "；".join(rng.sample(WEEK_DONE, 2)).format(n=rng.randint(3, 12), k=rng.randint(1, 3))
            text = f"本周在村 {in_village} 天。{text}。存在问题：{rng.choice(WEEK_ISSUES)}。"
            reviewed = n >= 1
            rows.append(_report(county, p, ReportKind.WEEKLY_SUMMARY, week, text, reviewed, reviewer, rng))
            week -= dt.timedelta(weeks=1)
        month = county.today.replace(day=1)
        for n in range(13):
            if month < start.replace(day=1):
                break
            plans = rng.sample(MONTH_PLANS, 3)
            text = f"{month.month}月计划：一是{plans[0]}；二是{plans[1]}；三是{plans[2]}。"
            rows.append(_report(county, p, ReportKind.MONTHLY_PLAN, month, text, n >= 1, reviewer, rng))
            month = (month - dt.timedelta(days=1)).replace(day=1)
    county.save(WorkReport, rows)
    # A summary is sent on the Friday of its week, a plan on the first of its month.
    sent = [
        county.at(r.period_start + dt.timedelta(days=4 if r.kind == ReportKind.WEEKLY_SUMMARY else 0), 18, 0)
        for r in rows
    ]
    county.stamp(WorkReport, rows, "submitted_at", sent)


def _report(
    county: County,
    p: Person,
    kind: str,
    start: dt.date,
    text: str,
    reviewed: bool,
    reviewer: object,
    rng: random.Random,
) -> WorkReport:
    seen = start + dt.timedelta(days=8 if kind == ReportKind.WEEKLY_SUMMARY else 3)
    return WorkReport(
        member=p.member,
        area_id=p.member.area_id,
        kind=kind,
        period_start=start,
        text=text,
        reviewed_at=county.at(min(seen, county.yesterday), 16, rng.randint(0, 59)) if reviewed else None,
        reviewed_by=reviewer if reviewed else None,  # type: ignore[misc]
        review_note=rng.choice(("已阅", "已阅，抓好落实", "很好，继续保持", "请补充走访明细"))
        if reviewed
        else "",
    )


def _assessments(county: County, rng: random.Random, people: list[Person], absences: dict[int, int]) -> None:
    """一年一考核 for last year: weighted half-year and year-end scores; 优秀 for the best in each
    township, within the cap and never with an unexcused absence; 基本称职 for two absences."""
    year = county.year - 1
    grader = county.user("org_dept")
    assessed = [p for p in people if p.member.term_starts_on <= dt.date(year, 12, 31)]
    rows: dict[int, YearlyAssessment] = {}
    for p in assessed:
        code = p.member.area_id
        weight = Decimal(int(county.setting(code, "half_year_weight_percent"))) / 100
        half = _money(rng.uniform(72, 96))
        end = _money(rng.uniform(72, 97))
        total = (half * weight + end * (1 - weight)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        missed = absences.get(p.member.pk, 0)
        grade = Grade.BASIC if missed >= 2 or total < Decimal("75") else Grade.COMPETENT
        note = "抽查两次无故不在岗" if missed >= 2 else ""
        rows[p.member.pk] = YearlyAssessment(
            member=p.member,
            area_id=code,
            year=year,
            half_year_score=half,
            year_end_score=end,
            total=total,
            grade=grade,
            note=note,
            graded_by=grader,
        )
    by_township: dict[str, list[YearlyAssessment]] = {}
    for row in rows.values():
        by_township.setdefault(row.area_id[:9], []).append(row)
    for township, group in by_township.items():
        cap = int(county.setting(township + "000", "excellent_cap_percent"))
        allowed = math.floor(len(group) * cap / 100)
        best = sorted(
            (r for r in group if r.grade == Grade.COMPETENT and not absences.get(r.member.pk)),
            key=lambda r: (-r.total, r.member.pk),
        )
        for row in best[:allowed]:
            row.grade = Grade.EXCELLENT
    graded = list(rows.values())
    county.save(YearlyAssessment, graded)
    county.stamp(
        YearlyAssessment, graded, "graded_at", [county.at(dt.date(county.year, 1, 18), 10, 0)] * len(graded)
    )
