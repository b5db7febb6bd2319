"""Monthly attendance: check-ins are days in the village; approved leave in the month lowers the
days required (never below 0); the required days are a local setting."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fupin.areas.models import Area
from fupin.core.personas import COUNTY, TOWNSHIP, VILLAGE
from fupin.teams.grading import attendance
from fupin.teams.models import CheckIn, LeaveRequest, LeaveStatus, TeamMember, WorkTeam
from tests.teams.conftest import approved_leave, set_area_setting

AFTER = dt.date(2026, 1, 15)  # "today" for months that are over


def check_in(member: TeamMember, *days: dt.date) -> None:
    for day in days:
        CheckIn.objects.create(
            member=member,
            area_id=member.area_id,
            day=day,
            at=timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30))),
        )


def june(n: int) -> list[dt.date]:
    return [dt.date(2025, 6, d) for d in range(1, n + 1)]


def test_days_in_the_village_against_the_required_days(secretary: TeamMember) -> None:
    check_in(secretary, *june(12))
    check_in(secretary, dt.date(2025, 7, 1))  # another month
    [row] = attendance(secretary, 2025, 6, today=AFTER)
    assert (row.present, row.leave, row.required, row.shortfall) == (12, 0, 20, 8)
    assert row.month_over and row.unreachable


def test_approved_leave_lowers_the_requirement(secretary: TeamMember) -> None:
    check_in(secretary, *june(12))
    approved_leave(secretary, dt.date(2025, 6, 10), dt.date(2025, 6, 14))  # 5 days
    # Pending, refused and cancelled leave count for nothing.
    for status in (LeaveStatus.PENDING, LeaveStatus.REFUSED, LeaveStatus.CANCELLED):
        LeaveRequest.objects.create(
            member=secretary,
            area_id=secretary.area_id,
            first_day=dt.date(2025, 6, 20),
            last_day=dt.date(2025, 6, 22),
            days=3,
            reason="x",
            approver_level=4,
            status=status,
        )
    [row] = attendance(secretary, 2025, 6, today=AFTER)
    assert (row.leave, row.required, row.shortfall) == (5, 15, 3)


def test_leave_across_the_month_counts_only_its_days_inside(secretary: TeamMember) -> None:
    approved_leave(secretary, dt.date(2025, 5, 28), dt.date(2025, 6, 3))  # 4 in May, 3 in June
    [may] = attendance(secretary, 2025, 5, today=AFTER)
    [jun] = attendance(secretary, 2025, 6, today=AFTER)
    assert (may.leave, jun.leave) == (4, 3)
    assert (may.required, jun.required) == (16, 17)


def test_required_days_never_go_below_zero(secretary: TeamMember) -> None:
    approved_leave(secretary, dt.date(2025, 6, 1), dt.date(2025, 6, 25))
    [row] = attendance(secretary, 2025, 6, today=AFTER)
    assert (row.leave, row.required, row.shortfall) == (25, 0, 0)


def test_the_required_days_are_a_local_setting(secretary: TeamMember) -> None:
    check_in(secretary, *june(18))
    set_area_setting(COUNTY, "village_days_per_month", 18)
    [row] = attendance(secretary, 2025, 6, today=AFTER)
    assert (row.required, row.shortfall) == (18, 0)
    set_area_setting(VILLAGE, "village_days_per_month", 22)
    [row] = attendance(secretary, 2025, 6, today=AFTER)
    assert (row.required, row.shortfall) == (22, 4)


def test_a_team_and_an_area_list_their_members(team: WorkTeam, neighbour_team: WorkTeam) -> None:
    rows = attendance(team, 2025, 6, today=AFTER)
    assert {r.member.name for r in rows} == {"龙书记", "吴队员", "麻队员"}
    township = Area.objects.get(code=TOWNSHIP)
    assert len(attendance(township, 2025, 6, today=AFTER)) == 6
    assert attendance(Area.objects.get(code="433122000000"), 2025, 6, today=AFTER) == []
    # Before the teams started, nobody is listed.
    assert attendance(team, 2025, 2, today=AFTER) == []


def test_a_member_on_the_team_part_of_the_month_owes_a_share(team: WorkTeam) -> None:
    member = team.members.get(name="吴队员")
    member.left_on = dt.date(2025, 6, 15)  # 15 of 30 days
    member.save()
    [row] = [r for r in attendance(team, 2025, 6, today=AFTER) if r.member == member]
    assert row.required == 10
    assert all(r.member != member for r in attendance(team, 2025, 7, today=AFTER))


def test_the_current_month_is_short_only_when_it_can_no_longer_be_made_up(secretary: TeamMember) -> None:
    check_in(secretary, *june(5))
    [row] = attendance(secretary, 2025, 6, today=dt.date(2025, 6, 10))  # 21 days left
    assert row.shortfall == 15 and not row.month_over and not row.unreachable
    [row] = attendance(secretary, 2025, 6, today=dt.date(2025, 6, 20))  # 11 days left
    assert row.unreachable
