"""Two people acting at once; rules with their evidence; overrides; the poverty line table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.cases import actions, rules
from fupin.cases.models import Case, RuleCheck, Status, Step
from fupin.core.access import SYSTEM
from fupin.core.errors import Conflict, FupinError, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.registry import actions as registry
from fupin.registry.models import Household, PovertyLine, StatusChange, poverty_line_for
from tests.cases.helpers import (
    advance_to,
    candidate,
    exit_candidate,
    good_income,
    open_exit,
    open_identification,
)


def test_two_stale_approvals_exactly_one_succeeds(personas: dict[str, User]) -> None:
    case = advance_to(open_identification(personas), Step.COUNTY_APPROVAL, personas)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    actions.do_approve_case(first, actor=personas["county_admin"])
    with pytest.raises(Conflict):
        actions.do_approve_case(second, actor=personas["county_admin"])
    assert StatusChange.objects.filter(household=case.household).count() == 1
    assert Case.objects.get(pk=case.pk).step == Step.ANNOUNCEMENT


def test_an_approval_racing_a_rejection_one_wins(personas: dict[str, User]) -> None:
    case = advance_to(open_identification(personas), Step.TOWNSHIP_REVIEW, personas)
    stale = Case.objects.get(pk=case.pk)
    actions.do_reject_case(case, reason="材料不全", actor=personas["township_officer"])
    with pytest.raises(Conflict):
        actions.do_approve_case(stale, actor=personas["township_officer"])
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.rejection_reason) == (Status.REJECTED, "材料不全")


def _result(case: Case, code: str) -> rules.RuleResult:
    return next(r for r in rules.evaluate(case) if r.code == code)


def test_identification_rules_show_the_income_the_line_and_which_line(personas: dict[str, User]) -> None:
    case = open_identification(personas)
    result = _result(case, "income_below_line")
    assert result.passed
    year = timezone.localdate().year - 1
    assert result.evidence["income_year"] == year
    assert result.evidence["per_capita_net"] == "1000.00"
    assert result.evidence["line_scope"] == "national" and result.evidence["line"] == "4000.00"


def test_an_exclusion_found_at_the_visit_blocks_approval_until_overridden(personas: dict[str, User]) -> None:
    p = personas
    case = open_identification(p)
    case = actions.do_record_verification(case, non_productive_vehicle=True, actor=p["village_clerk"])
    case = advance_to(case, Step.TOWNSHIP_REVIEW, p)
    with pytest.raises(FupinError) as blocked:
        actions.do_approve_case(case, actor=p["township_officer"])
    assert blocked.value.code.name == "RULES_FAILED"
    assert Case.objects.get(pk=case.pk).step == Step.TOWNSHIP_REVIEW
    with pytest.raises(FupinError) as no_reason:
        actions.do_override_rule(case, rule="no_vehicle", reason="", actor=p["township_officer"])
    assert no_reason.value.code.name == "REASON_REQUIRED"
    with pytest.raises(FupinError) as nothing_to_override:
        actions.do_override_rule(case, rule="income_below_line", reason="x", actor=p["township_officer"])
    assert nothing_to_override.value.code.name == "RULE_PASSED"
    with pytest.raises(PermissionDenied):
        actions.do_override_rule(case, rule="no_vehicle", reason="x", actor=p["village_clerk"])
    check = actions.do_override_rule(
        case, rule="no_vehicle", reason="车辆为农用运输车，用于生产", actor=p["township_officer"]
    )
    assert check.overridden_by == p["township_officer"] and check.evidence["non_productive_vehicle"] is True
    assert AuditEntry.objects.filter(action="cases.override_rule").count() == 1
    case = actions.do_approve_case(case, actor=p["township_officer"])
    assert case.step == Step.SECOND_NOTICE
    kept = RuleCheck.objects.get(case=case, rule="no_vehicle")
    assert kept.override_reason == "车辆为农用运输车，用于生产" and not kept.passed


def test_income_above_the_line_fails_identification(personas: dict[str, User]) -> None:
    household = candidate()
    good_income(household, timezone.localdate().year - 1)
    case = open_identification(personas, household)
    assert not _result(case, "income_below_line").passed


def test_exit_rules_need_two_years_above_the_line_and_all_conditions(personas: dict[str, User]) -> None:
    p = personas
    household = exit_candidate()
    case = open_exit(p, household)
    assert not [r.code for r in rules.evaluate(case) if not r.passed and r.code != "policies_effective"]
    year = timezone.localdate().year
    registry.do_record_income(household, year - 2, {"wage": Decimal("3000")}, actor=SYSTEM)
    registry.do_record_conditions(household, year, {"housing_secured": False}, actor=SYSTEM)
    failing = {r.code: r for r in rules.evaluate(case) if not r.passed}
    assert set(failing) >= {"income_stable", "conditions_met"}
    assert "housing_secured" in failing["conditions_met"].evidence["shortfalls"]
    assert failing["income_stable"].evidence["income_year"] == year - 2


def test_an_exit_in_the_year_the_household_was_identified_is_flagged(personas: dict[str, User]) -> None:
    household = make_poor_this_year()
    case = open_exit(personas, household)
    result = _result(case, "not_new_this_year")
    assert not result.passed and result.evidence["registered_year"] == timezone.localdate().year


def make_poor_this_year() -> Household:
    from tests.conftest import make_household

    household = make_household()
    household = registry.do_change_status(
        household, "poor", year=timezone.localdate().year, reason="今年识别", actor=SYSTEM
    )
    good_income(household, timezone.localdate().year - 1)
    return household


def test_poverty_line_for_prefers_the_province_and_the_right_year(db: Any) -> None:
    hunan = "433124110226"
    assert poverty_line_for(hunan, 2015).nominal_line == Decimal("2855")
    assert poverty_line_for(hunan, 2013).nominal_line == Decimal("2736")
    # No line for 2011: the latest earlier national one applies.
    assert poverty_line_for(hunan, 2011).income_year == 2010
    assert poverty_line_for(hunan, 2024).income_year == 2020
    assert poverty_line_for(hunan, 2009) is None
    assert "UNCONFIRMED" in poverty_line_for(hunan, 2018).source
    PovertyLine.objects.create(
        scope="430000000000", income_year=2018, nominal_line=Decimal("3500"), source="test"
    )
    own = poverty_line_for(hunan, 2018)
    assert (own.scope, own.nominal_line) == ("430000000000", Decimal("3500"))
    # Another province, and another year, still get the national line.
    assert poverty_line_for("522301000000", 2018).nominal_line == Decimal("2995")
    assert poverty_line_for(hunan, 2019).scope == "national"
    assert poverty_line_for(Area.objects.get(code=hunan), 2018).scope == "430000000000"


def test_a_provincial_line_changes_the_rule_evidence(personas: dict[str, User]) -> None:
    case = open_identification(personas)
    year = timezone.localdate().year - 1
    PovertyLine.objects.create(
        scope="430000000000", income_year=year, nominal_line=Decimal("900"), source="test"
    )
    result = _result(case, "income_below_line")
    assert not result.passed and result.evidence["line_scope"] == "430000000000"


def test_a_late_notice_date_far_ahead_is_refused(personas: dict[str, User]) -> None:
    case = advance_to(open_identification(personas), Step.FIRST_NOTICE, personas)
    with pytest.raises(FupinError):
        actions.do_post_notice(
            case, starts_on=timezone.localdate() + dt.timedelta(days=31), actor=personas["village_clerk"]
        )
