"""The writes: rule parameters checked against each rule's bounds and kept per county, monitoring
thresholds (the national floor by the operator, a province's by its province bureau, never below
the floor), and starting a run. Every write is audited; a refused one changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, NotSettingOwner, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, OTHER_COUNTY, TOWNSHIP, VILLAGE
from fupin.screening.actions import (
    RunBusy,
    do_remove_rule_setting,
    do_set_monitoring_line,
    do_set_rule_setting,
    do_start_screening,
)
from fupin.screening.models import MonitoringLine, RuleSetting, ScreeningRun
from fupin.screening.queries import effective_setting
from tests.screening.helpers import YEAR

PROVINCE = "430000000000"


def codes(exc: FupinError) -> list[tuple[str | None, str]]:
    if isinstance(exc, ValidationFailed):
        return [(e.field, e.code.name) for e in exc.errors]
    return [(exc.field, exc.code.name)]


def county() -> Area:
    return Area.objects.get(code=COUNTY)


def test_a_county_admin_sets_its_countys_parameters_and_the_change_is_audited(
    personas: dict[str, Any],
) -> None:
    admin = personas["county_admin"]
    row = do_set_rule_setting(
        admin, rule="hospital_stay", area=county(), year=YEAR, params={"amount_supported": "5000"}
    )
    # The parameter not given keeps what applied there: the default.
    assert row.params == {"amount_supported": "5000", "amount_other": "10000"}
    assert row.set_by == admin
    entry = AuditEntry.objects.get(action="screening.set_rule_setting")
    assert entry.before is None and entry.after["params"]["amount_supported"] == "5000"
    assert entry.area_code == COUNTY and entry.actor == admin
    again = do_set_rule_setting(
        admin, rule="hospital_stay", area=county(), year=YEAR, params={"amount_other": 8000}
    )
    assert again.pk == row.pk and again.params == {"amount_supported": "5000", "amount_other": "8000"}
    assert AuditEntry.objects.filter(action="screening.set_rule_setting").count() == 2


@pytest.mark.parametrize(
    ("rule", "params", "expected"),
    [
        ("hospital_stay", {"amount_other": "100"}, [("amount_other", "PARAMETER_OUT_OF_RANGE")]),
        ("hospital_stay", {"amount_other": "many"}, [("amount_other", "PARAMETER_OUT_OF_RANGE")]),
        ("hospital_stay", {"amount_other": "NaN"}, [("amount_other", "PARAMETER_OUT_OF_RANGE")]),
        ("hospital_stay", {"colour": "1"}, [("colour", "UNKNOWN_PARAMETER")]),
        (
            "yearly_medical",
            {"share_pct": "0", "rural_income": "1e9"},
            [
                ("share_pct", "PARAMETER_OUT_OF_RANGE"),
                ("rural_income", "PARAMETER_OUT_OF_RANGE"),
            ],
        ),
        ("working_age_death", {"min_age": "16.5"}, [("min_age", "PARAMETER_OUT_OF_RANGE")]),
        ("working_age_death", {"min_age": "30", "max_age": "40"}, []),
        ("working_age_death", {"min_age": "30", "max_age": "45"}, []),
        ("income_drop", {"share_pct": "100"}, [("share_pct", "PARAMETER_OUT_OF_RANGE")]),
    ],
)
def test_parameters_are_checked_against_the_rules_bounds(
    rule: str, params: dict[str, str], expected: list[tuple[str, str]], db: Any
) -> None:
    if not expected:
        do_set_rule_setting(SYSTEM, rule=rule, area=county(), year=YEAR, params=params)
        return
    with pytest.raises(ValidationFailed) as caught:
        do_set_rule_setting(SYSTEM, rule=rule, area=county(), year=YEAR, params=params)
    assert codes(caught.value) == expected
    assert not RuleSetting.objects.exists()


def test_ages_that_do_not_make_a_range_are_refused(db: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        do_set_rule_setting(
            SYSTEM,
            rule="working_age_death",
            area=county(),
            year=YEAR,
            params={"min_age": "40", "max_age": "35"},
        )
    assert codes(caught.value) == [("min_age", "MIN_AGE_NOT_BELOW_MAX")]
    do_set_rule_setting(SYSTEM, rule="working_age_death", area=county(), year=YEAR, params={"max_age": "35"})
    # Given alone, a limit is checked against the other one as it applies.
    with pytest.raises(ValidationFailed):
        do_set_rule_setting(
            SYSTEM, rule="working_age_death", area=county(), year=YEAR, params={"min_age": "40"}
        )
    assert RuleSetting.objects.get().params == {"min_age": "16", "max_age": "35"}


def test_unknown_rules_years_and_areas_below_a_county_are_refused(db: Any) -> None:
    with pytest.raises(FupinError) as caught:
        do_set_rule_setting(SYSTEM, rule="horoscope", area=county(), year=YEAR)
    assert codes(caught.value) == [("rule", "UNKNOWN_RULE")]
    with pytest.raises(FupinError) as caught:
        do_set_rule_setting(SYSTEM, rule="dropout", area=county(), year=1999)
    assert codes(caught.value) == [("year", "BAD_YEAR")]
    with pytest.raises(FupinError) as caught:
        do_set_rule_setting(SYSTEM, rule="dropout", area=Area.objects.get(code=TOWNSHIP), year=YEAR)
    assert codes(caught.value) == [("area", "SETTING_LEVEL")]
    assert not RuleSetting.objects.exists()


def test_the_operator_sets_a_province_which_its_counties_inherit(db: Any) -> None:
    do_set_rule_setting(
        SYSTEM,
        rule="disaster_loss",
        area=Area.objects.get(code=PROVINCE),
        year=2022,
        params={"min_loss": 3000},
    )
    assert effective_setting(COUNTY, "disaster_loss", YEAR).params["min_loss"] == Decimal("3000")
    assert effective_setting(VILLAGE, "disaster_loss", YEAR).setting.area_id == PROVINCE  # type: ignore[union-attr]


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_the_county_admin_sets_its_countys_parameters(persona: str, personas: dict[str, Any]) -> None:
    user = personas[persona]
    audit_before = AuditEntry.objects.count()
    if persona == "county_admin":
        do_set_rule_setting(user, rule="dropout", area=county(), year=YEAR, enabled=False)
        assert RuleSetting.objects.get().enabled is False
        return
    # Outside the user's area it does not exist; inside, the role may not.
    expected = (
        NotFound
        if persona
        in {"outsider", "township_officer", "village_clerk", "first_secretary", "cadre", "neighbour_clerk"}
        else PermissionDenied
    )
    with pytest.raises(expected):
        do_set_rule_setting(user, rule="dropout", area=county(), year=YEAR, enabled=False)
    assert not RuleSetting.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_the_outsider_cannot_reach_into_another_county(personas: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        do_set_rule_setting(personas["outsider"], rule="dropout", area=county(), year=YEAR)
    do_set_rule_setting(
        personas["outsider"], rule="dropout", area=Area.objects.get(code=OTHER_COUNTY), year=YEAR
    )


def test_removing_a_setting_restores_what_applied_before(personas: dict[str, Any]) -> None:
    admin = personas["county_admin"]
    do_set_rule_setting(admin, rule="income_drop", area=county(), year=YEAR - 2, params={"share_pct": 40})
    do_set_rule_setting(admin, rule="income_drop", area=county(), year=YEAR, params={"share_pct": 20})
    assert effective_setting(COUNTY, "income_drop", YEAR).params["share_pct"] == 20
    do_remove_rule_setting(admin, rule="income_drop", area=county(), year=YEAR)
    assert effective_setting(COUNTY, "income_drop", YEAR).params["share_pct"] == 40
    entry = AuditEntry.objects.get(action="screening.remove_rule_setting")
    assert entry.before["params"] == {"share_pct": "20"} and entry.after is None
    do_remove_rule_setting(admin, rule="income_drop", area=county(), year=YEAR)  # nothing left: no-op


# --- monitoring thresholds -----------------------------------------------------------------


def test_the_floor_is_seeded(db: Any) -> None:
    rows = sorted(MonitoringLine.objects.values_list("scope", "year", "amount"))
    # 2021 from 中农组发〔2021〕7号; 2020 as 1.5 × that year's line (domain.md §5).
    assert rows == [("national", 2020, Decimal("6000.00")), ("national", 2021, Decimal("6000.00"))]


def test_the_province_bureau_enters_its_provinces_threshold(personas: dict[str, Any]) -> None:
    admin = personas["regional_admin"]
    row = do_set_monitoring_line(admin, year=YEAR, amount="7300", source="湘乡振〔2024〕1号")
    assert (row.scope, row.year, row.amount) == (PROVINCE, YEAR, Decimal("7300.00"))
    entry = AuditEntry.objects.get(action="screening.set_monitoring_line")
    assert entry.area_code == PROVINCE and entry.after["amount"] == "7300.00"
    corrected = do_set_monitoring_line(admin, year=YEAR, amount="7400", source="更正")
    assert corrected.pk == row.pk and corrected.amount == Decimal("7400.00")


def test_a_county_bureau_cannot_change_its_provinces_threshold(personas: dict[str, Any]) -> None:
    # Issue 13 item 2: saving 7,200 for 湖南省 as 花垣县 changed it for every county of the province.
    with pytest.raises(NotSettingOwner):
        do_set_monitoring_line(personas["county_admin"], year=YEAR, amount="7200", source="花垣县")
    assert not MonitoringLine.objects.exclude(scope="national").exists()
    assert not AuditEntry.objects.filter(action="screening.set_monitoring_line").exists()


def test_only_the_operator_speaks_for_the_country_or_names_a_province(personas: dict[str, Any]) -> None:
    admin = personas["regional_admin"]
    with pytest.raises(PermissionDenied):
        do_set_monitoring_line(admin, year=YEAR, amount="7000", source="x", national=True)
    with pytest.raises(PermissionDenied):
        do_set_monitoring_line(admin, year=YEAR, amount="7000", source="x", province="43")
    assert (
        do_set_monitoring_line(SYSTEM, year=YEAR, amount="6900", source="x", national=True).scope
        == "national"
    )
    assert (
        do_set_monitoring_line(SYSTEM, year=YEAR, amount="8700", source="x", province="43").scope
        == "430000000000"
    )
    with pytest.raises(FupinError) as caught:
        do_set_monitoring_line(SYSTEM, year=YEAR, amount="7000", source="x")
    assert codes(caught.value) == [("scope", "LINE_SCOPE")]


@pytest.mark.parametrize(
    ("year", "amount", "source", "expected"),
    [
        ("20x4", "7000", "s", [("year", "BAD_YEAR")]),
        (YEAR, "0", "s", [("amount", "BAD_AMOUNT")]),
        (YEAR, "-1", "s", [("amount", "BAD_AMOUNT")]),
        (YEAR, "7000.001", "s", [("amount", "BAD_AMOUNT")]),
        (YEAR, "100000", "s", [("amount", "BAD_AMOUNT")]),
        (YEAR, "7000", "  ", [("source", "SOURCE_REQUIRED")]),
        (YEAR, "7000", "x" * 301, [("source", "TOO_LONG")]),
        (YEAR, "5999.99", "s", [("amount", "LINE_BELOW_FLOOR")]),
    ],
)
def test_a_bad_threshold_is_refused_and_nothing_is_stored(
    year: Any, amount: str, source: str, expected: list[tuple[str, str]], personas: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        do_set_monitoring_line(personas["regional_admin"], year=year, amount=amount, source=source)
    assert codes(caught.value) == expected
    assert not MonitoringLine.objects.exclude(scope="national").exists()


@pytest.mark.parametrize("persona", [*ALL_USERNAMES, "prefecture_admin", "regional_admin"])
def test_only_the_province_bureau_enters_thresholds(persona: str, personas: dict[str, Any]) -> None:
    user = personas[persona]
    if persona == "regional_admin":
        do_set_monitoring_line(user, year=YEAR, amount="7000", source="s")
        assert MonitoringLine.objects.exclude(scope="national").count() == 1
        return
    # A settings writer below the province is told the value is not its own; any other role
    # may not write settings at all.
    expected = NotSettingOwner if user.can("screening.edit_rules") else PermissionDenied
    with pytest.raises(expected):
        do_set_monitoring_line(user, year=YEAR, amount="7000", source="s")
    assert not MonitoringLine.objects.exclude(scope="national").exists()


# --- starting a run ------------------------------------------------------------------------


def test_starting_a_run_records_it_and_refuses_a_second_one_of_the_same_area(
    personas: dict[str, Any],
) -> None:
    admin = personas["county_admin"]
    run = do_start_screening(admin, area=county(), year=YEAR, start=False)
    assert (run.area_code, run.year, run.engine, run.job.status) == (COUNTY, YEAR, "duckdb", "queued")  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="screening.start_run", area_code=COUNTY).count() == 1
    with pytest.raises(RunBusy):
        do_start_screening(admin, area=county(), year=YEAR, start=False)
    assert ScreeningRun.objects.count() == 1


def test_a_run_needs_the_permission_and_the_area(personas: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        do_start_screening(personas["org_dept"], area=county(), start=False)
    with pytest.raises(NotFound):
        do_start_screening(personas["outsider"], area=county(), start=False)
    with pytest.raises(FupinError) as caught:
        do_start_screening(personas["county_admin"], area=county(), engine="pandas", start=False)
    assert codes(caught.value) == [("engine", "BAD_ENGINE")]
    assert not ScreeningRun.objects.exists()


def test_a_run_left_running_by_a_dead_process_stops_blocking_after_a_while(db: Any) -> None:
    from django.utils import timezone

    from fupin.core.models import Job
    from fupin.screening.actions import BUSY_HOURS

    stuck = do_start_screening(SYSTEM, area=county(), year=YEAR, start=False)
    Job.objects.filter(pk=stuck.job_id).update(
        status="running", created_at=timezone.now() - dt.timedelta(hours=BUSY_HOURS + 1)
    )
    again = do_start_screening(SYSTEM, area=county(), start=False)
    assert again.pk != stuck.pk
    assert again.year == timezone.localdate().year  # the default year
