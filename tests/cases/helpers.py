"""Drive cases through their steps with the real actions; dates move by posting notices whose
period already ran (``age_notice``), never by sleeping or mocking the clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fupin.cases import actions, rules
from fupin.cases.models import Case, Notice, Step
from fupin.cases.workflow import NOTICE_ROUND
from fupin.core.access import SYSTEM
from fupin.core.personas import VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household
from fupin.screening.models import MonitoringLine
from tests.conftest import make_household

MEETING = {
    "held_on": "2024-03-01",
    "representatives_total": 30,
    "representatives_present": 24,
    "votes_for": 20,
    "votes_against": 2,
    "votes_abstain": 2,
}


def poor_income(household: Household, year: int) -> None:
    registry.do_record_income(household, year, {"wage": Decimal("3000")}, actor=SYSTEM)  # 1000 each for 3


def good_income(household: Household, year: int) -> None:
    registry.do_record_income(household, year, {"wage": Decimal("30000")}, actor=SYSTEM)


def candidate(area_code: str = VILLAGE, **fields: Any) -> Household:
    """An ordinary household whose latest income is below every line."""
    household = make_household(area_code, **fields)
    poor_income(household, timezone.localdate().year - 1)
    return household


def exit_candidate(area_code: str = VILLAGE) -> Household:
    """A registered household with two years above the line and every condition met."""
    household = make_household(area_code, status="poor")
    year = timezone.localdate().year
    good_income(household, year - 2)
    good_income(household, year - 1)
    registry.do_record_conditions(
        household, year, {name: True for name in registry.CONDITION_FIELDS}, actor=SYSTEM
    )
    return household


def age_notice(case: Case) -> Notice:
    """The case's current notice, posted long enough ago that its period is over."""
    notice = Notice.objects.get(case=case, round=NOTICE_ROUND[case.step])
    start = timezone.localdate() - dt.timedelta(days=30)
    Notice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + dt.timedelta(days=7))
    notice.refresh_from_db()
    return notice


def pass_notice(case: Case, actor: Any) -> Case:
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=actor)
    age_notice(case)
    return actions.do_close_notice(case, actor=actor)


def advance_to(case: Case, step: str, p: dict[str, Any]) -> Case:
    """Take the case step by step, each by its proper persona, until it stands at ``step``."""
    clerk, secretary = p["village_clerk"], p["first_secretary"]
    while case.step != step:
        current = case.step
        if current == Step.VERIFICATION:
            case = actions.do_record_verification(case, actor=secretary)
        elif current == Step.REVIEW:
            case = actions.do_record_review_meeting(case, actor=clerk, **MEETING)
        elif current == Step.CONSENT:
            case = actions.do_record_consent(
                case, consent_name="石大哥", consent_on="2024-03-02", actor=clerk
            )
        elif current in NOTICE_ROUND:
            case = pass_notice(case, clerk)
        elif current == Step.TOWNSHIP_REVIEW:
            case = actions.do_approve_case(case, actor=p["township_officer"])
        elif current == Step.COUNTY_APPROVAL:
            case = actions.do_approve_case(case, actor=p["county_admin"])
        elif current == Step.ANNOUNCEMENT:
            case = actions.do_announce_case(case, announced_on=timezone.localdate(), actor=clerk)
        elif current == Step.AUTHORISATION:
            case = actions.do_record_authorisation(
                case, signed_by="石大哥", signed_on="2024-03-02", actor=clerk
            )
        elif current == Step.COMPARISON:
            case = actions.do_record_comparison(
                case, findings="无车辆、无商品房、无财政供养人员", actor=p["township_officer"]
            )
        elif current == Step.TAGGING and case.kind == "elimination":
            case = actions.do_tag_elimination(case, way="assisted", actor=clerk)
        elif current == Step.TAGGING:
            case = actions.do_tag_monitoring(
                case, category=fitting_category(case.household), risk_types=["illness"], actor=clerk
            )
        else:
            raise AssertionError(f"cannot advance from {current}")
    return case


def open_identification(p: dict[str, Any], household: Household | None = None) -> Case:
    return actions.do_open_identification(
        household or candidate(), origin="application", reason="因病致贫，农户申请", actor=p["village_clerk"]
    )


def open_exit(p: dict[str, Any], household: Household | None = None) -> Case:
    return actions.do_open_exit(
        household or exit_candidate(), reason="收入稳定超过标准", actor=p["village_clerk"]
    )


# --- monitoring (纳入监测) and risk elimination (风险消除) ------------------------------------


def fitting_category(household: Household) -> str:
    """脱贫不稳定户 for a household that has exited, 边缘易致贫户 for an ordinary one."""
    return "unstable" if rules.former_poor(household) else "edge"


def national_floor() -> None:
    """The 2021 national monitoring threshold (6000), which a screening migration seeds: put back
    if an earlier committing test (of any app) emptied the table, so the rules have a range."""
    MonitoringLine.objects.get_or_create(
        scope="national", year=2021, defaults={"amount": Decimal("6000"), "source": "test floor"}
    )


def monitoring_candidate(area_code: str = VILLAGE, *, status: str = "none", **fields: Any) -> Household:
    """A household of ``status`` (none, exited or eliminated) whose latest income is 1000 a head:
    inside every monitoring range."""
    national_floor()
    household = make_household(area_code, status=status, **fields)
    poor_income(household, timezone.localdate().year - 1)
    return household


def elimination_candidate(area_code: str = VILLAGE, **fields: Any) -> Household:
    """A monitored household with two years at 10000 a head and every condition met."""
    national_floor()
    household = make_household(area_code, status="monitored", **fields)
    year = timezone.localdate().year
    good_income(household, year - 2)
    good_income(household, year - 1)
    registry.do_record_conditions(
        household, year, {name: True for name in registry.CONDITION_FIELDS}, actor=SYSTEM
    )
    return household


def open_monitoring(
    p: dict[str, Any], household: Household | None = None, *, origin: str = "cadre_check"
) -> Case:
    return actions.do_open_monitoring(
        household or monitoring_candidate(),
        origin=origin,
        reason="突发意外，收入骤减",
        actor=p["village_clerk"],
    )


def open_elimination(p: dict[str, Any], household: Household | None = None) -> Case:
    return actions.do_open_elimination(
        household or elimination_candidate(), reason="收入稳定，风险已消除", actor=p["village_clerk"]
    )
