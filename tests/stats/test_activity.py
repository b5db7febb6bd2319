"""The indicators counted per area rather than per household: assistance measures and home
visits, alerts, work-team members, check-ins and grades, and monitored households by their
monitoring category, each on hand-made rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.access import SYSTEM
from fupin.core.personas import NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.party.models import Unit
from fupin.registry import actions as registry
from fupin.stats.models import Snapshot
from fupin.stats.refresh import refresh_all
from fupin.teams.models import CheckIn, TeamMember, YearlyAssessment
from tests.conftest import make_household
from tests.teams.conftest import build_team

YEAR = 2025


def values(code: str, year: int = YEAR) -> dict[str, Any]:
    return Snapshot.objects.get(area_id=code, year=year).values


@pytest.fixture
def unit(db: Any) -> Unit:
    from fupin.areas.models import Area

    return Unit.objects.create(name="县委办", area=Area.objects.get(code="433124000000"))


def test_team_members_check_ins_and_grades(unit: Unit) -> None:
    # Terms run from 2025-03-01 to 2027-03-01: ten months of 2025 each, 20 days a month.
    build_team(VILLAGE, unit)
    members = list(TeamMember.objects.filter(area_id=VILLAGE).order_by("id"))
    make_household(VILLAGE, members=1, status="poor")  # so the county has a year range
    for day in (dt.date(2025, 3, 2), dt.date(2025, 3, 3), dt.date(2025, 4, 1)):
        CheckIn.objects.create(member=members[0], area_id=VILLAGE, day=day, at=timezone.now())
    CheckIn.objects.create(member=members[1], area_id=VILLAGE, day=dt.date(2025, 5, 5), at=timezone.now())
    for member, grade in zip(members, ("excellent", "competent", "competent"), strict=True):
        YearlyAssessment.objects.create(
            member=member,
            area_id=VILLAGE,
            year=YEAR,
            half_year_score=90,
            year_end_score=90,
            total=90,
            grade=grade,
        )
    refresh_all("433124")
    v = values(VILLAGE)
    assert v["team_members"] == 3
    assert v["checkin_days"] == 4
    assert v["checkin_rate"] == pytest.approx(4 / (3 * 10 * 20) * 100)
    assert (v["grade_excellent"], v["grade_competent"], v["grade_basic"], v["grade_unfit"]) == (1, 2, 0, 0)
    assert values(TOWNSHIP)["team_members"] == 3
    # 2024 is before the terms: nobody served, and the rate has no denominator.
    assert values(VILLAGE, 2024)["team_members"] == 0 and values(VILLAGE, 2024)["checkin_rate"] is None


def test_measures_visits_and_alerts_by_year(db: Any) -> None:
    from fupin.alerts.models import Alert
    from fupin.assistance.models import Measure, MeasureKind, Visit

    h = make_household(VILLAGE, members=2, status="poor")
    for day in (dt.date(2025, 2, 1), dt.date(2025, 6, 1), dt.date(2024, 6, 1)):
        Visit.objects.create(household=h, area_id=VILLAGE, day=day, visitor_name="龙干部", discussed="产业")
    Measure.objects.create(
        household=h,
        area_id=VILLAGE,
        day=dt.date(2025, 3, 1),
        kind=MeasureKind.INDUSTRY,
        amount=500,
        description="养殖补助",
    )
    alert = Alert.objects.create(
        household=h,
        area_code=VILLAGE,
        channel="cadre_check",
        rule="cadre_check",
        period="2025",
        summary="住院",
        visit_due=dt.date(2025, 1, 4),
        decision_due=dt.date(2025, 1, 16),
    )
    Alert.objects.filter(pk=alert.pk).update(raised_at=dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC))
    refresh_all("433124")
    assert (values(VILLAGE)["visits_count"], values(VILLAGE, 2024)["visits_count"]) == (2, 1)
    assert values(VILLAGE)["measures_count"] == 1 and values(VILLAGE, 2024)["measures_count"] == 0
    assert values(VILLAGE)["alerts_raised"] == 1 and values(TOWNSHIP)["alerts_raised"] == 1
    this_year = timezone.localdate()
    assert values(VILLAGE, this_year.year)["alerts_overdue"] == 1  # visit was due long ago
    assert values(NEIGHBOUR_VILLAGE, this_year.year)["alerts_overdue"] == 0


def test_monitored_households_by_category(db: Any) -> None:
    # The category is the one the inclusion recorded on the dated history.
    edge = make_household(VILLAGE, members=3)
    edge = registry.do_change_status(
        edge, "monitored", year=2025, reason="边缘", actor=SYSTEM, category="edge"
    )
    sudden = make_household(VILLAGE, members=2)
    sudden = registry.do_change_status(
        sudden, "monitored", year=2025, reason="突发", actor=SYSTEM, category="sudden"
    )
    # A third was monitored in 2024 and its risk eliminated in 2025.
    gone = make_household(VILLAGE, members=2)
    gone = registry.do_change_status(gone, "monitored", year=2024, reason="监测", actor=SYSTEM)
    registry.do_change_status(gone, "eliminated", year=2025, reason="风险消除", actor=SYSTEM)
    refresh_all("433124")
    v = values(VILLAGE)
    assert (v["monitored_edge"], v["monitored_sudden"], v["monitored_unstable"]) == (1, 1, 0)
    assert values(TOWNSHIP)["monitored_households"] == 2
    assert (v["eliminated_households"], values(VILLAGE, 2024)["eliminated_households"]) == (1, 0)
    assert values(VILLAGE, 2024)["monitored_households"] == 1
