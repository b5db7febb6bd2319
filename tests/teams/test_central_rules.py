"""Issue 14, item 14: the central work-team rules (size ≥ 3, term ≥ 2 years, 中办/国办 2017) are
enforced as errors unless the county explicitly deviates; recall for too few days in the village
(LOCAL); the cost shares and the income accounting period as local settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from fupin.areas.models import Area
from fupin.cases.area_settings import setting_for
from fupin.core.errors import FupinError
from fupin.core.personas import COUNTY, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.party.models import Unit
from fupin.registry.income_period import income_period
from fupin.teams.actions import do_check_in
from fupin.teams.errors import GradingError
from fupin.teams.grading import check_recall_triggers, months_below_minimum
from fupin.teams.models import CheckIn, RecallProposal, RecallTrigger, TeamMember, TeamRole, WorkTeam
from fupin.teams.roster import do_add_member, do_create_team, do_end_membership, team_deviations
from tests.conftest import make_household
from tests.teams.conftest import TERM_START, set_area_setting

START = dt.date(2025, 3, 1)
SHORT_END = dt.date(2026, 9, 1)  # 18 months
LONG_END = dt.date(2027, 3, 1)


def code_of(exc: pytest.ExceptionInfo[FupinError]) -> Any:
    return exc.value.code


# --- term ----------------------------------------------------------------------------------


def test_a_team_on_a_term_under_two_years_is_refused(personas: dict[str, Any], unit: Unit) -> None:
    village = Area.objects.get(code=OTHER_TOWNSHIP_VILLAGE)
    with pytest.raises(FupinError) as exc:
        do_create_team(personas["org_dept"], village, unit, START, SHORT_END)
    assert code_of(exc) == GradingError.TERM_TOO_SHORT
    with translation.override("zh-hans"):
        text = exc.value.message
    assert "2026-09-01" in text and "中央规定" in text
    assert not WorkTeam.objects.filter(area=village).exists()
    # Two years to the day is enough.
    assert do_create_team(personas["org_dept"], village, unit, START, dt.date(2027, 3, 1))


def test_a_member_on_a_short_term_is_refused(personas: dict[str, Any], team: WorkTeam, unit: Unit) -> None:
    with pytest.raises(FupinError) as exc:
        do_add_member(personas["org_dept"], team, "丙", unit, TeamRole.MEMBER, START, SHORT_END)
    assert code_of(exc) == GradingError.TERM_TOO_SHORT and exc.value.field == "term_ends_on"
    assert not team.members.filter(name="丙").exists()


def test_the_minimums_cannot_be_lowered_as_plain_settings(db: Any) -> None:
    for key, low in (("team_min_members", 2), ("team_min_term_years", 1)):
        with pytest.raises(FupinError):
            set_area_setting(COUNTY, key, low)
        assert setting_for(COUNTY, key) == low + 1
    set_area_setting(COUNTY, "team_min_members", 4)  # stricter is allowed
    assert setting_for(VILLAGE, "team_min_members") == 4


def test_only_a_county_may_deviate(db: Any) -> None:
    with pytest.raises(FupinError) as exc:
        set_area_setting(TOWNSHIP, "team_deviation_min_members", 2)
    assert code_of(exc) == GradingError.DEVIATION_COUNTY_ONLY
    with pytest.raises(FupinError):
        set_area_setting(COUNTY, "team_deviation_min_members", 3)  # that is no deviation


def test_a_county_deviation_allows_a_short_term_and_is_shown(
    personas: dict[str, Any], unit: Unit, client_for: Any
) -> None:
    set_area_setting(COUNTY, "team_deviation_min_term_years", 1)
    village = Area.objects.get(code=OTHER_TOWNSHIP_VILLAGE)
    team = do_create_team(personas["org_dept"], village, unit, START, SHORT_END)
    do_add_member(personas["org_dept"], team, "丙", unit, TeamRole.MEMBER, START, SHORT_END)
    with translation.override("zh-hans"):
        notes = team_deviations(team)
    assert len(notes) == 1 and notes[0].startswith("本县设置偏离中央规定：")
    page = client_for("org_dept").get(f"/teams/{team.pk}/")
    assert page.status_code == 200 and "本县设置偏离中央规定：" in page.content.decode()
    # Under a year is still refused.
    with pytest.raises(FupinError):
        do_add_member(personas["org_dept"], team, "丁", unit, TeamRole.MEMBER, START, dt.date(2026, 1, 1))


# --- size ----------------------------------------------------------------------------------


def test_a_member_cannot_leave_a_team_of_three(personas: dict[str, Any], team: WorkTeam) -> None:
    member = team.members.get(name="麻队员")
    with pytest.raises(FupinError) as exc:
        do_end_membership(personas["org_dept"], member, dt.date(2026, 1, 1))
    assert code_of(exc) == GradingError.TEAM_TOO_SMALL
    member.refresh_from_db()
    assert member.left_on is None
    # With the replacement added first, the member may leave.
    do_add_member(personas["org_dept"], team, "石队员", member.unit, TeamRole.MEMBER, TERM_START, LONG_END)
    do_end_membership(personas["org_dept"], member, dt.date(2026, 1, 1))
    assert team.members.filter(left_on__isnull=True).count() == 3


def test_a_county_deviation_allows_a_team_of_two(
    personas: dict[str, Any], team: WorkTeam, client_for: Any
) -> None:
    set_area_setting(COUNTY, "team_deviation_min_members", 2)
    do_end_membership(personas["org_dept"], team.members.get(name="麻队员"), dt.date(2026, 1, 1))
    with pytest.raises(FupinError):
        do_end_membership(personas["org_dept"], team.members.get(name="吴队员"), dt.date(2026, 1, 1))
    page = client_for("org_dept").get(f"/teams/{team.pk}/").content.decode()
    assert "本县设置偏离中央规定：" in page and "2" in page


# --- recall for days in the village --------------------------------------------------------


def check_ins(member: TeamMember, days: list[dt.date]) -> None:
    CheckIn.objects.bulk_create(
        CheckIn(member=member, area_id=member.area_id, day=d, at=at(d))
        for d in days
    )


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.UTC)


def month_days(year: int, month: int, n: int) -> list[dt.date]:
    return [dt.date(year, month, d) for d in range(1, n + 1)]


def test_a_finished_month_below_the_minimum_proposes_recall(secretary: TeamMember) -> None:
    check_ins(secretary, month_days(2025, 4, 22) + month_days(2025, 5, 15))
    today = dt.date(2025, 6, 10)  # June is running: not judged, though it has none yet
    assert months_below_minimum(secretary, 2025, today) == [5]
    proposals = check_recall_triggers(secretary, 2025, today=today)
    assert [p.trigger for p in proposals] == [RecallTrigger.ATTENDANCE]
    assert proposals[0].evidence == {"months": [5], "limit": 1, "days_per_month": 20}


def test_the_running_month_and_months_before_the_first_check_in_are_not_judged(
    secretary: TeamMember,
) -> None:
    check_ins(secretary, month_days(2025, 5, 21) + month_days(2025, 6, 3))
    assert check_recall_triggers(secretary, 2025, today=dt.date(2025, 6, 10)) == []


def test_the_number_of_months_is_a_setting(secretary: TeamMember) -> None:
    set_area_setting(COUNTY, "attendance_recall_months", 2)
    check_ins(secretary, month_days(2025, 4, 10) + month_days(2025, 5, 22) + month_days(2025, 6, 10))
    assert check_recall_triggers(secretary, 2025, today=dt.date(2025, 6, 20)) == []
    assert [p.trigger for p in check_recall_triggers(secretary, 2025, today=dt.date(2025, 7, 2))] == [
        RecallTrigger.ATTENDANCE
    ]


def test_leave_lowers_what_a_month_requires(secretary: TeamMember) -> None:
    from tests.teams.conftest import approved_leave

    approved_leave(secretary, dt.date(2025, 5, 20), dt.date(2025, 5, 29))
    check_ins(secretary, month_days(2025, 5, 12))  # 20 required less 10 days of leave
    assert months_below_minimum(secretary, 2025, dt.date(2025, 6, 1)) == []


def test_the_first_check_in_of_a_month_judges_the_month_before(
    personas: dict[str, Any], secretary: TeamMember
) -> None:
    check_ins(secretary, month_days(2025, 5, 5))
    do_check_in(personas["first_secretary"], now=dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC))
    proposal = RecallProposal.objects.get()
    assert proposal.trigger == RecallTrigger.ATTENDANCE and proposal.evidence["months"] == [5]
    # The second check-in of June proposes nothing more.
    do_check_in(personas["first_secretary"], now=dt.datetime(2025, 6, 3, 9, tzinfo=dt.UTC))
    assert RecallProposal.objects.count() == 1


# --- cost shares and the income period -----------------------------------------------------


def test_cost_shares_and_income_period_are_local_settings(db: Any) -> None:
    assert [setting_for(VILLAGE, f"cost_share_{k}") for k in ("grain", "tobacco", "livestock", "fruit")] == [
        "2/5",
        "9/20",
        "2/5",
        "3/20",
    ]
    assert income_period(VILLAGE, 2025) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    set_area_setting(COUNTY, "income_period_start_month", 10)
    assert income_period(VILLAGE, 2025) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30))


def test_the_settings_page_and_the_income_form_show_them(personas: dict[str, Any], client_for: Any) -> None:
    admin = client_for("county_admin")
    page = admin.get("/settings/cases/?area=433124000000").content.decode()
    assert "cost_share_tobacco" in page and "income_period_start_month" in page
    set_area_setting(COUNTY, "income_period_start_month", 10)
    household = make_household(VILLAGE)
    form = client_for("village_clerk").get(f"/households/{household.pk}/income/").content.decode()
    assert "data-income-period" in form and "上年10月1日至当年9月30日" in form
