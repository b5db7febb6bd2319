"""The demo county's responsibility list: 双龙镇 (the township officer's) and 龙潭镇 own tasks,
with a county bureau and a unit inside 双龙镇. Tasks are made by the action under test elsewhere;
here, as setup, by the same action with the county administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, OTHER_COUNTY, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP
from fupin.duty import actions
from fupin.duty.models import Task
from fupin.party.models import Unit

OTHER_TOWNSHIP = OTHER_TOWNSHIP_VILLAGE[:9] + "000"  # 龙潭镇


@pytest.fixture
def county(db: Any) -> Area:
    return Area.objects.get(code=COUNTY)


@pytest.fixture
def township(db: Any) -> Area:
    return Area.objects.get(code=TOWNSHIP)


@pytest.fixture
def other_township(db: Any) -> Area:
    return Area.objects.get(code=OTHER_TOWNSHIP)


@pytest.fixture
def bureau(county: Area) -> Unit:
    return Unit.objects.create(area=county, name="县交通运输局")


@pytest.fixture
def township_unit(township: Area) -> Unit:
    return Unit.objects.create(area=township, name="双龙镇卫生院")


@pytest.fixture
def foreign_unit(db: Any) -> Unit:
    return Unit.objects.create(area=Area.objects.get(code=OTHER_COUNTY), name="泸溪县农业局")


def make_task(
    area: Area,
    owner: Area | Unit,
    *,
    title: str = "完成危房改造",
    year: int = 2026,
    due_on: dt.date = dt.date(2026, 6, 30),
    person: str = "张主任",
    created_on: dt.date | None = None,
) -> Task:
    """A task made by the action; ``created_on`` moves its creation back, as if the list had been
    drawn up that day (the ranking only counts tasks on the list by its day)."""
    owner_kw: dict[str, Any] = {"owner_area": owner} if isinstance(owner, Area) else {"owner_unit": owner}
    task = actions.do_create_task(SYSTEM, area, year, title, owner_person=person, due_on=due_on, **owner_kw)
    if created_on is not None:
        stamp = dt.datetime.combine(created_on, dt.time(9), tzinfo=dt.UTC)
        Task.objects.filter(pk=task.pk).update(created_at=stamp)
        task.refresh_from_db()
    return task


@pytest.fixture
def tasks(
    county: Area, township: Area, other_township: Area, bureau: Unit, township_unit: Unit
) -> dict[str, Task]:
    """The county's list: one task each for 双龙镇, 龙潭镇 and the county bureau; 双龙镇's own list:
    one for its health centre."""
    return {
        "mine": make_task(county, township, title="双龙镇完成危房改造"),
        "other": make_task(county, other_township, title="龙潭镇完成饮水工程"),
        "unit": make_task(county, bureau, title="交通局修通组组路"),
        "township_list": make_task(township, township_unit, title="卫生院家庭医生签约"),
    }
