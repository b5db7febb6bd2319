"""Issue 14, items 5 (seeding), 10 and 13: the 2020 monitoring threshold, the safe-water measure a
因安全饮水 risk needs, the 15-day identification clock on the monitoring case, and the flag on a
帮扶消除 within the identification month or the month after."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts import actions as alert_actions
from fupin.alerts.models import Alert, AlertStatus
from fupin.alerts.queries import dashboard
from fupin.api.cases_api import open_monitoring_case
from fupin.areas.models import Area
from fupin.assistance.measures import do_record_measure
from fupin.cases import actions, rules
from fupin.cases.area_settings import do_set_area_setting
from fupin.cases.errors import CaseError
from fupin.cases.models import Case, CaseRiskType, RuleCheck, Status, Step
from fupin.cases.queries import identification_late
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, ValidationFailed
from fupin.core.personas import COUNTY, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household, IncomeRecord
from fupin.screening.models import MonitoringLine
from tests.cases.helpers import (
    advance_to,
    good_income,
    monitoring_candidate,
    national_floor,
    open_elimination,
    open_monitoring,
)
from tests.conftest import make_household

TODAY = timezone.localdate()
SEED_2020 = importlib.import_module("fupin.screening.migrations.0004_national_threshold_2020")


def _result(case: Case, code: str) -> rules.RuleResult:
    return next(r for r in rules.evaluate(case) if r.code == code)


# --- item 5: the 2020 threshold ---------------------------------------------------------------


def test_the_2020_national_threshold_is_seeded_as_one_and_a_half_times_the_line(db: Any) -> None:
    # Run the data migration's own function on a table without the row (a committing test of
    # another app may have emptied it), as a fresh database gets it.
    MonitoringLine.objects.filter(scope="national", year=2020).delete()
    SEED_2020.seed_2020(apps, None)
    row = MonitoringLine.objects.get(scope="national", year=2020)
    assert row.amount == Decimal("6000")
    assert "1.5" in row.source and "4000" in row.source
    SEED_2020.seed_2020(apps, None)  # idempotent
    assert MonitoringLine.objects.filter(scope="national", year=2020).count() == 1


def test_the_stability_rule_of_elimination_judges_a_2020_income(db: Any, personas: dict[str, User]) -> None:
    MonitoringLine.objects.filter(scope="national").delete()
    SEED_2020.seed_2020(apps, None)
    national_floor()  # 2021
    household = make_household(status="monitored")
    for year in (2020, 2021):
        registry.do_record_income(household, year, {"wage": Decimal("30000")}, actor=SYSTEM)  # 10000 a head
    case = actions.do_open_elimination(
        household, reason="收入稳定", actor=personas["village_clerk"], year=2021
    )
    stable = _result(case, "income_stably_above_threshold")
    assert stable.passed, stable.evidence
    assert stable.evidence["income_year"] == 2020 and stable.evidence["threshold_year"] == 2020
    assert stable.evidence["threshold"] == "6000.00"
    # 2020 income under the 2020 threshold still fails: the row is used, not skipped.
    IncomeRecord.objects.filter(household=household, year=2020).delete()
    registry.do_record_income(household, 2020, {"wage": Decimal("15000")}, actor=SYSTEM)  # 5000 a head
    assert not _result(case, "income_stably_above_threshold").passed


# --- item 10: 因安全饮水 needs a 饮水安全保障 measure ----------------------------------------------


def _at_tagging(p: dict[str, Any]) -> Case:
    case = advance_to(open_monitoring(p), Step.TAGGING, p)
    assert case.step == Step.TAGGING
    return case


def _water_measure(household: Household, day: dt.date) -> None:
    do_record_measure(
        household,
        {"kind": "water", "day": day.isoformat(), "amount": "1200", "description": "自来水入户"},
        actor=SYSTEM,
    )


def test_a_water_risk_without_a_water_measure_cannot_be_tagged(personas: dict[str, User]) -> None:
    case = _at_tagging(personas)
    with pytest.raises(ValidationFailed) as refused:
        actions.do_tag_monitoring(
            case, category="edge", risk_types=["illness", "water"], actor=personas["village_clerk"]
        )
    assert [e.code for e in refused.value.errors] == [CaseError.WATER_MEASURE_REQUIRED]
    case.refresh_from_db()
    assert (case.status, case.step) == (Status.OPEN, Step.TAGGING)
    assert not CaseRiskType.objects.filter(case=case).exists()
    assert Household.objects.get(pk=case.household_id).status == "none"
    # A measure of another kind, or a water measure of an earlier year, does not count.
    do_record_measure(
        case.household,
        {"kind": "health", "day": TODAY.isoformat(), "amount": "0", "description": "家庭医生签约"},
        actor=SYSTEM,
    )
    _water_measure(case.household, dt.date(case.year - 1, 6, 1))
    with pytest.raises(ValidationFailed):
        actions.do_tag_monitoring(
            case, category="edge", risk_types=["water"], actor=personas["village_clerk"]
        )
    # Other risk types never needed one.
    assert _result(case, "income_in_monitoring_range").passed


def test_a_water_risk_with_a_water_measure_is_tagged_and_the_check_kept(personas: dict[str, User]) -> None:
    case = _at_tagging(personas)
    _water_measure(case.household, TODAY)
    case = actions.do_tag_monitoring(
        case, category="edge", risk_types=["water"], actor=personas["village_clerk"]
    )
    assert case.status == Status.COMPLETED
    check = RuleCheck.objects.get(case=case, rule="water_measure_recorded")
    assert check.passed and len(check.evidence["water_measures"]) == 1
    result = _result(case, "water_measure_recorded")
    assert result.passed and not result.overridable


# --- item 13: the 15-day identification clock -------------------------------------------------


def _visited_alert(household: Household, actor: User, *, days_ago: int) -> Alert:
    alert = alert_actions.do_record_cadre_check(household, "突发大病，支出骤增", actor=actor)
    Alert.objects.filter(pk=alert.pk).update(
        raised_at=timezone.now() - dt.timedelta(days=days_ago),
        visit_due=TODAY - dt.timedelta(days=days_ago - 3),
        decision_due=TODAY - dt.timedelta(days=days_ago - 15),
    )
    alert.refresh_from_db()
    return alert_actions.do_record_visit(alert, "已入户核实", actor=actor)


def test_a_case_opened_without_an_alert_is_due_15_days_from_the_application(
    personas: dict[str, User],
) -> None:
    case = open_monitoring(personas, origin="application")
    assert case.first_clue_on == TODAY
    assert case.identification_due == TODAY + dt.timedelta(days=15)
    assert not case.identification_late_on(TODAY)
    assert case.identification_late_on(TODAY + dt.timedelta(days=16))
    # Not the other kinds: identification of poverty has no such clock.
    assert (
        actions.do_open_elimination(
            make_household(status="monitored"), reason="收入稳定", actor=personas["village_clerk"]
        ).identification_due
        is None
    )


def test_the_clock_runs_from_the_alert_and_the_overdue_count_carries_over(personas: dict[str, User]) -> None:
    clerk, county = personas["village_clerk"], personas["county_admin"]
    county_area = Area.objects.get(code=COUNTY)
    household = monitoring_candidate()
    alert = _visited_alert(household, clerk, days_ago=20)
    before = dashboard(county, county_area)["totals"]
    assert (before["decision_overdue"], before["identification_overdue"]) == (1, 0)

    case = open_monitoring_case(clerk, household, origin="cadre_check", reason="突发大病", alert_id=alert.pk)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.CASE_STARTED
    assert case.first_clue_on == TODAY - dt.timedelta(days=20)
    assert case.identification_due == TODAY - dt.timedelta(days=5)
    assert case.identification_late_on(TODAY)
    # The alert no longer counts (decided); the case does: still one overdue, not zero.
    after = dashboard(county, county_area)["totals"]
    assert (after["decision_overdue"], after["identification_overdue"]) == (0, 1)
    assert list(Case.objects.filter(identification_late(TODAY)).values_list("pk", flat=True)) == [case.pk]

    page = personas_client(personas, "county_admin").get("/cases/?status=open&overdue=1")
    text = page.content.decode()
    assert page.status_code == 200 and f"/cases/{case.pk}/" in text
    assert case.identification_due.isoformat() in text
    detail = personas_client(personas, "county_admin").get(f"/cases/{case.pk}/").content.decode()
    assert (
        case.identification_due.isoformat() in detail
        and (TODAY - dt.timedelta(days=20)).isoformat() in detail
    )

    # Tagged after the limit: shown late on the case, no longer counted as waiting.
    case = advance_to(case, Step.DONE, personas)
    assert case.identification_late_on(TODAY)
    assert dashboard(county, county_area)["totals"]["identification_overdue"] == 0


def test_a_case_within_its_limit_is_not_overdue_anywhere(personas: dict[str, User]) -> None:
    clerk = personas["village_clerk"]
    household = monitoring_candidate()
    alert = _visited_alert(household, clerk, days_ago=2)
    case = open_monitoring_case(clerk, household, origin="cadre_check", reason="突发大病", alert_id=alert.pk)
    assert case.identification_due == TODAY + dt.timedelta(days=13)
    assert not Case.objects.filter(identification_late(TODAY)).exists()
    text = personas_client(personas, "county_admin").get("/cases/?status=open&overdue=1").content.decode()
    assert f"/cases/{case.pk}/" not in text


def personas_client(personas: dict[str, User], username: str) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(personas[username])
    return client


# --- item 13: 帮扶消除 within the identification month or the month after --------------------


def _monitored_through_a_case(p: dict[str, Any]) -> tuple[Household, Case]:
    household = monitoring_candidate()
    inclusion = advance_to(open_monitoring(p, household), Step.DONE, p)
    IncomeRecord.objects.filter(household=household).delete()
    good_income(household, TODAY.year - 2)
    good_income(household, TODAY.year - 1)
    registry.do_record_conditions(
        household, TODAY.year, {name: True for name in registry.CONDITION_FIELDS}, actor=SYSTEM
    )
    return Household.objects.get(pk=household.pk), inclusion


def _identified_on(inclusion: Case, day: dt.date) -> None:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Case.objects.filter(pk=inclusion.pk).update(closed_at=at)


def test_an_elimination_in_the_identification_month_is_flagged_and_needs_an_override(
    personas: dict[str, User],
) -> None:
    household, _inclusion = _monitored_through_a_case(personas)
    case = advance_to(open_elimination(personas, household), Step.TOWNSHIP_REVIEW, personas)
    flag = _result(case, "not_hasty_elimination")
    assert not flag.passed and flag.overridable
    assert flag.evidence["identified_on"] == TODAY.isoformat() and flag.evidence["flag_months"] == 2
    township = personas["township_officer"]
    with pytest.raises(FupinError) as refused:
        actions.do_approve_case(case, actor=township)
    assert refused.value.code is CaseError.RULES_FAILED
    assert str(rules.LABELS["not_hasty_elimination"]) in refused.value.message
    actions.do_override_rule(
        case, rule="not_hasty_elimination", reason="大病已报销，务工稳定", actor=township
    )
    case = actions.do_approve_case(case, actor=township)
    assert case.step == Step.COUNTY_APPROVAL
    case = advance_to(case, Step.DONE, personas)
    assert case.status == Status.COMPLETED


def test_the_month_after_is_flagged_and_two_months_after_is_not(personas: dict[str, User]) -> None:
    household, inclusion = _monitored_through_a_case(personas)
    case = open_elimination(personas, household)
    last_month = TODAY.replace(day=1) - dt.timedelta(days=1)
    _identified_on(inclusion, last_month)
    assert not _result(case, "not_hasty_elimination").passed
    two_months_back = (last_month.replace(day=1) - dt.timedelta(days=1)).replace(day=28)
    _identified_on(inclusion, two_months_back)
    assert _result(case, "not_hasty_elimination").passed
    # The window is a local setting: a county that flags three months flags this one again.
    do_set_area_setting(Area.objects.get(code=COUNTY), "elimination_flag_months", 3, actor=SYSTEM)
    assert not _result(case, "not_hasty_elimination").passed
    do_set_area_setting(Area.objects.get(code=VILLAGE), "elimination_flag_months", 0, actor=SYSTEM)
    assert _result(case, "not_hasty_elimination").passed


def test_a_natural_elimination_is_never_flagged(personas: dict[str, User]) -> None:
    household, _inclusion = _monitored_through_a_case(personas)
    case = open_elimination(personas, household)
    case.elimination_way = "natural"
    assert _result(case, "not_hasty_elimination").passed
    case.elimination_way = "assisted"
    assert not _result(case, "not_hasty_elimination").passed
