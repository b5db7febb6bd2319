"""Every registry, income, condition and measure indicator on a hand-made county: three
households on file in two villages of 双龙镇 and one ordinary household, whose expected figures
are worked out here from the recorded numbers, not read back from the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.alerts.actions import do_record_cadre_check
from fupin.areas.models import Area
from fupin.assessment.actions import do_record_population
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.models import StaleMark
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_COUNTY, TOWNSHIP, VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import poverty_line_for
from fupin.stats.models import Snapshot
from fupin.stats.refresh import refresh_all, refresh_area, refresh_marked
from tests.conftest import make_household

YEAR = 2024
PREFECTURE = "433100000000"


def met(*unmet: str) -> dict[str, bool]:
    """A condition check where only ``unmet`` fail (an omitted field counts as not met)."""
    names = (
        "food_secure",
        "clothing_secure",
        "education_secured",
        "medical_secured",
        "housing_secured",
        "water_secured",
    )
    return {name: name not in unmet for name in names}


def values(code: str, year: int = YEAR) -> dict[str, Any]:
    return Snapshot.objects.get(area_id=code, year=year).values


def gini(y: list[float], w: list[float]) -> float:
    """The double-sum definition, written out independently of the engine."""
    total = sum(w)
    mean = sum(a * b for a, b in zip(y, w, strict=True)) / total
    spread = sum(
        wi * wj * abs(yi - yj) for yi, wi in zip(y, w, strict=True) for yj, wj in zip(y, w, strict=True)
    )
    return spread / (2 * total * total * mean)


@pytest.fixture
def county(db: Any) -> dict[str, Any]:
    # A: 十八洞村, 3 people, poor since 2014; 2024 income 6,000 → 2,000 a head; no schooling.
    a = make_household(VILLAGE, members=3, status="poor", main_cause="illness")
    registry.do_record_income(
        a, YEAR, {"wage": "3000", "business": "2000", "transfer_dibao": "1000"}, actor=SYSTEM
    )
    registry.do_record_conditions(a, YEAR, met("education_secured"), actor=SYSTEM)
    # B: 十八洞村, 2 people, poor 2014, exited 2020; 2024 income 20,000 → 10,000 a head.
    b = make_household(VILLAGE, members=2, status="poor", main_cause="schooling")
    b = registry.do_change_status(b, "exited", year=2020, reason="脱贫", actor=SYSTEM)
    registry.do_record_income(b, YEAR, {"wage": "20000"}, actor=SYSTEM)
    registry.do_record_conditions(b, YEAR, met(), actor=SYSTEM)
    # C: 丙池村, 4 people, monitored from 2024; 12,000 → 3,000 a head; no safe house or water.
    c = make_household(NEIGHBOUR_VILLAGE, members=4)
    c = registry.do_change_status(c, "monitored", year=YEAR, reason="监测", actor=SYSTEM)
    registry.do_record_income(c, YEAR, {"wage": "12000"}, actor=SYSTEM)
    registry.do_record_conditions(c, YEAR, met("housing_secured", "water_secured"), actor=SYSTEM)
    # D: an ordinary household: its income counts in no figure about households on file.
    d = make_household(NEIGHBOUR_VILLAGE, members=1)
    registry.do_record_income(d, YEAR, {"wage": "500"}, actor=SYSTEM)
    refresh_all("433124")
    return {"a": a, "b": b, "c": c, "d": d}


def test_counts_by_status_at_the_end_of_each_year(county: dict[str, Any]) -> None:
    v1, v2, township = values(VILLAGE), values(NEIGHBOUR_VILLAGE), values(TOWNSHIP)
    assert (v1["covered_households"], v1["covered_people"]) == (2, 5)
    assert (v1["poor_households"], v1["poor_people"]) == (1, 3)
    assert (v1["exited_total_households"], v1["exited_households"]) == (1, 0)
    assert (v2["monitored_households"], v2["monitored_people"], v2["covered_households"]) == (1, 4, 1)
    assert township["covered_households"] == 3 and township["poor_people"] == 3
    assert township["monitored_per_thousand"] == pytest.approx(1000 / 3)
    assert values(COUNTY)["covered_households"] == 3
    # 2020: B exited that year; 2013: nobody was on file yet.
    assert (values(VILLAGE, 2020)["exited_households"], values(VILLAGE, 2020)["exited_people"]) == (1, 2)
    assert values(VILLAGE, 2019)["poor_households"] == 2
    assert values(NEIGHBOUR_VILLAGE, 2023)["monitored_households"] == 0
    assert not Snapshot.objects.filter(year=2013).exists()  # the first year with data is 2014
    assert values(VILLAGE, 2014)["covered_households"] == 2
    # Causes count the poor at the end of the year by their main cause.
    assert values(VILLAGE)["cause_illness"] == 1 and values(VILLAGE)["cause_schooling"] == 0
    assert values(VILLAGE, 2019)["cause_schooling"] == 1


def test_income_figures(county: dict[str, Any]) -> None:
    t = values(TOWNSHIP)
    assert t["income_households"] == 3  # D is not on file
    assert t["income_mean"] == pytest.approx((6000 + 20000 + 12000) / 9)
    assert t["income_median"] == 3000  # of 2,000, 3,000 and 10,000 a head
    assert t["share_wage"] == pytest.approx((3000 + 20000 + 12000) / 38000 * 100)
    assert t["share_business"] == pytest.approx(2000 / 38000 * 100)
    assert t["share_transfer"] == pytest.approx(1000 / 38000 * 100)
    assert t["share_property"] == 0
    assert values(VILLAGE)["income_median"] == 6000  # halfway between 2,000 and 10,000


def test_condition_shortfalls(county: dict[str, Any]) -> None:
    t = values(TOWNSHIP)
    assert t["checked_households"] == 3
    assert (t["short_education"], t["short_housing"], t["short_water"], t["short_food"]) == (1, 1, 1, 0)
    assert t["short_any"] == 2
    assert values(VILLAGE)["short_any"] == 1


def test_poverty_measures_from_the_line_of_the_year(county: dict[str, Any]) -> None:
    z = float(poverty_line_for(TOWNSHIP, YEAR).nominal_line)
    y, w = [2000.0, 10000.0, 3000.0], [3.0, 2.0, 4.0]
    poor = [yi < z for yi in y]
    t = values(TOWNSHIP)
    assert t["measured_people"] == 9
    assert t["fgt0"] == pytest.approx(sum(wi for wi, p in zip(w, poor, strict=True) if p) / 9, abs=1e-12)
    gaps = [(z - yi) / z if p else 0.0 for yi, p in zip(y, poor, strict=True)]
    assert t["fgt1"] == pytest.approx(sum(g * wi for g, wi in zip(gaps, w, strict=True)) / 9, abs=1e-12)
    assert t["fgt2"] == pytest.approx(sum(g * g * wi for g, wi in zip(gaps, w, strict=True)) / 9, abs=1e-12)
    import math

    watts = sum(math.log(z / yi) * wi for yi, wi, p in zip(y, w, poor, strict=True) if p) / 9
    assert t["watts"] == pytest.approx(watts, abs=1e-12)
    assert t["gini"] == pytest.approx(gini(y, w), abs=1e-12)


def test_multidimensional_index_with_default_and_changed_weights(county: dict[str, Any]) -> None:
    z = float(poverty_line_for(TOWNSHIP, YEAR).nominal_line)
    # Default weights: income 1/4, food and clothing 1/8, education and medical 1/6, housing
    # and water 1/12; k = 1/3. A: income + education = 5/12, poor. C: housing + water = 1/6,
    # plus income 1/4 when 3,000 is under the line = 5/12.
    c_score = 1 / 6 + (0.25 if z > 3000 else 0)
    scores = {"a": 0.25 + 1 / 6 if z > 2000 else 1 / 6, "b": 0.0, "c": c_score}
    w = {"a": 3, "b": 2, "c": 4}
    poor = {k: s >= 1 / 3 for k, s in scores.items()}
    t = values(TOWNSHIP)
    assert t["mpi_people"] == 9
    h = sum(w[k] for k in w if poor[k]) / 9
    m0 = sum(w[k] * scores[k] for k in w if poor[k]) / 9
    assert t["mpi_h"] == pytest.approx(h, abs=1e-12)
    assert t["mpi_m0"] == pytest.approx(m0, abs=1e-12)
    assert t["mpi_a"] == pytest.approx(m0 / h, abs=1e-12)
    contributions = [
        t[f"mpi_contrib_{n}"]
        for n in ("income", "food", "clothing", "education", "medical", "housing", "water")
    ]
    assert sum(contributions) == pytest.approx(100)
    assert t["mpi_contrib_education"] == pytest.approx(3 * (1 / 6) / 9 / m0 * 100)

    # Raise the cutoff to 1/2 at the province: nobody reaches it.
    province = Area.objects.get(code="430000000000")
    do_set_area_setting(province, "mpi_cutoff", "1/2", actor=SYSTEM)
    refresh_all("433124")
    assert values(TOWNSHIP)["mpi_h"] == 0 and values(TOWNSHIP)["mpi_a"] is None


def test_weights_that_do_not_add_up_stop_the_refresh(county: dict[str, Any]) -> None:
    province = Area.objects.get(code="430000000000")
    do_set_area_setting(province, "mpi_weight_food", "1/4", actor=SYSTEM)
    with pytest.raises(FupinError) as caught:
        refresh_all("433124")
    assert caught.value.code.name == "WEIGHTS_NOT_ONE"
    assert caught.value.params["total"] == "9/8"  # 1/4 for food instead of 1/8


def test_incidence_uses_the_population_setting(county: dict[str, Any]) -> None:
    village = Area.objects.get(code=VILLAGE)
    township = Area.objects.get(code=TOWNSHIP)
    do_record_population(
        village, {"year": YEAR, "agricultural_registered": 300, "source": "统计年报"}, actor=SYSTEM
    )
    refresh_all("433124")
    assert values(VILLAGE)["population"] == 300
    assert values(VILLAGE)["incidence"] == pytest.approx(1.0)
    # Not every village of the township has a figure, and the township has none of its own.
    assert values(TOWNSHIP)["incidence"] is None
    do_record_population(
        township, {"year": YEAR, "agricultural_registered": 1000, "source": "统计年报"}, actor=SYSTEM
    )
    refresh_all("433124")
    assert values(TOWNSHIP)["incidence"] == pytest.approx(0.3)


def test_current_year_figures(county: dict[str, Any]) -> None:
    this_year = timezone.localdate().year
    do_record_cadre_check(county["c"], "家中有人住院", actor=SYSTEM)
    refresh_marked()
    now = values(TOWNSHIP, this_year)
    # A (poor) and C (monitored) need a cadre and visits; neither has any.
    assert now["helped_households"] == 2 and now["no_cadre_households"] == 2
    assert now["below_visit_minimum"] == (2 if timezone.localdate().month > 1 else 0)
    assert now["alerts_open"] == 1 and now["alerts_raised"] == 1
    assert values(NEIGHBOUR_VILLAGE, this_year)["alerts_open"] == 1
    # Present-only figures are not kept for past years.
    assert values(TOWNSHIP)["alerts_open"] is None and values(TOWNSHIP)["helped_households"] is None


def test_a_status_change_marks_and_the_incremental_refresh_rolls_up(county: dict[str, Any]) -> None:
    this_year = timezone.localdate().year
    assert values(PREFECTURE, this_year)["covered_households"] == 3
    StaleMark.objects.all().delete()
    registry.do_change_status(county["a"], "exited", year=this_year, reason="脱贫", actor=SYSTEM)
    assert StaleMark.objects.filter(area_code=VILLAGE, year=this_year).exists()
    result = refresh_marked()
    assert result["marks"] >= 1 and not StaleMark.objects.exists()
    for code in (VILLAGE, TOWNSHIP, COUNTY, PREFECTURE, "430000000000"):
        row = values(code, this_year)
        assert row["poor_households"] == 0, code
        assert row["exited_households"] == 1, code
    prefecture = Snapshot.objects.get(area_id=PREFECTURE, year=this_year)
    assert set(prefecture.carried_keys) == {"income_median", "gini"}
    # A second change re-derives the same ancestors again: counted once, not once more.
    registry.do_change_status(county["c"], "eliminated", year=this_year, reason="风险消除", actor=SYSTEM)
    refresh_marked()
    for key in ("covered_households", "monitored_households", "eliminated_households", "exited_households"):
        assert values("430000000000", this_year)[key] == values(COUNTY, this_year)[key], key
    assert values(PREFECTURE, this_year)["eliminated_households"] == 1
    # Earlier years are untouched by a change dated this year.
    assert values(VILLAGE)["poor_households"] == 1


def test_a_rolled_back_change_marks_nothing(county: dict[str, Any]) -> None:
    StaleMark.objects.all().delete()
    stale_copy = county["d"]
    stale_copy.status = "poor"  # what another user saw before D changed: the update must fail
    with pytest.raises(FupinError):
        registry.do_change_status(stale_copy, "exited", year=2024, reason="", actor=SYSTEM)
    assert not StaleMark.objects.exists()


def test_refresh_of_one_village_rolls_up_exact_counts(county: dict[str, Any]) -> None:
    refresh_area(Area.objects.get(code=VILLAGE), [YEAR], today=dt.date(2026, 11, 23))
    # The township was re-derived from its villages' parts: the same counts as a full refresh.
    assert values(TOWNSHIP)["covered_households"] == 3
    assert values(TOWNSHIP)["income_mean"] == pytest.approx(38000 / 9)


def test_a_county_not_yet_on_the_system_does_not_blank_its_prefectures_incidence(
    county: dict[str, Any],
) -> None:
    """湘西州 has no figure of its own and its other counties have no household on file (as in the
    demo): its denominator is 花垣县's, not unknown, in the full refresh and in the roll-up."""
    do_record_population(
        Area.objects.get(code=COUNTY),
        {"year": YEAR, "agricultural_registered": 2000, "source": "统计年报"},
        actor=SYSTEM,
    )
    refresh_all("43")
    others = Area.objects.filter(parent_id=PREFECTURE).exclude(code=COUNTY)
    assert others.exists() and values(OTHER_COUNTY)["covered_households"] == 0
    assert values(OTHER_COUNTY)["population"] is None
    # A (3 people) is poor in 2024: 3 ÷ 2000.
    assert values(COUNTY)["incidence"] == pytest.approx(0.15)
    assert values(PREFECTURE)["population"] == 2000
    assert values(PREFECTURE)["incidence"] == pytest.approx(0.15)
    assert values("430000000000")["incidence"] == pytest.approx(0.15)
    # The roll-up after a county's refresh reads the same rule from the counties' rows.
    refresh_area(Area.objects.get(code=COUNTY), [YEAR])
    assert values(PREFECTURE)["incidence"] == pytest.approx(0.15)
    # A county with households on file and no figure leaves the sum unknown: its poor would be
    # counted over nobody.
    make_household("433122102201", members=2, status="poor")  # a village of 泸溪县
    refresh_all("43")
    assert values(PREFECTURE)["population"] is None and values(PREFECTURE)["incidence"] is None
    assert values(COUNTY)["incidence"] == pytest.approx(0.15)
