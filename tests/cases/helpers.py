"""Drive cases through their steps with the real actions; dates move by posting notices whose
period already ran (``age_notice``), never by sleeping or mocking the clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fupin.cases import actions
from fupin.cases.models import Case, Notice, Step
from fupin.cases.workflow import NOTICE_ROUND
from fupin.core.access import SYSTEM
from fupin.core.personas import VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household
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
