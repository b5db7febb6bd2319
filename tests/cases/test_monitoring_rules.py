"""The rules of monitoring inclusion and risk elimination with their evidence: income against the
monitoring threshold of the province and year (rows of screening's MonitoringLine made here),
sudden hardship, stable income, conditions, spending, open alerts, and the block on a household
without labour capacity that no reviewer may override."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from fupin.accounts.models import User
from fupin.alerts.models import Alert
from fupin.cases import actions, rules
from fupin.cases.models import Case, RuleCheck, Status, Step
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, ValidationFailed
from fupin.core.personas import VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household, IncomeRecord, Member
from fupin.screening.models import MonitoringLine
from tests.cases.helpers import (
    advance_to,
    elimination_candidate,
    monitoring_candidate,
    open_elimination,
    open_monitoring,
)

YEAR = timezone.localdate().year
LAST = YEAR - 1
HUNAN = "430000000000"


def _result(case: Case, code: str) -> rules.RuleResult:
    return next(r for r in rules.evaluate(case) if r.code == code)


def _income(household: Household, year: int, per_head: int) -> None:
    """Set the year's income to ``per_head`` for each of the household's three members."""
    IncomeRecord.objects.filter(household=household, year=year).delete()
    registry.do_record_income(household, year, {"wage": Decimal(per_head * 3)}, actor=SYSTEM)


def _line(scope: str, year: int, amount: int) -> MonitoringLine:
    return MonitoringLine.objects.create(
        scope=scope, year=year, amount=Decimal(amount), source=f"test {scope}"
    )


# --- the threshold --------------------------------------------------------------------------


def test_the_threshold_is_the_provinces_row_of_the_year_else_the_latest_national_one(db: Any) -> None:
    MonitoringLine.objects.all().delete()
    assert rules.monitoring_threshold_for(VILLAGE, LAST) == (None, None)
    _line("national", LAST - 2, 6000)
    row, floor = rules.monitoring_threshold_for(VILLAGE, LAST)
    assert (row.scope, row.year, row.amount) == ("national", LAST - 2, Decimal("6000")) and floor == row
    _line("national", LAST, 7000)
    assert rules.monitoring_threshold_for(VILLAGE, LAST)[0].amount == Decimal("7000")
    assert rules.monitoring_threshold_for(VILLAGE, LAST - 1)[0].amount == Decimal("6000")  # not a later one
    _line(HUNAN, LAST, 8700)
    row, floor = rules.monitoring_threshold_for(VILLAGE, LAST)
    assert (row.scope, row.amount, floor.amount) == (HUNAN, Decimal("8700"), Decimal("7000"))
    # Another province, with no row of its own, gets the national one.
    assert rules.monitoring_threshold_for("522301000000", LAST)[0].scope == "national"


def test_a_province_row_of_an_earlier_year_carries_forward_but_never_below_the_floor(db: Any) -> None:
    # As screening applies it (screening.queries.threshold_for), so the case judges like the alert.
    MonitoringLine.objects.all().delete()
    _line("national", LAST - 1, 6000)
    _line(HUNAN, LAST - 1, 8000)
    assert rules.monitoring_threshold_for(VILLAGE, LAST)[0].amount == Decimal("8000")
    _line("national", LAST, 9000)
    row, _floor = rules.monitoring_threshold_for(VILLAGE, LAST)
    assert (row.scope, row.amount) == ("national", Decimal("9000"))


# --- monitoring inclusion -------------------------------------------------------------------


def test_the_inclusion_rule_shows_the_income_the_threshold_and_which_row(personas: dict[str, User]) -> None:
    MonitoringLine.objects.all().delete()
    _line("national", LAST, 6600)
    _line(HUNAN, LAST, 8000)
    case = open_monitoring(personas)
    result = _result(case, "income_in_monitoring_range")
    assert result.passed and result.overridable
    assert result.evidence == {
        "income_year": LAST,
        "per_capita_net": "1000.00",
        "threshold": "8000.00",
        "threshold_scope": HUNAN,
        "threshold_year": LAST,
        "threshold_source": f"test {HUNAN}",
        "national_floor": "6600.00",
    }
    assert [r.code for r in rules.evaluate(case)] == ["income_in_monitoring_range"]


@pytest.mark.parametrize(("per_head", "inside"), [(7999, True), (8000, True), (8001, False)])
def test_income_up_to_the_threshold_is_inside_the_range(
    personas: dict[str, User], per_head: int, inside: bool
) -> None:
    _line(HUNAN, LAST, 8000)
    household = monitoring_candidate()
    _income(household, LAST, per_head)
    assert _result(open_monitoring(personas, household), "income_in_monitoring_range").passed is inside


def test_without_income_or_threshold_the_inclusion_rule_fails(personas: dict[str, User]) -> None:
    household = monitoring_candidate()
    IncomeRecord.objects.filter(household=household).delete()
    case = open_monitoring(personas, household)
    assert _result(case, "income_in_monitoring_range").evidence == {
        "income_year": None,
        "per_capita_net": None,
    }
    assert not _result(case, "income_in_monitoring_range").passed
    _income(household, LAST, 1000)
    MonitoringLine.objects.all().delete()
    result = _result(case, "income_in_monitoring_range")
    assert not result.passed and result.evidence["threshold"] is None


def test_a_sudden_hardship_above_the_range_passes_with_a_note(
    personas: dict[str, User], client_for: Any
) -> None:
    p = personas
    _line("national", LAST, 6000)
    household = monitoring_candidate()
    _income(household, LAST, 20000)
    case = advance_to(open_monitoring(p, household), Step.COMPARISON, p)
    assert not _result(case, "income_in_monitoring_range").passed
    case = actions.do_record_comparison(
        case,
        findings="收入高于监测范围，但因意外事故刚性支出大",
        category="sudden",
        actor=p["township_officer"],
    )
    result = _result(case, "income_in_monitoring_range")
    assert result.passed and result.evidence["note"] == "sudden_hardship"
    assert result.evidence["category"] == "sudden" and result.evidence["per_capita_net"] == "20000.00"
    page = client_for("township_officer").get(f"/cases/{case.pk}/").content.decode()
    with translation.override("zh-hans"):
        assert str(rules.NOTES["sudden_hardship"]) in page
    # Through both reviews without an override, and tagged as what it is.
    case = advance_to(case, Step.TAGGING, p)
    assert not RuleCheck.objects.filter(case=case, passed=False).exists()
    with pytest.raises(ValidationFailed) as slipped:
        actions.do_tag_monitoring(case, category="edge", risk_types=["accident"], actor=p["village_clerk"])
    assert slipped.value.errors[0].code.name == "CATEGORY_NEEDS_RANGE"
    assert Case.objects.get(pk=case.pk).step == Step.TAGGING
    assert Household.objects.get(pk=household.pk).status == "none"
    case = actions.do_tag_monitoring(
        case, category="sudden", risk_types=["accident", "illness"], actor=p["village_clerk"]
    )
    assert case.category == "sudden" and Household.objects.get(pk=household.pk).status == "monitored"


def test_income_above_the_range_blocks_the_review_until_overridden(personas: dict[str, User]) -> None:
    p = personas
    _line("national", LAST, 6000)
    household = monitoring_candidate()
    _income(household, LAST, 9000)
    case = advance_to(open_monitoring(p, household), Step.TOWNSHIP_REVIEW, p)
    with pytest.raises(FupinError) as blocked:
        actions.do_approve_case(case, actor=p["township_officer"])
    assert blocked.value.code.name == "RULES_FAILED"
    assert blocked.value.params["rules"] == str(rules.LABELS["income_in_monitoring_range"])
    assert Case.objects.get(pk=case.pk).step == Step.TOWNSHIP_REVIEW
    actions.do_override_rule(
        case,
        rule="income_in_monitoring_range",
        reason="年底务工收入中断，实际收入已低于监测范围",
        actor=p["township_officer"],
    )
    case = advance_to(actions.do_approve_case(case, actor=p["township_officer"]), Step.TAGGING, p)
    # The override stands for the category too: the reviewer took the decision.
    case = actions.do_tag_monitoring(
        case, category="edge", risk_types=["employment"], actor=p["village_clerk"]
    )
    assert case.status == Status.COMPLETED


# --- risk elimination -----------------------------------------------------------------------


def test_the_elimination_rules_pass_for_a_stable_household_with_their_evidence(
    personas: dict[str, User],
) -> None:
    MonitoringLine.objects.all().delete()
    _line("national", LAST - 1, 6000)
    _line("national", LAST, 6300)
    case = advance_to(open_elimination(personas), Step.TOWNSHIP_REVIEW, personas)
    results = {r.code: r for r in rules.evaluate(case)}
    assert list(results) == list(rules.ELIMINATION_RULES)
    assert all(r.passed for r in results.values())
    assert results["income_above_threshold"].evidence["threshold"] == "6300.00"
    assert results["income_above_threshold"].evidence["income_year"] == LAST
    assert results["income_stably_above_threshold"].evidence["income_year"] == LAST - 1
    assert results["income_stably_above_threshold"].evidence["threshold"] == "6000.00"
    assert results["conditions_met"].evidence == {"year": YEAR, "shortfalls": []}
    assert results["spending_resolved"].evidence["spending_resolved"] is True
    assert results["no_open_alert"].evidence == {"alerts_checked": True, "open_alerts": []}
    assert results["labour_capacity"].evidence == {"members": 3, "members_able": 3}
    assert not results["labour_capacity"].overridable


def test_unstable_income_unmet_conditions_and_unresolved_spending_fail(personas: dict[str, User]) -> None:
    p = personas
    _line("national", LAST, 6000)
    household = elimination_candidate()
    case = open_elimination(p, household)
    case = actions.do_record_verification(case, spending_resolved=False, actor=p["village_clerk"])
    _income(household, LAST - 1, 5000)
    registry.do_record_conditions(
        household, YEAR, {name: name != "water_secured" for name in registry.CONDITION_FIELDS}, actor=SYSTEM
    )
    failing = {r.code: r for r in rules.evaluate(case) if not r.passed}
    assert set(failing) == {"income_stably_above_threshold", "conditions_met", "spending_resolved"}
    assert failing["income_stably_above_threshold"].evidence["per_capita_net"] == "5000.00"
    assert failing["conditions_met"].evidence["shortfalls"] == ["water_secured"]
    # A gap year is not stability: the year before the latest must be on file.
    IncomeRecord.objects.filter(household=household, year=LAST - 1).delete()
    result = _result(case, "income_stably_above_threshold")
    assert not result.passed and result.evidence["income_year"] is None


def _alert(household: Household, status: str, rule: str = "medical_cost") -> Alert:
    today = timezone.localdate()
    return Alert.objects.create(
        household=household,
        area_code=household.area_id,
        channel="screening",
        rule=rule,
        period=str(LAST),
        summary="住院自付费用高",
        status=status,
        visit_due=today + dt.timedelta(days=3),
        decision_due=today + dt.timedelta(days=15),
        dismiss_reason="核实无风险" if status == "dismissed" else "",
    )


def test_an_alert_still_open_means_a_new_risk_and_fails_the_elimination(personas: dict[str, User]) -> None:
    household = elimination_candidate()
    case = open_elimination(personas, household)
    _alert(household, "dismissed", rule="dismissed_rule")
    _alert(household, "case_started", rule="started_rule")
    assert _result(case, "no_open_alert").passed
    waiting = _alert(household, "visited")
    result = _result(case, "no_open_alert")
    assert not result.passed and result.overridable
    assert result.evidence["open_alerts"] == [f"#{waiting.pk} medical_cost {LAST}"]


def _without_labour(household: Household) -> None:
    Member.objects.filter(household=household).update(labour_capacity="none")
    Member.objects.filter(household=household, relation="head").update(labour_capacity="lost")


def test_a_household_without_labour_capacity_stays_monitored_and_no_one_may_override_it(
    personas: dict[str, User],
) -> None:
    p = personas
    household = elimination_candidate()
    _without_labour(household)
    case = advance_to(open_elimination(p), Step.TOWNSHIP_REVIEW, p)  # another household reaches review
    case = advance_to(open_elimination(p, household), Step.TOWNSHIP_REVIEW, p)
    result = _result(case, "labour_capacity")
    assert not result.passed and not result.overridable
    assert result.evidence == {"members": 3, "members_able": 0}
    with pytest.raises(FupinError) as blocked:
        actions.do_approve_case(case, actor=p["township_officer"])
    assert blocked.value.code.name == "RULES_BLOCK"
    with pytest.raises(FupinError) as refused:
        actions.do_override_rule(
            case, rule="labour_capacity", reason="兜底后收入稳定", actor=p["township_officer"]
        )
    assert refused.value.code.name == "RULE_NOT_OVERRIDABLE"
    assert (
        not RuleCheck.objects.filter(case=case, rule="labour_capacity").exclude(override_reason="").exists()
    )
    # Even an override row written behind the actions' back lifts nothing.
    RuleCheck.objects.update_or_create(
        case=case, rule="labour_capacity", defaults={"passed": False, "override_reason": "强行通过"}
    )
    with pytest.raises(FupinError) as still:
        actions.do_approve_case(case, actor=p["township_officer"])
    assert still.value.code.name == "RULES_BLOCK"
    assert Case.objects.get(pk=case.pk).step == Step.TOWNSHIP_REVIEW
    case = actions.do_reject_case(case, reason="无劳动能力，兜底保障，继续监测", actor=p["township_officer"])
    assert case.status == Status.REJECTED
    assert Household.objects.get(pk=household.pk).status == "monitored"


def test_only_current_members_count_for_labour_capacity(personas: dict[str, User]) -> None:
    household = elimination_candidate()
    _without_labour(household)
    worker = Member.objects.filter(household=household).exclude(relation="head").first()
    Member.objects.filter(pk=worker.pk).update(labour_capacity="skilled")
    case = open_elimination(personas, household)
    assert _result(case, "labour_capacity").passed
    Member.objects.filter(pk=worker.pk).update(left_on=dt.date(2024, 1, 1), left_reason="外嫁")
    assert _result(case, "labour_capacity").evidence == {"members": 2, "members_able": 0}


def test_the_labour_block_is_checked_again_when_the_household_is_tagged(personas: dict[str, User]) -> None:
    p = personas
    household = elimination_candidate()
    case = advance_to(open_elimination(p, household), Step.TAGGING, p)
    _without_labour(household)
    with pytest.raises(FupinError) as blocked:
        actions.do_tag_elimination(case, way="assisted", actor=p["village_clerk"])
    assert blocked.value.code.name == "RULES_BLOCK"
    assert Case.objects.get(pk=case.pk).status == Status.OPEN
    assert Household.objects.get(pk=household.pk).status == "monitored"


def test_the_reviewer_sees_that_the_labour_rule_cannot_be_overridden(
    personas: dict[str, User], client_for: Any, api_as: Any
) -> None:
    p = personas
    household = elimination_candidate()
    _without_labour(household)
    case = open_elimination(p, household)
    case = actions.do_record_verification(case, spending_resolved=False, actor=p["village_clerk"])
    case = advance_to(case, Step.TOWNSHIP_REVIEW, p)
    page = client_for("township_officer").get(f"/cases/{case.pk}/").content.decode()
    with translation.override("zh-hans"):
        assert gettext("This rule cannot be overridden.") in page
    # The failing rule that may be overridden has its form; the labour rule has none.
    assert 'name="rule" value="spending_resolved"' in page
    assert 'name="rule" value="labour_capacity"' not in page
    posted = client_for("township_officer").post(
        f"/cases/{case.pk}/act/", {"action": "override", "rule": "labour_capacity", "reason": "强行"}
    )
    assert posted.status_code == 400
    api = api_as("township_officer")
    body = api.get(f"/cases/{case.pk}").json()
    labour = next(r for r in body["rules"] if r["code"] == "labour_capacity")
    assert (labour["passed"], labour["overridable"]) == (False, False)
    assert next(r for r in body["rules"] if r["code"] == "spending_resolved")["overridable"] is True
    refused = api.post(f"/cases/{case.pk}/rules/labour_capacity/override", {"reason": "强行"})
    assert refused.status_code == 400 and refused.json()["code"] == "RULE_NOT_OVERRIDABLE"
    approve = api.post(f"/cases/{case.pk}/approve", {})
    assert approve.status_code == 400 and approve.json()["code"] == "RULES_BLOCK"
    assert not RuleCheck.objects.filter(case=case).exclude(override_reason="").exists()
