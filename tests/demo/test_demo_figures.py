"""The demo's figures agree with each other for every area and year (issue 14): the exit
assessment's incidence is the snapshot's, the cumulative exits are the distinct households that
ever exited (recounted here from the raw status history with a plain query), and monitored
households by category add up to the monitored households.

One build and one refresh serve the module (the slow part), rolled back at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.assessment import queries
from fupin.core.personas import COUNTY
from fupin.demo.actions import do_build_demo
from fupin.demo.cases import build_demo_cases
from fupin.demo.census import build_demo_populations
from fupin.registry.choices import MonitoringCategory
from fupin.registry.models import StatusChange
from fupin.stats.models import Snapshot
from fupin.stats.refresh import refresh_all
from tests.conftest import PASSWORD

SIZE = 1500
SEED = 14


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[User]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            analyst = do_create_user(
                "figures_analyst", role="county_admin", area=Area.objects.get(code=COUNTY), password=PASSWORD
            )
            do_build_demo(SIZE, SEED)
            build_demo_cases()
            build_demo_populations()
            refresh_all(COUNTY[:6])
            yield analyst
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def analyst(demo: User, db: Any) -> User:
    return demo


def snapshots() -> dict[tuple[str, int], dict[str, Any]]:
    return {(s.area_id, s.year): s.values for s in Snapshot.objects.filter(area__code__startswith=COUNTY[:6])}


def test_the_exit_assessment_and_the_snapshot_agree_for_every_village_and_year(analyst: User) -> None:
    snaps = snapshots()
    years = sorted({year for _, year in snaps})
    assert len(years) >= 10
    villages = list(
        Area.objects.filter(
            code__startswith=COUNTY[:6], level=Level.VILLAGE, households__isnull=False
        ).distinct()
    )
    assert villages
    county = Area.objects.get(code=COUNTY)
    compared = 0
    for year in years:
        reports = [(county, queries.county_report(analyst, county, year))]
        reports += [(v, queries.village_report(analyst, v, year)) for v in villages]
        for area, report in reports:
            snap = snaps[area.code, year]
            where = (area.code, year)
            assert report.poor_people == snap["poor_people"], where
            assert report.poor_households == snap["poor_households"], where
            assert report.denominator == snap["population"], where
            rate = report.incidence.rate
            if snap["incidence"] is None:
                assert rate is None, where
            else:
                assert rate is not None, where
                assert round(float(rate), 9) == round(snap["incidence"], 9), where
                compared += 1
    assert compared > len(years)  # the denominators are there: real comparisons, not None = None


def test_cumulative_exits_are_the_distinct_households_that_ever_exited(analyst: User) -> None:
    snaps = snapshots()
    exits = list(
        StatusChange.objects.filter(
            to_status="exited", household__area__code__startswith=COUNTY[:6]
        ).values_list("household_id", "household__area_id", "year")
    )
    assert exits
    first_exit: dict[int, tuple[str, int]] = {}
    for household, area, year in exits:
        if household not in first_exit or year < first_exit[household][1]:
            first_exit[household] = (area[:12], year)
    levels = dict(Area.objects.filter(code__in={c for c, _ in snaps}).values_list("code", "level"))
    checked = 0
    for (code, year), values in snaps.items():
        if levels[code] not in (Level.COUNTY, Level.VILLAGE):
            continue
        expected = sum(1 for area, y in first_exit.values() if y <= year and (code == COUNTY or area == code))
        assert values["exited_total_households"] == expected, (code, year)
        checked += expected > 0


def test_monitored_households_by_category_add_up_for_every_area_and_year(analyst: User) -> None:
    snaps = snapshots()
    monitored_years = 0
    for (code, year), values in snaps.items():
        by_category = sum(values[f"monitored_{c}"] for c in MonitoringCategory.values)
        assert by_category == values["monitored_households"], (code, year)
        if code == COUNTY and values["monitored_households"]:
            monitored_years += 1
    assert monitored_years >= 3


def test_the_county_total_of_exits_counts_a_household_with_two_exits_once(analyst: User) -> None:
    per_household: dict[int, int] = defaultdict(int)
    for (household,) in StatusChange.objects.filter(
        to_status="exited", household__area__code__startswith=COUNTY[:6]
    ).values_list("household_id"):
        per_household[household] += 1
    latest = max(year for code, year in snapshots() if code == COUNTY)
    assert Snapshot.objects.get(area_id=COUNTY, year=latest).values["exited_total_households"] == len(
        per_household
    )
