"""签到率 (check-in attendance) can never exceed 100 %: it credits each member's check-ins in a
month only up to the days due then, by the attendance page's own rule (the setting less approved
leave, the running month pro rata). Counting every check-in against whole months of the term
had the demo's villages at 103–105 %: 22 check-ins a month were set against 20 required, and
members past their term end who kept checking in added days and no requirement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.party.models import Unit
from fupin.stats.models import Snapshot
from fupin.stats.refresh import refresh_area
from fupin.teams.grading import attendance
from fupin.teams.models import CheckIn, TeamMember
from tests.conftest import make_household
from tests.teams.conftest import approved_leave, build_team


def every_day(member: TeamMember, first: dt.date, last: dt.date, *, skip: Collection[dt.date] = ()) -> None:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    now = timezone.now()
    CheckIn.objects.bulk_create(
        CheckIn(member=member, area_id=member.area_id, day=d, at=now) for d in days if d not in skip
    )


def values(code: str, year: int) -> dict[str, Any]:
    return Snapshot.objects.get(area_id=code, year=year).values


@pytest.fixture
def team_members(db: Any) -> list[TeamMember]:
    unit = Unit.objects.create(name="县委办", area=Area.objects.get(code=COUNTY))
    build_team(VILLAGE, unit)  # terms 2025-03-01 to 2027-03-01, 20 days a month
    make_household(VILLAGE, members=1, status="poor")  # so the county has a year range
    return list(TeamMember.objects.filter(area_id=VILLAGE).order_by("id"))


def test_check_ins_beyond_the_days_due_are_not_credited(team_members: list[TeamMember]) -> None:
    first, second, third = team_members
    # Everyone checks in every day from March to December 2025: 306 days against 10 × 20.
    every_day(first, dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    every_day(third, dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    # The second took 5 days of leave in April and checked in only 10 days that month.
    approved_leave(second, dt.date(2025, 4, 6), dt.date(2025, 4, 10))
    april_off = {dt.date(2025, 4, d) for d in range(11, 31)}
    every_day(second, dt.date(2025, 3, 1), dt.date(2025, 12, 31), skip=april_off)
    # The third's term ended in June, but nobody marked them as left: they are still serving.
    TeamMember.objects.filter(pk=third.pk).update(term_ends_on=dt.date(2025, 6, 30))
    refresh_area(Area.objects.get(code=COUNTY), [2025], today=dt.date(2026, 1, 10))
    v = values(VILLAGE, 2025)
    assert v["checkin_days"] == 3 * 306 - 20  # every check-in is still counted as made
    # Credited: 200 for the first and the third, 9 × 20 + 10 for the second; due 200 + 195 + 200.
    assert v["checkin_rate"] == pytest.approx(590 / 595 * 100)
    assert v["checkin_rate"] <= 100
    assert values(TOWNSHIP, 2025)["checkin_rate"] == pytest.approx(590 / 595 * 100)
    # The attendance page reads April the same way.
    rows = attendance(Area.objects.get(code=VILLAGE), 2025, 4, today=dt.date(2026, 1, 10))
    april = {r.member.pk: r for r in rows}
    assert (april[second.pk].required, april[second.pk].present, april[second.pk].short) == (15, 10, 5)
    assert (april[first.pk].required, april[first.pk].present, april[first.pk].credited) == (20, 30, 20)


def test_the_running_year_counts_the_days_due_so_far(team_members: list[TeamMember]) -> None:
    _, second, third = team_members
    for member in team_members:
        every_day(member, dt.date(2025, 3, 1), dt.date(2025, 12, 4))
    # On 5 December four days of the month are gone: 20 × 4 ÷ 31 = 2 days are due; the months
    # still to come are due nothing, so a full year's requirement does not pull the rate down.
    refresh_area(Area.objects.get(code=COUNTY), [2025], today=dt.date(2025, 12, 5))
    v = values(VILLAGE, 2025)
    assert v["checkin_rate"] == pytest.approx(100.0)
    TeamMember.objects.filter(pk=second.pk).update(left_on=dt.date(2025, 6, 30))
    CheckIn.objects.filter(member=third, day__gte=dt.date(2025, 12, 1)).delete()  # none this month
    refresh_area(Area.objects.get(code=COUNTY), [2025], today=dt.date(2025, 12, 5))
    # due: first 9 × 20 + 2, second 4 × 20 (March to June), third 9 × 20 + 2; credited 2 fewer
    assert values(VILLAGE, 2025)["checkin_rate"] == pytest.approx((182 + 80 + 180) / (182 + 80 + 182) * 100)
