"""Figures that hold for every year (issue 14, items 1–3), on hand-made households whose
expected figures are worked out here: the exit assessment of a past year counts that year's
file like the snapshot does; households lifted out accumulate over every exit; the monitoring
category of a year is the one its dated history set."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fupin.areas.models import Area
from fupin.assessment import queries
from fupin.assessment.actions import do_record_population
from fupin.cases import actions as cases
from fupin.cases.models import Step
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household, StatusChange
from fupin.stats.models import Snapshot
from fupin.stats.refresh import refresh_all
from tests.cases.helpers import advance_to, open_monitoring
from tests.conftest import make_household


def values(code: str, year: int) -> dict[str, Any]:
    return Snapshot.objects.get(area_id=code, year=year).values


def change(household: Household, to: str, year: int, category: str = "") -> Household:
    return registry.do_change_status(household, to, year=year, reason="test", actor=SYSTEM, category=category)


def population(code: str, year: int, figure: int) -> None:
    do_record_population(
        Area.objects.get(code=code),
        {"year": year, "agricultural_registered": figure, "rural_resident": "", "source": "户籍统计"},
        actor=SYSTEM,
    )


# --- item 1: the exit assessment of year Y is the file at the end of Y --------------------------


def test_a_past_years_assessment_counts_the_poor_of_that_year_like_the_snapshot(
    personas: dict[str, Any],
) -> None:
    # Two households poor since 2014; one of 4 exits in 2016. In 2014 both were poor: 3 + 4
    # people over 100 is 7 %, however the file stands today (3 %).
    make_household(VILLAGE, members=3, status="poor")
    leaver = make_household(VILLAGE, members=4, status="poor")
    change(leaver, "exited", 2016)
    population(VILLAGE, 2014, 100)
    population(VILLAGE, 2020, 100)
    refresh_all("433124")
    user = personas["county_admin"]
    village = Area.objects.get(code=VILLAGE)

    past = queries.village_report(user, village, 2014)
    assert (past.poor_households, past.poor_people, past.denominator) == (2, 7, 100)
    assert past.incidence.rate_shown == "7.00%"
    assert sorted(h.size for h in queries.remaining_poor(user, village, 2014)) == [3, 4]
    later = queries.village_report(user, village, 2020)
    assert (later.poor_households, later.poor_people) == (1, 3)
    for year, report in ((2014, past), (2020, later)):
        snap = values(VILLAGE, year)
        assert report.poor_people == snap["poor_people"]
        assert report.denominator == snap["population"]
        assert report.incidence.rate is not None
        assert round(float(report.incidence.rate), 6) == round(snap["incidence"], 6)


def test_the_county_assessment_uses_the_snapshots_denominator(personas: dict[str, Any]) -> None:
    # The county has no figure of its own; its one village with households has one, so the
    # snapshot divides by the sum of the children's figures, and so must the assessment.
    make_household(VILLAGE, members=5, status="poor")
    population(VILLAGE, 2014, 250)
    refresh_all("433124")
    report = queries.county_report(personas["county_admin"], Area.objects.get(code=COUNTY), 2014)
    snap = values(COUNTY, 2014)
    assert snap["population"] == 250
    assert report.denominator == 250
    assert report.incidence.rate == Decimal(2)
    assert round(float(report.incidence.rate), 6) == round(snap["incidence"], 6)


# --- item 2: households lifted out, cumulative ------------------------------------------------


def test_households_lifted_out_count_every_household_with_an_exit_once(db: Any) -> None:
    twice = make_household(VILLAGE, members=2, status="poor")  # exits 2016, falls back 2018, exits 2019
    change(twice, "exited", 2016)
    twice = change(twice, "poor", 2018)
    change(twice, "exited", 2019)
    fell_back = make_household(VILLAGE, members=3, status="poor")  # exits 2016, monitored from 2021
    fell_back = change(fell_back, "exited", 2016)
    change(fell_back, "monitored", 2021, category="unstable")
    back_to_poor = make_household(VILLAGE, members=3, status="poor")  # exits 2017, poor again 2018
    back_to_poor = change(back_to_poor, "exited", 2017)
    change(back_to_poor, "poor", 2018)
    make_household(VILLAGE, members=1, status="poor")  # never exits
    refresh_all("433124")

    expected = {2015: 0, 2016: 2, 2017: 3, 2018: 3, 2019: 3, 2021: 3, 2024: 3}
    for year, n in expected.items():
        assert values(VILLAGE, year)["exited_total_households"] == n, year
        assert values(COUNTY, year)["exited_total_households"] == n, year
    # Exits in the year stay by year: the second exit is 2019's.
    assert [values(VILLAGE, y)["exited_households"] for y in (2016, 2017, 2018, 2019)] == [2, 1, 0, 1]


# --- item 3: the monitoring category by date --------------------------------------------------


def test_the_category_of_each_year_comes_from_the_dated_history(db: Any) -> None:
    household = make_household(VILLAGE, members=3)
    household = change(household, "monitored", 2021, category="edge")
    change(household, "monitored", 2023, category="sudden")  # change of category, still monitored
    refresh_all("433124")
    for year in (2021, 2022):
        v = values(VILLAGE, year)
        assert (v["monitored_edge"], v["monitored_sudden"], v["monitored_households"]) == (1, 0, 1), year
    for year in (2023, 2024):
        v = values(VILLAGE, year)
        assert (v["monitored_edge"], v["monitored_sudden"], v["monitored_households"]) == (0, 1, 1), year


def test_an_open_case_does_not_hide_the_category_and_an_old_case_is_not_applied_to_every_year(
    personas: dict[str, Any],
) -> None:
    # Included as edge 2021, risk eliminated 2022, included again as sudden 2024 through a case
    # that stays open afterwards (an elimination case opened in 2025). The latest completed
    # case (sudden) used to be applied to 2021 too.
    household = make_household(VILLAGE, members=2)
    household = change(household, "monitored", 2021, category="edge")
    household = change(household, "eliminated", 2022)
    change(household, "monitored", 2024, category="sudden")
    refresh_all("433124")
    assert values(VILLAGE, 2021)["monitored_edge"] == 1
    assert values(VILLAGE, 2021)["monitored_sudden"] == 0
    assert values(VILLAGE, 2022)["monitored_households"] == 0
    assert values(VILLAGE, 2023)["monitored_households"] == 0
    assert values(VILLAGE, 2024)["monitored_sudden"] == 1


def test_tagging_a_monitoring_case_records_its_category_on_the_history_row(personas: dict[str, Any]) -> None:
    case = advance_to(open_monitoring(personas), Step.TAGGING, personas)
    cases.do_tag_monitoring(case, category="sudden", risk_types=["illness"], actor=personas["village_clerk"])
    row = StatusChange.objects.get(household_id=case.household_id, to_status="monitored")
    assert (row.year, row.category) == (case.year, "sudden")
    refresh_all("433124")
    assert values(VILLAGE, case.year)["monitored_sudden"] == 1
