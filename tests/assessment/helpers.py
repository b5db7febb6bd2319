from __future__ import annotations

from typing import Any

from fupin.areas.models import Area
from fupin.assessment import actions
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, VILLAGE
from fupin.registry.models import Household
from tests.conftest import make_household

YEAR = 2019


def poor_village(area_code: str = VILLAGE) -> list[Household]:
    """3 registered-poor households of 7 people, beside an exited and an ordinary one."""
    poor = [
        make_household(area_code, members=3, status="poor", head_name="龙甲"),
        make_household(area_code, members=2, status="poor", head_name="龙乙"),
        make_household(area_code, members=2, status="poor", head_name="龙丙"),
    ]
    exited = make_household(area_code, members=4, status="poor", head_name="石丁")
    from fupin.registry.actions import do_change_status

    do_change_status(exited, "exited", year=2018, reason="test", actor=SYSTEM)
    make_household(area_code, members=5, head_name="吴戊")
    return poor


def population(code: str, figure: int | None, *, rural: int | None = None, year: int = YEAR) -> Any:
    data = {
        "year": year,
        "agricultural_registered": "" if figure is None else figure,
        "rural_resident": "" if rural is None else rural,
        "source": "县公安局户籍统计",
    }
    return actions.do_record_population(Area.objects.get(code=code), data, actor=SYSTEM)


GOOD_SAMPLE = {
    "year": YEAR,
    "sampled_exited": 1000,
    "wrongly_exited": 5,
    "sampled_unregistered": 2000,
    "missed_poor": 10,
    "surveyed_households": 500,
    "approving_households": 480,
}


def sampling(**changes: Any) -> Any:
    return actions.do_record_sampling(Area.objects.get(code=COUNTY), {**GOOD_SAMPLE, **changes}, actor=SYSTEM)
