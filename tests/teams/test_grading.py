"""Spot checks and the yearly assessment: who may record them, the weighted total, the 优秀 cap
per county and the caps unexcused absences put on a grade."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, OTHER_COUNTY, TOWNSHIP
from fupin.party.models import Unit
from fupin.teams.errors import GradingError
from fupin.teams.grading import (
    best_grade_allowed,
    do_grade,
    do_record_spot_check,
    excellent_cap,
    unexcused_absences,
    weighted_total,
)
from fupin.teams.models import Grade, RecallProposal, SpotCheck, TeamMember, WorkTeam, YearlyAssessment
from tests.teams.conftest import build_team, set_area_setting

YEAR = 2025


def members(team: WorkTeam) -> list[TeamMember]:
    return list(team.members.order_by("pk"))


def absent(actor: Any, member: TeamMember, *days: int, excused: bool = False) -> None:
    for day in days:
        do_record_spot_check(actor, member, dt.date(YEAR, 6, day), False, excused, "不在村")


# --- spot checks ---------------------------------------------------------------------------


def test_a_spot_check_is_recorded_once_a_day(personas: dict[str, Any], secretary: TeamMember) -> None:
    org = personas["org_dept"]
    check = do_record_spot_check(org, secretary, dt.date(YEAR, 6, 3), True, True, "在村")
    assert check.present and not check.excused  # "excused" means nothing for someone present
    assert check.checked_by == org and check.area_id == secretary.area_id
    assert AuditEntry.objects.filter(action="teams.spot_check", object_id=str(check.pk)).exists()
    with pytest.raises(FupinError) as exc:
        do_record_spot_check(org, secretary, "2025-06-03", False, False, "")
    assert exc.value.code == GradingError.SPOT_CHECK_EXISTS
    assert SpotCheck.objects.count() == 1


def test_a_spot_check_day_is_in_the_term_and_not_in_the_future(
    personas: dict[str, Any], secretary: TeamMember
) -> None:
    org = personas["org_dept"]
    for day, code in [
        (dt.date(2099, 1, 1), GradingError.DAY_IN_FUTURE),
        (secretary.term_starts_on - dt.timedelta(days=1), GradingError.DAY_OUT_OF_TERM),
        ("yesterday", GradingError.DATE_INVALID),
    ]:
        with pytest.raises(FupinError) as exc:
            do_record_spot_check(org, secretary, day, False, False, "")
        assert exc.value.code == code
    with pytest.raises(FupinError) as exc:
        do_record_spot_check(org, secretary, dt.date(YEAR, 6, 3), False, False, "长" * 301)
    assert exc.value.code == GradingError.TOO_LONG
    assert not SpotCheck.objects.exists()


def test_only_unexcused_absences_count(personas: dict[str, Any], secretary: TeamMember) -> None:
    org = personas["org_dept"]
    absent(org, secretary, 1, 2, excused=True)
    do_record_spot_check(org, secretary, dt.date(YEAR, 6, 3), True, False, "")
    absent(org, secretary, 4)
    do_record_spot_check(org, secretary, dt.date(2026, 1, 5), False, False, "")  # another year
    assert unexcused_absences(secretary, YEAR) == 1
    assert unexcused_absences(secretary, 2026) == 1


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("county_admin", PermissionDenied),
        ("township_officer", PermissionDenied),
        ("village_clerk", PermissionDenied),
        ("first_secretary", PermissionDenied),
        ("cadre", PermissionDenied),
        ("supervisor", PermissionDenied),
        ("outsider", NotFound),
        ("neighbour_clerk", NotFound),
    ],
)
def test_spot_checks_and_grades_are_the_organisation_departments(
    personas: dict[str, Any], secretary: TeamMember, persona: str, error: type[Exception]
) -> None:
    actor = personas[persona]
    with pytest.raises(error):
        do_record_spot_check(actor, secretary, dt.date(YEAR, 6, 3), False, False, "")
    with pytest.raises(error):
        do_grade(actor, secretary, YEAR, "90", "90", Grade.COMPETENT, "")
    assert not SpotCheck.objects.exists() and not YearlyAssessment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="teams.").exists()


def test_the_neighbour_clerk_cannot_reach_the_neighbours_team_either(
    personas: dict[str, Any], neighbour_team: WorkTeam
) -> None:
    member = members(neighbour_team)[0]
    with pytest.raises(PermissionDenied):  # inside the area, but a clerk does not grade
        do_grade(personas["neighbour_clerk"], member, YEAR, "90", "90", Grade.COMPETENT, "")


# --- weights -------------------------------------------------------------------------------


def test_the_default_weights_are_30_70(personas: dict[str, Any], secretary: TeamMember) -> None:
    row = do_grade(personas["org_dept"], secretary, YEAR, "80", "90", Grade.COMPETENT, "")
    assert row.total == Decimal("87.00")  # 80 × 0.3 + 90 × 0.7
    row = do_grade(personas["org_dept"], secretary, YEAR, "85.55", "91.33", Grade.COMPETENT, "")
    assert row.total == Decimal("89.60")  # 25.665 + 63.931 = 89.596
    assert YearlyAssessment.objects.count() == 1  # one per member per year: corrected in place
    assert weighted_total(secretary.area_id, Decimal("0.01"), Decimal("0.00")) == Decimal("0.00")  # 0.003
    assert weighted_total(secretary.area_id, Decimal("0.05"), Decimal("0.00")) == Decimal("0.02")  # 0.015


def test_a_changed_weight_applies(personas: dict[str, Any], secretary: TeamMember) -> None:
    set_area_setting(COUNTY, "half_year_weight_percent", 40)
    row = do_grade(personas["org_dept"], secretary, YEAR, "80", "90", Grade.COMPETENT, "")
    assert row.total == Decimal("86.00")  # 32 + 54
    set_area_setting(TOWNSHIP, "half_year_weight_percent", 0)
    row = do_grade(personas["org_dept"], secretary, YEAR, "80", "90", Grade.COMPETENT, "")
    assert row.total == Decimal("90.00")


def test_grading_is_audited_with_before_and_after(personas: dict[str, Any], secretary: TeamMember) -> None:
    org = personas["org_dept"]
    do_grade(org, secretary, YEAR, "80", "90", Grade.COMPETENT, "first")
    do_grade(org, secretary, YEAR, "70", "90", Grade.BASIC, "corrected")
    first, second = AuditEntry.objects.filter(action="teams.grade").order_by("pk")
    assert first.before is None and first.after["grade"] == "competent"
    assert second.before["grade"] == "competent" and second.after["grade"] == "basic"
    assert second.before["total"] == "87.00" and second.after["total"] == "84.00"


@pytest.mark.parametrize(
    ("half", "end", "code"),
    [
        ("101", "90", GradingError.SCORE_OUT_OF_RANGE),
        ("-1", "90", GradingError.SCORE_OUT_OF_RANGE),
        ("80", "abc", GradingError.SCORE_INVALID),
        ("80", "", GradingError.SCORE_INVALID),
        ("80.123", "90", GradingError.SCORE_INVALID),
        ("NaN", "90", GradingError.SCORE_INVALID),
    ],
)
def test_scores_are_between_0_and_100(
    personas: dict[str, Any], secretary: TeamMember, half: str, end: str, code: GradingError
) -> None:
    with pytest.raises(FupinError) as exc:
        do_grade(personas["org_dept"], secretary, YEAR, half, end, Grade.COMPETENT, "")
    assert exc.value.code == code
    assert not YearlyAssessment.objects.exists()


def test_grade_and_year_are_checked(personas: dict[str, Any], secretary: TeamMember) -> None:
    org = personas["org_dept"]
    with pytest.raises(FupinError) as exc:
        do_grade(org, secretary, YEAR, "80", "80", "superb", "")
    assert exc.value.code == GradingError.GRADE_UNKNOWN
    for year in (2024, 2099, "x"):  # before the term, not yet, nonsense
        with pytest.raises(FupinError) as exc:
            do_grade(org, secretary, year, "80", "80", Grade.COMPETENT, "")
        assert exc.value.code == GradingError.YEAR_OUT_OF_TERM
    assert not YearlyAssessment.objects.exists()


# --- the 优秀 cap --------------------------------------------------------------------------


def test_at_the_default_cap_a_small_county_has_no_excellent(personas: dict[str, Any], team: WorkTeam) -> None:
    # 3 members × 10% = 0.3, rounded down: none.
    with pytest.raises(FupinError) as exc:
        do_grade(personas["org_dept"], members(team)[0], YEAR, "95", "95", Grade.EXCELLENT, "")
    assert exc.value.code == GradingError.EXCELLENT_CAP
    assert exc.value.params["allowed"] == 0 and exc.value.params["n"] == 3 and exc.value.params["cap"] == 10
    assert not YearlyAssessment.objects.exists()


def test_the_excellent_cap_allows_the_share_and_refuses_the_next(
    personas: dict[str, Any], team: WorkTeam
) -> None:
    org = personas["org_dept"]
    set_area_setting(COUNTY, "excellent_cap_percent", 34)  # 3 × 34% = 1.02: one
    first, second, third = members(team)
    do_grade(org, first, YEAR, "95", "95", Grade.EXCELLENT, "")
    with pytest.raises(FupinError) as exc:
        do_grade(org, second, YEAR, "96", "96", Grade.EXCELLENT, "")
    assert exc.value.code == GradingError.EXCELLENT_CAP
    message = exc.value.message
    assert "34" in message and "1" in message and "3" in message
    assert exc.value.params == {"cap": 34, "year": YEAR, "allowed": 1, "n": 3, "taken": 1}
    assert not YearlyAssessment.objects.filter(member=second).exists()
    # Re-grading the one excellent member keeps their place; grading them down frees it.
    do_grade(org, first, YEAR, "94", "95", Grade.EXCELLENT, "corrected")
    do_grade(org, first, YEAR, "85", "85", Grade.COMPETENT, "")
    do_grade(org, second, YEAR, "96", "96", Grade.EXCELLENT, "")
    # Another year has its own share.
    do_grade(org, third, 2026, "96", "96", Grade.EXCELLENT, "")
    assert YearlyAssessment.objects.filter(grade=Grade.EXCELLENT).count() == 2


def test_the_cap_counts_the_whole_county_and_no_other(
    personas: dict[str, Any], team: WorkTeam, neighbour_team: WorkTeam, unit: Unit
) -> None:
    org = personas["org_dept"]
    set_area_setting(COUNTY, "excellent_cap_percent", 20)  # 6 × 20% = 1.2: one in the county
    cap = excellent_cap(COUNTY, YEAR)
    assert (cap.n, cap.allowed, cap.taken) == (6, 1, 0)
    do_grade(org, members(neighbour_team)[0], YEAR, "95", "95", Grade.EXCELLENT, "")
    with pytest.raises(FupinError) as exc:
        do_grade(org, members(team)[0], YEAR, "99", "99", Grade.EXCELLENT, "")
    assert exc.value.params["n"] == 6
    # A team in another county neither adds to this county's base nor takes its place.
    other = build_team("433122102201", unit)
    YearlyAssessment.objects.create(
        member=members(other)[0],
        area_id=other.area_id,
        year=YEAR,
        half_year_score=90,
        year_end_score=90,
        total=90,
        grade=Grade.EXCELLENT,
    )
    assert excellent_cap(COUNTY, YEAR).n == 6 and excellent_cap(COUNTY, YEAR).taken == 1
    assert OTHER_COUNTY[:6] == other.area_id[:6]


def test_the_cap_base_is_who_was_on_a_team_that_year(personas: dict[str, Any], team: WorkTeam) -> None:
    _first, second, third = members(team)
    TeamMember.objects.filter(pk=third.pk).update(
        left_on=dt.date(2024, 12, 31), term_starts_on=dt.date(2023, 1, 1)
    )
    TeamMember.objects.filter(pk=second.pk).update(left_on=dt.date(2025, 1, 1), recalled=True)
    assert excellent_cap(COUNTY, YEAR).n == 2  # left before 2025: not counted; left in it: counted
    assert excellent_cap(COUNTY, 2024).n == 1


# --- absences cap the grade ----------------------------------------------------------------


def test_absences_cap_the_grade(personas: dict[str, Any], team: WorkTeam) -> None:
    org = personas["org_dept"]
    set_area_setting(COUNTY, "excellent_cap_percent", 100)  # the share is not what is tested here
    member = members(team)[1]
    code = member.area_id
    assert best_grade_allowed(code, 0) == Grade.EXCELLENT
    absent(org, member, 1)
    with pytest.raises(FupinError) as exc:
        do_grade(org, member, YEAR, "95", "95", Grade.EXCELLENT, "")
    assert exc.value.code == GradingError.GRADE_CAPPED_BY_ABSENCES
    assert exc.value.params["absences"] == 1 and "1" in exc.value.message
    do_grade(org, member, YEAR, "90", "90", Grade.COMPETENT, "")
    absent(org, member, 2)
    with pytest.raises(FupinError) as exc:
        do_grade(org, member, YEAR, "90", "90", Grade.COMPETENT, "")
    assert exc.value.params["absences"] == 2
    do_grade(org, member, YEAR, "70", "70", Grade.BASIC, "")
    absent(org, member, 3)
    for grade in (Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC):
        with pytest.raises(FupinError) as exc:
            do_grade(org, member, YEAR, "70", "70", grade, "")
        assert exc.value.code == GradingError.GRADE_CAPPED_BY_ABSENCES
    assert YearlyAssessment.objects.get(member=member).grade == Grade.BASIC
    do_grade(org, member, YEAR, "50", "50", Grade.UNFIT, "")
    # Excused absences and absences in another year do not count.
    other = members(team)[2]
    absent(org, other, 1, 2, 3, excused=True)
    do_record_spot_check(org, other, dt.date(2026, 2, 2), False, False, "")
    do_grade(org, other, YEAR, "95", "95", Grade.EXCELLENT, "")


def test_the_absence_thresholds_are_settings(personas: dict[str, Any], team: WorkTeam) -> None:
    org = personas["org_dept"]
    member = members(team)[1]
    set_area_setting(COUNTY, "absences_no_excellent", 2)
    set_area_setting(COUNTY, "absences_basic", 3)
    set_area_setting(COUNTY, "absences_recall", 5)
    absent(org, member, 1, 2)
    assert best_grade_allowed(member.area_id, 2) == Grade.COMPETENT
    do_grade(org, member, YEAR, "90", "90", Grade.COMPETENT, "")
    absent(org, member, 3, 4)
    assert best_grade_allowed(member.area_id, 4) == Grade.BASIC
    assert not RecallProposal.objects.exists()  # 4 < 5


# --- two graders at once -------------------------------------------------------------------


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers; the cap itself is tested above",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.restores_seeded_rows
def test_two_graders_at_once_cannot_both_take_the_last_excellent_place(
    personas: dict[str, Any], team: WorkTeam
) -> None:
    set_area_setting(COUNTY, "excellent_cap_percent", 34)  # 3 members: one excellent
    first, second, _ = members(team)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def grade(member: TeamMember) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            do_grade(personas["org_dept"], member, YEAR, "95", "95", Grade.EXCELLENT, "")
            outcomes.append("ok")
        except FupinError as exc:
            outcomes.append(exc.code.name)
        finally:
            own.close()

    threads = [threading.Thread(target=grade, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["EXCELLENT_CAP", "ok"]
    assert YearlyAssessment.objects.filter(grade=Grade.EXCELLENT).count() == 1
