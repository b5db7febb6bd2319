"""Demo cases in every state, so a newcomer sees the whole procedure: in 十八洞村 taken by the
demo personas, in a few other villages by the system operator. Identification and exit, and
monitoring inclusion (纳入监测) and risk elimination (风险消除), including a household without
labour capacity whose elimination stays blocked.

Everything goes through the case actions. The one shortcut is the calendar: a notice that
"ran last month" is posted today and then given earlier dates, as the tests do, because the
demo is built in one go and nobody waits seven days.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import prefix_range
from fupin.cases import actions, rules
from fupin.cases.errors import CaseError
from fupin.cases.models import Case, Kind, Notice, Step
from fupin.cases.workflow import NOTICE_ROUND
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.choices import LabourCapacity
from fupin.registry.models import Household, Member

MEETING = {
    "representatives_total": 31,
    "representatives_present": 26,
    "votes_for": 23,
    "votes_against": 1,
    "votes_abstain": 2,
}


def _cast(village: str) -> dict[str, Any]:
    """Who acts at each level: the personas in 十八洞村 (if their accounts exist), else system."""
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["village_clerk", "first_secretary", "township_officer", "county_admin"]
        )
    }
    inside = village == VILLAGE
    return {
        "clerk": users.get("village_clerk", SYSTEM) if inside else SYSTEM,
        "secretary": users.get("first_secretary", SYSTEM) if inside else SYSTEM,
        "township": users.get("township_officer", SYSTEM) if inside else SYSTEM,
        "county": users.get("county_admin", SYSTEM) if inside else SYSTEM,
    }


def _ran_out(case: Case, *, days_ago: int) -> None:
    """Give the current notice dates as if posted ``days_ago`` days ago (see the module note)."""
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    notice = Notice.objects.get(case=case, round=NOTICE_ROUND[case.step])
    length = notice.ends_on - notice.starts_on
    Notice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + length)


def _approve(case: Case, actor: Any) -> Case:
    """Approve; a rule the household fails is overridden with a reason, as a reviewer would."""
    try:
        return actions.do_approve_case(case, actor=actor, remarks="材料齐全，同意")
    except FupinError as exc:
        if exc.code is not CaseError.RULES_FAILED:
            raise
    for result in rules.evaluate(case):
        if result.blocking and result.overridable:
            actions.do_override_rule(
                case, rule=result.code, reason="经入户核实，情况属实（演示）", actor=actor
            )
    return actions.do_approve_case(case, actor=actor, remarks="材料齐全，同意")


def _advance(case: Case, until: str, cast: dict[str, Any], *, objection: bool = False) -> Case:
    while case.step != until:
        step = case.step
        if step == Step.VERIFICATION:
            case = actions.do_record_verification(case, actor=cast["secretary"], remarks="入户核实，情况属实")
        elif step == Step.REVIEW:
            case = actions.do_record_review_meeting(
                case, held_on=timezone.localdate(), actor=cast["clerk"], remarks="村民代表会议", **MEETING
            )
        elif step == Step.CONSENT:
            head = case.household.head_name
            case = actions.do_record_consent(
                case, consent_name=head, consent_on=timezone.localdate(), actor=cast["clerk"]
            )
        elif step in NOTICE_ROUND:
            actions.do_post_notice(case, starts_on=timezone.localdate(), actor=cast["clerk"])
            _ran_out(case, days_ago=8)
            if objection:
                found = actions.do_record_objection(
                    case, raised_by="村民龙某", content="听说他家在县城买了房", actor=cast["clerk"]
                )
                actions.do_answer_objection(
                    found,
                    answer="经村两委和驻村工作队核实，房屋为亲属所有，异议不成立",
                    actor=cast["secretary"],
                )
                objection = False
            case = actions.do_close_notice(case, actor=cast["clerk"])
        elif step == Step.TOWNSHIP_REVIEW:
            case = _approve(case, cast["township"])
        elif step == Step.COUNTY_APPROVAL:
            case = _approve(case, cast["county"])
        elif step == Step.ANNOUNCEMENT:
            case = actions.do_announce_case(case, announced_on=timezone.localdate(), actor=cast["clerk"])
        elif step == Step.AUTHORISATION:
            case = actions.do_record_authorisation(
                case,
                signed_by=case.household.head_name,
                signed_on=timezone.localdate(),
                remarks="签订《监测对象申请及承诺授权查询书》",
                actor=cast["clerk"],
            )
        elif step == Step.COMPARISON:
            case = actions.do_record_comparison(
                case,
                findings="经医保、民政、住建、公安等部门信息比对，无车辆、商品房及财政供养人员",
                category=cast.get("category") or _fitting(case.household),
                actor=cast["township"],
            )
        elif step == Step.TAGGING and case.kind == Kind.ELIMINATION:
            case = actions.do_tag_elimination(case, way="assisted", actor=cast["clerk"])
        elif step == Step.TAGGING:
            case = actions.do_tag_monitoring(
                case,
                category=case.category or _fitting(case.household),
                risk_types=cast.get("risks") or ["illness"],
                actor=cast["clerk"],
            )
        else:
            break
    return case


def _fitting(household: Household) -> str:
    return "unstable" if rules.former_poor(household) else "edge"


def _open_notice(case: Case, cast: dict[str, Any], *, days_ago: int, objection: str = "") -> Case:
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=cast["clerk"])
    _ran_out(case, days_ago=days_ago)
    if objection:
        actions.do_record_objection(case, raised_by="村民石某", content=objection, actor=cast["clerk"])
    return case


Plan = Callable[[Case, dict[str, Any]], Case]

IDENTIFICATION_PLANS: list[tuple[str, Plan]] = [
    ("verification", lambda c, k: c),
    ("review", lambda c, k: _advance(c, Step.REVIEW, k)),
    ("notice open", lambda c, k: _open_notice(_advance(c, Step.FIRST_NOTICE, k), k, days_ago=2)),
    (
        "notice with objection",
        lambda c, k: _open_notice(
            _advance(c, Step.FIRST_NOTICE, k), k, days_ago=5, objection="他家儿子在外务工收入不低"
        ),
    ),
    ("township review", lambda c, k: _advance(c, Step.TOWNSHIP_REVIEW, k, objection=True)),
    ("second notice", lambda c, k: _open_notice(_advance(c, Step.SECOND_NOTICE, k), k, days_ago=3)),
    ("county approval", lambda c, k: _advance(c, Step.COUNTY_APPROVAL, k)),
    ("announcement", lambda c, k: _advance(c, Step.ANNOUNCEMENT, k)),
    ("completed", lambda c, k: _advance(c, Step.DONE, k)),
    (
        "rejected",
        lambda c, k: actions.do_reject_case(
            _advance(c, Step.TOWNSHIP_REVIEW, k), reason="抽查发现家庭成员为财政供养人员", actor=k["township"]
        ),
    ),
]
EXIT_PLANS: list[tuple[str, Plan]] = [
    ("review", lambda c, k: c),
    ("consent", lambda c, k: _advance(c, Step.CONSENT, k)),
    ("notice open", lambda c, k: _open_notice(_advance(c, Step.FIRST_NOTICE, k), k, days_ago=1)),
    ("township review", lambda c, k: _advance(c, Step.TOWNSHIP_REVIEW, k)),
    ("county approval", lambda c, k: _advance(c, Step.COUNTY_APPROVAL, k)),
    ("completed", lambda c, k: _advance(c, Step.DONE, k)),
]


MONITORING_PLANS: list[tuple[str, Plan]] = [
    ("verification", lambda c, k: c),
    ("authorisation", lambda c, k: _advance(c, Step.AUTHORISATION, k)),
    ("comparison", lambda c, k: _advance(c, Step.COMPARISON, k)),
    ("review", lambda c, k: _advance(c, Step.REVIEW, k)),
    ("notice open", lambda c, k: _open_notice(_advance(c, Step.FIRST_NOTICE, k), k, days_ago=2)),
    ("township review", lambda c, k: _advance(c, Step.TOWNSHIP_REVIEW, k)),
    ("county approval", lambda c, k: _advance(c, Step.COUNTY_APPROVAL, k)),
    ("tagging", lambda c, k: _advance(c, Step.TAGGING, k)),
    ("completed", lambda c, k: _advance(c, Step.DONE, k | {"risks": ["illness", "schooling"]})),
    (
        "completed, sudden hardship",
        lambda c, k: _advance(c, Step.DONE, k | {"category": "sudden", "risks": ["accident", "illness"]}),
    ),
    (
        "rejected",
        lambda c, k: actions.do_reject_case(
            _advance(c, Step.TOWNSHIP_REVIEW, k), reason="信息比对发现家庭在县城有商品房", actor=k["township"]
        ),
    ),
]
ELIMINATION_PLANS: list[tuple[str, Plan]] = [
    ("verification", lambda c, k: c),
    ("review", lambda c, k: _advance(c, Step.REVIEW, k)),
    ("notice open", lambda c, k: _open_notice(_advance(c, Step.FIRST_NOTICE, k), k, days_ago=3)),
    ("county approval", lambda c, k: _advance(c, Step.COUNTY_APPROVAL, k)),
    ("tagging", lambda c, k: _advance(c, Step.TAGGING, k)),
    ("completed", lambda c, k: _advance(c, Step.DONE, k)),
]


def _candidates(status: str | tuple[str, ...], wanted: int, *, able: bool | None = None) -> list[Household]:
    """Households of ``status`` with no case yet: 十八洞村's first, then one per village
    elsewhere, so the cases also show up in a few other villages. ``able`` keeps only those
    where someone can (True) or nobody can (False) work."""
    statuses = (status,) if isinstance(status, str) else status
    households = Household.objects.filter(status__in=statuses, cases=None).order_by("number")
    if able is not None:
        workers = Member.objects.filter(
            left_on=None, labour_capacity__in=[LabourCapacity.ORDINARY, LabourCapacity.SKILLED]
        ).values("household_id")
        households = households.filter(pk__in=workers) if able else households.exclude(pk__in=workers)
    home = list(households.filter(prefix_range(VILLAGE, "area_id"))[:wanted])
    # Then the villages of 双龙镇, whose township officer is a demo persona, then the county.
    township = households.filter(prefix_range(TOWNSHIP[:9], "area_id")).exclude(
        prefix_range(VILLAGE, "area_id")
    )
    county = households.filter(prefix_range(COUNTY[:6], "area_id")).exclude(
        prefix_range(TOWNSHIP[:9], "area_id")
    )
    seen: set[str] = set()
    for household in itertools.chain(township.iterator(), county.iterator()):
        if len(home) >= wanted:
            break
        if household.area_id[:12] not in seen:
            seen.add(household.area_id[:12])
            home.append(household)
    return home


def build_demo_cases() -> int:
    """Cases in every state, 十八洞村 first; does nothing if the demo county already has cases
    (the command runs again on every start)."""
    if Case.objects.filter(area_code__startswith=COUNTY[:6]).exists():
        return 0
    # Every state once, then a few more open notices for the villages further down the list.
    identification = [*IDENTIFICATION_PLANS, *IDENTIFICATION_PLANS[2:5]]
    exits = _candidates("poor", len(EXIT_PLANS))  # before identification adds poor households
    made = 0
    for (_name, plan), household in zip(
        identification, _candidates("none", len(identification)), strict=False
    ):
        cast = _cast(household.area_id[:12])
        with transaction.atomic():
            if not household.main_cause:
                # The clerk records the cause when the household applies: 建档立卡 needs one.
                household = registry.do_update_household(
                    household, {"main_cause": "illness"}, actor=cast["clerk"]
                )
            case = actions.do_open_identification(
                household, origin="application", reason="因病致贫，农户申请（演示）", actor=cast["clerk"]
            )
            plan(case, cast)
        made += 1
    for (_name, plan), household in zip(EXIT_PLANS, exits, strict=False):
        cast = _cast(household.area_id[:12])
        with transaction.atomic():
            case = actions.do_open_exit(
                household, reason="收入稳定超过标准，两不愁三保障达标（演示）", actor=cast["clerk"]
            )
            plan(case, cast)
        made += 1
    return made + _build_monitoring_cases()


def _build_monitoring_cases() -> int:
    """纳入监测 for ordinary and exited households, 风险消除 for monitored ones, and one household
    without labour capacity whose elimination waits at the township: its block cannot be lifted."""
    made = 0
    # Eliminations first: the monitoring cases completed below add monitored households.
    eliminations = _candidates("monitored", len(ELIMINATION_PLANS), able=True)
    stuck = _candidates("monitored", 1, able=False)
    # Alternate exited and ordinary households so both categories appear.
    exited = _candidates(("exited", "eliminated"), len(MONITORING_PLANS))
    ordinary = _candidates("none", len(MONITORING_PLANS))
    mixed = [h for pair in itertools.zip_longest(exited, ordinary) for h in pair if h is not None]
    for (_name, plan), household in zip(ELIMINATION_PLANS, eliminations, strict=False):
        cast = _cast(household.area_id[:12])
        with transaction.atomic():
            case = actions.do_open_elimination(
                household, reason="收入持续稳定，风险已消除（演示）", actor=cast["clerk"]
            )
            plan(case, cast)
        made += 1
    for household in stuck:
        cast = _cast(household.area_id[:12])
        with transaction.atomic():
            case = actions.do_open_elimination(
                household,
                reason="兜底保障后收入稳定（演示：无劳动能力，不得标注风险消除）",
                actor=cast["clerk"],
            )
            _advance(case, Step.TOWNSHIP_REVIEW, cast)
        made += 1
    for (_name, plan), household in zip(MONITORING_PLANS, mixed, strict=False):
        cast = _cast(household.area_id[:12])
        with transaction.atomic():
            case = actions.do_open_monitoring(
                household,
                origin="cadre_check",
                reason="干部排查发现返贫致贫风险（演示）",
                actor=cast["clerk"],
            )
            plan(case, cast)
        made += 1
    return made
