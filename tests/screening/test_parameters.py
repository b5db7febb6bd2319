"""Parameters and thresholds come from the database: a county's own setting wins over its
province's and over the default, a setting applies from its year on, a switched-off rule
flags nothing there, and a province's threshold above the national floor is the one used."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fupin.alerts.models import Alert
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, OTHER_COUNTY
from fupin.screening.actions import do_set_monitoring_line, do_set_rule_setting
from fupin.screening.queries import effective_setting, threshold_for
from tests.conftest import make_household
from tests.screening.helpers import YEAR, feed, flagged, income, screen

PREFECTURE = "433100000000"  # 湘西州: both test counties
PROVINCE = "430000000000"


def _other_county_village() -> str:
    return (
        Area.objects.filter(code__startswith="433122", level=5)
        .order_by("code")
        .values_list("code", flat=True)[0]
    )


def _set(rule: str, area: str, year: int, enabled: bool = True, **params: Any) -> None:
    do_set_rule_setting(
        SYSTEM, rule=rule, area=Area.objects.get(code=area), year=year, enabled=enabled, params=params
    )


def test_a_county_setting_wins_over_the_default(db: Any) -> None:
    ordinary = make_household()
    feed(ordinary, "hospital_stay", amount=8000, event_date=dt.date(YEAR, 4, 1))
    screen()
    assert flagged("hospital_stay") == set()
    _set("hospital_stay", COUNTY, YEAR, amount_other=7000)
    screen()
    assert flagged("hospital_stay") == {ordinary.pk}
    assert Alert.objects.get().evidence["threshold"] == 7000


def test_the_nearest_area_wins_and_a_setting_applies_from_its_year(db: Any) -> None:
    here = make_household()
    there = make_household(_other_county_village())
    for household in (here, there):
        for year in (YEAR - 1, YEAR):
            feed(household, "hospital_stay", amount=8000, event_date=dt.date(year, 5, 1), year=year)
    _set("hospital_stay", PROVINCE, 2020, amount_other=7500)
    _set("hospital_stay", COUNTY, YEAR, amount_other=9000)  # from YEAR on, this county only

    screen(PREFECTURE, year=YEAR - 1)
    # Before the county's own setting takes effect, the province's 7500 applies to both.
    assert flagged("hospital_stay", f"{YEAR - 1}-05") == {here.pk, there.pk}
    screen(PREFECTURE, year=YEAR)
    # From YEAR the county's 9000 applies to it; the other county still inherits 7500.
    assert flagged("hospital_stay", f"{YEAR}-05") == {there.pk}


def test_a_later_setting_does_not_reach_back(db: Any) -> None:
    _set("income_drop", COUNTY, YEAR + 1, share_pct=10)
    assert effective_setting(COUNTY, "income_drop", YEAR).params["share_pct"] == 30
    assert effective_setting(COUNTY, "income_drop", YEAR + 1).params["share_pct"] == 10
    assert effective_setting("433124110226", "income_drop", YEAR + 1).params["share_pct"] == 10


def test_a_switched_off_rule_flags_nothing_there_and_still_runs_elsewhere(db: Any) -> None:
    here = make_household()
    feed(here, "dropout")
    there = make_household(_other_county_village())
    feed(there, "dropout")
    _set("dropout", COUNTY, YEAR - 2, enabled=False)
    run = screen(PREFECTURE)
    assert flagged("dropout") == {there.pk}
    assert run.found["dropout"] == 1


def test_a_province_threshold_above_the_floor_is_used(db: Any) -> None:
    between = make_household(members=1)
    income(between, YEAR, 6200)
    above = make_household(members=1)
    income(above, YEAR, 6600)
    screen()
    assert flagged("income_below_line") == set()
    do_set_monitoring_line(SYSTEM, year=YEAR, amount=6500, source="湘政办发", province="43")
    assert threshold_for(COUNTY, YEAR).amount == 6500
    screen()
    assert flagged("income_below_line") == {between.pk}
    assert Alert.objects.get().evidence["threshold"] == 6500


def test_the_latest_thresholds_carry_forward_and_the_floor_wins_over_a_lower_one(db: Any) -> None:
    assert threshold_for(COUNTY, YEAR).amount == 6000  # the 2021 floor, seeded
    do_set_monitoring_line(SYSTEM, year=YEAR - 1, amount=6800, source="湘政办发", province="43")
    assert threshold_for(COUNTY, YEAR).amount == 6800
    assert threshold_for(OTHER_COUNTY, YEAR).amount == 6800  # same province
    assert threshold_for("520000000000", YEAR).amount == 6000  # another province: the floor
    do_set_monitoring_line(SYSTEM, year=YEAR, amount=7000, source="test", national=True)
    assert threshold_for(COUNTY, YEAR).amount == 7000
    assert threshold_for(COUNTY, YEAR).applied.scope == "national"


def test_without_any_threshold_the_income_rule_flags_nothing_and_the_run_says_so(db: Any) -> None:
    # 2019: monitoring thresholds begin in 2020, so none is on file.
    low = make_household(members=1)
    income(low, 2019, 100)
    run = screen(year=2019)
    assert run.found["income_below_line"] == 0
    assert run.warnings == [{"code": "NO_THRESHOLD", "province": PROVINCE, "year": 2019}]
