"""The village and county figures built from the household file and the recorded data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fupin.areas.models import Area
from fupin.assessment import actions, queries
from fupin.assessment.rules import Outcome
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, VILLAGE
from fupin.registry.actions import do_remove_member
from tests.assessment.helpers import YEAR, poor_village, population, sampling

XIANGXI = "433100000000"  # 湘西州


def village() -> Area:
    return Area.objects.get(code=VILLAGE)


def county() -> Area:
    return Area.objects.get(code=COUNTY)


def test_three_poor_households_of_seven_people_over_500_is_1_40_percent(personas: dict[str, Any]) -> None:
    poor_village()
    population(VILLAGE, 500)
    report = queries.village_report(personas["township_officer"], village(), YEAR)
    assert (report.poor_households, report.poor_people, report.denominator) == (3, 7, 500)
    assert report.incidence.rate == Decimal("1.4")
    assert report.incidence.rate_shown == "1.40%"
    assert report.thresholds.incidence_max == Decimal("2")
    assert report.outcome == Outcome.PASS
    assert report.fallback_people is None
    names = [h.head_name for h in queries.remaining_poor(personas["township_officer"], village(), YEAR)]
    assert sorted(names) == ["龙丙", "龙乙", "龙甲"]
    assert sorted(h.size for h in queries.remaining_poor(personas["township_officer"], village(), YEAR)) == [
        2,
        2,
        3,
    ]


def test_a_member_who_left_is_not_counted(personas: dict[str, Any]) -> None:
    households = poor_village()
    population(VILLAGE, 500)
    leaver = households[0].members.exclude(relation="head").first()
    do_remove_member(leaver, left_on=dt.date(2019, 3, 1), reason="迁出", actor=SYSTEM)
    report = queries.village_report(personas["county_admin"], village(), YEAR)
    assert report.poor_people == 6
    assert report.incidence.rate_shown == "1.20%"


def test_without_a_figure_the_result_is_unknown_and_the_fallback_is_labelled(
    personas: dict[str, Any],
) -> None:
    poor_village()
    population(VILLAGE, 480, year=YEAR - 1)
    report = queries.village_report(personas["village_clerk"], village(), YEAR)
    assert report.denominator is None
    assert report.outcome == Outcome.UNKNOWN
    assert report.latest_population_year == YEAR - 1  # named, never used for another year
    # 3+2+2 poor, 4 exited, 5 ordinary: 16 people in the household file.
    assert report.fallback_people == 16
    assert report.fallback_rate_shown == "43.75%"


def test_the_chosen_denominator_kind_is_used(personas: dict[str, Any]) -> None:
    poor_village()
    population(VILLAGE, 500, rural=280)
    actions.do_set_assessment_setting(village(), {"denominator_kind": "rural_resident"}, actor=SYSTEM)
    report = queries.village_report(personas["county_admin"], village(), YEAR)
    assert report.denominator == 280
    assert report.incidence.rate_shown == "2.50%"
    assert report.outcome == Outcome.FAIL


def test_a_figure_of_the_other_kind_only_is_no_figure(personas: dict[str, Any]) -> None:
    poor_village()
    population(VILLAGE, None, rural=280)
    report = queries.village_report(personas["county_admin"], village(), YEAR)
    assert report.denominator is None
    assert report.outcome == Outcome.UNKNOWN


def test_xiangxi_gets_the_western_threshold_by_a_setting_that_reaches_its_villages(
    personas: dict[str, Any],
) -> None:
    poor_village()
    population(VILLAGE, 300)  # 7 / 300 = 2.33%
    user = personas["county_admin"]
    assert queries.village_report(user, village(), YEAR).outcome == Outcome.FAIL
    actions.do_set_assessment_setting(Area.objects.get(code=XIANGXI), {"incidence_max": "3"}, actor=SYSTEM)
    report = queries.village_report(user, village(), YEAR)
    assert report.thresholds.incidence_max == Decimal("3")
    assert report.thresholds.sources["incidence_max"] == "湘西土家族苗族自治州"
    assert report.outcome == Outcome.PASS
    # The nearest setting wins: the village itself may be stricter.
    actions.do_set_assessment_setting(village(), {"incidence_max": "2"}, actor=SYSTEM)
    assert queries.village_report(user, village(), YEAR).outcome == Outcome.FAIL


def test_the_county_counts_every_village_and_judges_each_gate(personas: dict[str, Any]) -> None:
    poor_village()
    poor_village(NEIGHBOUR_VILLAGE)  # 14 poor people in the county
    population(COUNTY, 1000)
    user = personas["supervisor"]
    report = queries.county_report(user, county(), YEAR)
    assert (report.poor_households, report.poor_people) == (6, 14)
    assert [g.outcome for g in report.gates] == [Outcome.PASS, *[Outcome.UNKNOWN] * 3]
    assert report.outcome == Outcome.UNKNOWN
    assert report.comprehensive is None

    sampling()
    report = queries.county_report(user, county(), YEAR)
    assert [g.outcome for g in report.gates] == [Outcome.PASS] * 4
    assert report.outcome == Outcome.PASS
    assert report.comprehensive_shown == "2.90%"  # (14 + 5 + 10) / 1000

    sampling(approving_households=450)  # exactly 90%
    assert queries.county_report(user, county(), YEAR).gates[3].outcome == Outcome.PASS
    sampling(wrongly_exited=20)  # exactly 2%
    report = queries.county_report(user, county(), YEAR)
    assert report.gates[1].outcome == Outcome.FAIL
    assert report.outcome == Outcome.FAIL


def test_a_sampling_of_another_year_does_not_count(personas: dict[str, Any]) -> None:
    population(COUNTY, 1000)
    sampling(year=YEAR - 1)
    report = queries.county_report(personas["county_admin"], county(), YEAR)
    assert report.sampling is None
    assert report.gates[1].outcome == Outcome.UNKNOWN


def test_the_county_gate_thresholds_are_settings(personas: dict[str, Any]) -> None:
    population(COUNTY, 1000)
    sampling()  # 0.5%, 0.5%, 96%
    actions.do_set_assessment_setting(
        county(), {"wrong_exit_max": "0.5", "missed_poor_max": "1", "approval_min": "97"}, actor=SYSTEM
    )
    report = queries.county_report(personas["county_admin"], county(), YEAR)
    assert [g.outcome for g in report.gates] == [Outcome.PASS, Outcome.FAIL, Outcome.PASS, Outcome.FAIL]
