"""亮进度、赛成绩: two-month periods; owners ranked from the progress history as of a period's
end (a later report changes nothing), with ties, overdue tasks and who is behind; and villages
ranked on hand-made households, pairings, visits, cases and alerts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts.models import Alert
from fupin.areas.models import Area, Level
from fupin.cases import actions as cases
from fupin.cases.area_settings import do_set_area_setting, setting_for
from fupin.cases.models import Case
from fupin.core.access import SYSTEM
from fupin.core.personas import NEIGHBOUR_VILLAGE, VILLAGE
from fupin.duty import actions
from fupin.duty.models import Task
from fupin.duty.ranking import (
    OwnerRow,
    Period,
    clean_period,
    period_of,
    task_ranking,
    village_ranking,
    visit_minimums,
    year_elapsed,
)
from fupin.pairing.models import Pairing, PairingKind
from fupin.party.models import Unit
from fupin.registry.models import Household
from tests.alerts.helpers import screened
from tests.conftest import make_household
from tests.duty.conftest import make_task

LIST_DRAWN = dt.date(2026, 1, 5)
LATER = dt.date(2026, 12, 31)  # "today" for rankings of 2026's periods, all of them over


def report(task: Task, progress: int, day: str, note: str = "") -> None:
    actions.do_report_progress(SYSTEM, task, progress, note, day=day)


def rows(table: list[OwnerRow]) -> list[tuple[Any, ...]]:
    return [(r.name, r.rank, r.tasks, r.mean_shown, r.done, r.overdue, r.behind) for r in table]


# --- periods -----------------------------------------------------------------------------


def test_six_two_month_periods_a_year() -> None:
    assert (Period(2026, 1).start, Period(2026, 1).end) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert Period(2024, 1).end == dt.date(2024, 2, 29)
    assert (Period(2026, 3).start, Period(2026, 3).end) == (dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    assert Period(2026, 6).end == dt.date(2026, 12, 31)
    assert period_of(dt.date(2026, 11, 23)) == Period(2026, 6)
    assert period_of(dt.date(2026, 2, 28)) == Period(2026, 1)
    assert period_of(dt.date(2026, 3, 1)) == Period(2026, 2)
    assert Period(2026, 6).as_of(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert Period(2026, 2).as_of(dt.date(2026, 11, 23)) == dt.date(2026, 4, 30)
    today = dt.date(2026, 7, 2)
    assert clean_period("2026", "2", today) == Period(2026, 2)
    for year, number in [
        ("2026", "7"),
        ("2026", "0"),
        ("x", "1"),
        ("2026", "5"),
        ("2027", "1"),
        (None, None),
    ]:
        assert clean_period(year, number, today) == Period(2026, 4), (year, number)


def test_time_elapsed_is_the_share_of_the_years_days_gone_by_the_day(county: Area, township: Area) -> None:
    # 5 December: 339 of 365 days, not "100 %" because December has begun.
    assert year_elapsed(2026, dt.date(2026, 12, 5)) == Fraction(339, 365)
    assert year_elapsed(2026, dt.date(2026, 12, 31)) == 1
    assert year_elapsed(2026, dt.date(2026, 1, 1)) == Fraction(1, 365)
    assert year_elapsed(2024, dt.date(2024, 12, 30)) == Fraction(365, 366)  # a leap year
    assert (year_elapsed(2025, dt.date(2026, 1, 2)), year_elapsed(2027, dt.date(2026, 1, 2))) == (1, 0)
    task = make_task(county, township, due_on=dt.date(2026, 12, 31), created_on=LIST_DRAWN)
    report(task, 95, "2026-12-01")
    ranking = task_ranking(county, Period(2026, 6), today=dt.date(2026, 12, 5))
    assert (ranking.as_of, ranking.time_share) == (dt.date(2026, 12, 5), Decimal("92.9"))
    # 95 % done is ahead of 92.9 % of the year; judged against "100 %" it read as behind.
    assert [(r.name, r.behind) for r in ranking.townships] == [(township.name, False)]
    # At the period's end the whole year is gone.
    assert task_ranking(county, Period(2026, 6), today=LATER).time_share == Decimal("100.0")


# --- owners ------------------------------------------------------------------------------


def test_a_past_periods_ranking_comes_from_the_history_and_ignores_later_reports(
    county: Area, township: Area, other_township: Area
) -> None:
    mine = make_task(county, township, due_on=dt.date(2026, 10, 31), created_on=LIST_DRAWN)
    theirs = make_task(county, other_township, due_on=dt.date(2026, 10, 31), created_on=LIST_DRAWN)
    report(mine, 30, "2026-02-10")
    report(theirs, 20, "2026-02-28")  # on the period's last day: counts
    report(mine, 90, "2026-03-01")  # after period 1
    report(theirs, 95, "2026-04-30")
    first = task_ranking(county, Period(2026, 1), today=LATER)
    assert first.as_of == dt.date(2026, 2, 28)
    assert [(r.name, r.rank, r.mean_shown) for r in first.townships] == [
        (township.name, 1, Decimal("30.0")),
        (other_township.name, 2, Decimal("20.0")),
    ]
    second = task_ranking(county, Period(2026, 2), today=LATER)
    assert [(r.name, r.rank, r.mean_shown) for r in second.townships] == [
        (other_township.name, 1, Decimal("95.0")),
        (township.name, 2, Decimal("90.0")),
    ]
    # Taken again later, the first period has not moved.
    report(mine, 100, "2026-05-02")
    assert rows(task_ranking(county, Period(2026, 1), today=LATER).townships) == rows(first.townships)
    # Tasks added after a period are not on its list.
    make_task(county, township, title="后加任务", created_on=dt.date(2026, 3, 15))
    assert rows(task_ranking(county, Period(2026, 1), today=LATER).townships) == rows(first.townships)
    counted = {r.name: r.tasks for r in task_ranking(county, Period(2026, 2), today=LATER).townships}
    assert counted == {township.name: 2, other_township.name: 1}


def test_mean_done_overdue_ties_and_who_is_behind(
    county: Area, township: Area, other_township: Area, bureau: Unit, township_unit: Unit
) -> None:
    third = Area.objects.filter(level=Level.TOWNSHIP, code__startswith="433124").exclude(
        code__in=[township.code, other_township.code]
    )[0]
    # period 3 ends 2026-06-30; the time share is 181 of 365 days
    a1 = make_task(county, township, due_on=dt.date(2026, 6, 30), created_on=LIST_DRAWN)
    a2 = make_task(county, township, due_on=dt.date(2026, 12, 31), created_on=LIST_DRAWN)
    b1 = make_task(county, other_township, due_on=dt.date(2026, 3, 31), created_on=LIST_DRAWN)
    b2 = make_task(county, other_township, due_on=dt.date(2026, 12, 31), created_on=LIST_DRAWN)
    c1 = make_task(county, third, due_on=dt.date(2026, 12, 31), created_on=LIST_DRAWN)
    report(a1, 100, "2026-06-01")  # done on time
    report(a2, 40, "2026-06-01")  # mean 70, nothing overdue
    report(b1, 100, "2026-03-20")
    report(b2, 40, "2026-06-30")  # mean 70 too, nothing overdue: ties with the first
    report(c1, 70, "2026-05-01")  # mean 70 as well
    # a task due on the period's last day and not finished is overdue
    c2 = make_task(county, third, due_on=dt.date(2026, 6, 30), created_on=LIST_DRAWN)
    report(c2, 70, "2026-06-15")
    ranking = task_ranking(county, Period(2026, 3), today=LATER)
    assert ranking.time_share == Decimal("49.6")
    names = sorted([township.name, other_township.name])
    assert rows(ranking.townships) == [
        (names[0], 1, 2, Decimal("70.0"), 1, 0, False),
        (names[1], 1, 2, Decimal("70.0"), 1, 0, False),
        (third.name, 3, 2, Decimal("70.0"), 0, 1, True),  # same mean, one overdue: ranked lower
    ]
    # Units are ranked on their own; one below the time share is behind, though nothing is late.
    u1 = make_task(county, bureau, due_on=dt.date(2026, 11, 30), created_on=LIST_DRAWN)
    report(u1, 45, "2026-06-01")
    make_task(township, township_unit, due_on=dt.date(2026, 11, 30), created_on=LIST_DRAWN)  # another list
    units = task_ranking(county, Period(2026, 3), today=LATER).units
    assert rows(units) == [(bureau.name, 1, 1, Decimal("45.0"), 0, 0, True)]
    # By April's end nothing due had been left unfinished: b1, due in March, was done on the 20th.
    early = task_ranking(county, Period(2026, 2), today=LATER)
    assert [r.overdue for r in early.townships] == [0, 0, 0]
    # The township's own list ranks its own owners only.
    own = task_ranking(township, Period(2026, 3), today=LATER)
    assert (own.townships, [r.name for r in own.units]) == ([], [township_unit.name])


def test_a_mean_is_compared_exactly_not_rounded(county: Area, township: Area, other_township: Area) -> None:
    # 33.33… (100, 0, 0) and 33.3 (nine at 37, one at 0) both show as 33.3 but are no tie.
    for progress in (100, 0, 0):
        report(make_task(county, township, created_on=LIST_DRAWN), progress, "2026-01-10")
    for progress in (37,) * 9 + (0,):
        report(make_task(county, other_township, created_on=LIST_DRAWN), progress, "2026-01-10")
    ranking = task_ranking(county, Period(2026, 1), today=LATER)
    assert [(r.name, r.rank, r.mean_shown) for r in ranking.townships] == [
        (township.name, 1, Decimal("33.3")),
        (other_township.name, 2, Decimal("33.3")),
    ]
    assert ranking.townships[0].mean == Fraction(100, 3)


# --- villages ----------------------------------------------------------------------------


def pair(
    household: Household, started: str, ended: str | None = None, kind: str = PairingKind.CADRE_HOUSEHOLD
) -> None:
    Pairing.objects.create(
        kind=kind,
        area=household.area,
        household=household,
        helper_name="帮扶干部",
        started_on=dt.date.fromisoformat(started),
        ended_on=dt.date.fromisoformat(ended) if ended else None,
    )


def visit(household: Household, *days: str) -> None:
    from fupin.assistance.models import Visit

    for day in days:
        Visit.objects.create(
            household=household,
            area=household.area,
            day=dt.date.fromisoformat(day),
            visitor_name="帮扶干部",
            discussed="产业发展",
        )


@pytest.fixture
def villages(personas: dict[str, User], township: Area) -> dict[str, Any]:
    """十八洞村: four counted households, each behind in its own way; 丙池村: two, on track, with a
    visit minimum of its own."""
    ok = make_household(VILLAGE, status="poor", head_name="达标户")
    pair(ok, "2025-03-01")
    visit(ok, "2026-02-01", "2026-05-20")  # 2 visits by June: the pro-rata 4 × 6/12
    short = make_household(VILLAGE, status="monitored", head_name="少访户")
    pair(short, "2026-01-10")
    visit(short, "2025-10-01", "2025-11-01", "2026-03-01", "2026-07-05")  # 1 this year by June
    unpaired = make_household(VILLAGE, status="poor", head_name="脱钩户")
    pair(unpaired, "2025-01-01", ended="2026-04-30")  # ended before the day
    pair(unpaired, "2026-07-01")  # begun after it
    pair(unpaired, "2025-01-01", kind=PairingKind.MEMBER_HOUSEHOLD)  # a party member is not a cadre
    visit(unpaired, "2026-01-15", "2026-06-30")
    late = make_household(VILLAGE, status="poor", head_name="病户")
    pair(late, "2026-06-30")  # begun on the day: counts
    make_household(VILLAGE, head_name="一般户")  # ordinary: not counted
    make_household(VILLAGE, status="exited", head_name="脱贫户")
    do_set_area_setting(Area.objects.get(code=NEIGHBOUR_VILLAGE), "visits_per_year", "2", actor=SYSTEM)
    n1 = make_household(NEIGHBOUR_VILLAGE, status="poor", head_name="丙池一")
    n2 = make_household(NEIGHBOUR_VILLAGE, status="monitored", head_name="丙池二")
    for h in (n1, n2):
        pair(h, "2025-06-01")
        visit(h, "2026-04-01")
    # an open exit case in 十八洞村, opened in March
    case = cases.do_open_exit(ok, reason="收入稳定超过标准", actor=SYSTEM, year=2026)
    Case.objects.filter(pk=case.pk).update(opened_at=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))
    # and one that was rejected: no longer open
    closed = cases.do_open_exit(late, reason="申请退出", actor=SYSTEM, year=2026)
    Case.objects.filter(pk=closed.pk).update(
        opened_at=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC),
        status="rejected",
        rejection_reason="收入未达标",
        closed_at=timezone.now(),
    )
    # an alert in 丙池村 whose home visit was due in June and never made
    alert = screened(n1)
    Alert.objects.filter(pk=alert.pk).update(
        visit_due=dt.date(2026, 6, 10), decision_due=dt.date(2026, 6, 25)
    )
    return {"ok": ok, "late": late, "alert": alert}


def test_villages_are_ranked_on_coverage_visits_cases_and_alerts(
    villages: dict[str, Any], township: Area
) -> None:
    ranking = village_ranking(township, Period(2026, 3), today=LATER)
    assert (ranking.as_of, ranking.time_share) == (dt.date(2026, 6, 30), Decimal("49.6"))
    by_code = {r.code: r for r in ranking.rows}
    home, neighbour = by_code[VILLAGE], by_code[NEIGHBOUR_VILLAGE]
    # 181 of 365 days gone: 4 × 181 ÷ 365 = 1.98 asks 1 visit (the second is due from 2 July).
    assert (home.households, home.covered, home.visited, home.minimum, home.expected) == (4, 3, 3, 4, 1)
    # covered: 达标户, 少访户, 病户; visited at least once this year by June: all but 病户
    assert (home.covered_shown, home.visited_shown, home.score_shown) == (
        Decimal("75.0"),
        Decimal("75.0"),
        Decimal("75.0"),
    )
    assert (home.open_cases, home.overdue_alerts, home.behind) == (1, 0, True)
    assert (neighbour.households, neighbour.covered, neighbour.visited, neighbour.expected) == (2, 2, 2, 0)
    assert (neighbour.score_shown, neighbour.overdue_alerts, neighbour.behind) == (Decimal("100.0"), 1, True)
    # scored villages first, by score; the township's villages with nobody counted after, unranked
    assert [r.code for r in ranking.rows[:2]] == [NEIGHBOUR_VILLAGE, VILLAGE]
    assert [r.rank for r in ranking.rows[:2]] == [1, 2]
    rest = ranking.rows[2:]
    assert rest and all(r.rank is None and r.score is None and not r.behind for r in rest)
    assert {r.code[:9] for r in ranking.rows} == {township.code[:9]}
    # Before the alert's visit was due and the case was opened, in period 1: two counted in each.
    early = {r.code: r for r in village_ranking(township, Period(2026, 1), today=LATER).rows}
    assert (early[NEIGHBOUR_VILLAGE].overdue_alerts, early[VILLAGE].open_cases) == (0, 0)
    # 脱钩户 was still paired in February, 病户 not yet; no visit is due yet on 28 February
    # (4 × 59 ÷ 365 = 0.6, rounded down), so every counted household is on track.
    assert (early[VILLAGE].covered, early[VILLAGE].expected, early[VILLAGE].visited) == (3, 0, 4)
    assert (early[NEIGHBOUR_VILLAGE].expected, early[NEIGHBOUR_VILLAGE].visited) == (0, 2)
    # By 30 April (120 days) the first is due: made this year by 达标户, 少访户 and 脱钩户.
    spring = {r.code: r for r in village_ranking(township, Period(2026, 2), today=LATER).rows}
    assert (spring[VILLAGE].expected, spring[VILLAGE].visited) == (1, 3)


def test_equal_villages_share_a_rank_and_fewer_overdue_alerts_break_a_tie(
    personas: dict[str, User], township: Area
) -> None:
    homes = [make_household(code, status="poor") for code in (VILLAGE, NEIGHBOUR_VILLAGE)]
    for h in homes:
        pair(h, "2025-01-01")
    ranking = village_ranking(township, Period(2026, 2), today=LATER)
    top = ranking.rows[:2]
    assert [(r.rank, r.score_shown) for r in top] == [(1, Decimal("50.0")), (1, Decimal("50.0"))]
    assert [r.name for r in top] == sorted(r.name for r in top)
    # 丙池村 comes first by name; an overdue alert there puts it second
    assert [r.code for r in top] == [NEIGHBOUR_VILLAGE, VILLAGE]
    alert = screened(homes[1])
    Alert.objects.filter(pk=alert.pk).update(visit_due=dt.date(2026, 1, 5), decision_due=dt.date(2026, 1, 20))
    top = village_ranking(township, Period(2026, 2), today=LATER).rows[:2]
    assert [(r.code, r.rank, r.overdue_alerts) for r in top] == [(VILLAGE, 1, 0), (NEIGHBOUR_VILLAGE, 2, 1)]


def test_villages_equal_on_score_and_alerts_are_told_apart_by_visits_per_household(
    personas: dict[str, User], township: Area
) -> None:
    """Both villages at 100 % with no overdue alert used to share rank 1 (21 of them in the demo):
    the one that visited its households more often ranks first; equal on that too, they stay
    tied and are marked so."""
    home = [make_household(VILLAGE, status="poor") for _ in range(2)]
    neighbour = [make_household(NEIGHBOUR_VILLAGE, status="poor") for _ in range(2)]
    for h in [*home, *neighbour]:
        pair(h, "2025-01-01")
        visit(h, "2026-01-20")  # the one visit asked by 30 April (4 × 120 ÷ 365 = 1.3, rounded down)
    visit(home[0], "2026-02-10", "2026-02-20")  # 4 visits to 2 households: 2.0 each
    visit(neighbour[0], "2026-02-10")  # 3 visits to 2 households: 1.5 each
    top = village_ranking(township, Period(2026, 2), today=LATER).rows[:2]
    assert [(r.code, r.rank, r.score_shown, r.overdue_alerts, r.tied) for r in top] == [
        (VILLAGE, 1, Decimal("100.0"), 0, False),
        (NEIGHBOUR_VILLAGE, 2, Decimal("100.0"), 0, False),
    ]
    shown = [(r.visits, r.visits_per_household_shown) for r in top]
    assert shown == [(4, Decimal("2.0")), (3, Decimal("1.5"))]
    visit(neighbour[1], "2026-02-11")  # now 2.0 visits a household each
    # Equal on visits too: the village with more counted households carries the heavier load.
    third = make_household(NEIGHBOUR_VILLAGE, status="monitored")
    pair(third, "2025-01-01")
    visit(third, "2026-01-05", "2026-01-25")
    top = village_ranking(township, Period(2026, 2), today=LATER).rows[:2]
    assert [(r.code, r.rank, r.households, r.tied) for r in top] == [
        (NEIGHBOUR_VILLAGE, 1, 3, False),
        (VILLAGE, 2, 2, False),
    ]
    extra = make_household(VILLAGE, status="poor")
    pair(extra, "2025-01-01")
    visit(extra, "2026-01-06", "2026-01-26")  # equal on all four: a true tie, marked
    top = village_ranking(township, Period(2026, 2), today=LATER).rows[:2]
    assert [(r.rank, r.tied, r.households, r.visits) for r in top] == [(1, True, 3, 6), (1, True, 3, 6)]
    assert [r.name for r in top] == sorted(r.name for r in top)
    # The rest of the township, with nobody counted, is unranked and not tied.
    rest = village_ranking(township, Period(2026, 2), today=LATER).rows[2:]
    assert rest and not any(r.tied for r in rest)


def test_the_visits_asked_follow_the_share_of_the_year_gone_not_the_months_begun(
    personas: dict[str, User], township: Area
) -> None:
    """On 5 December 339 of 365 days are gone: 4 a year ask 3 visits (3.7 rounded down), not the
    whole year's 4 because December has begun; on 31 December all 4; on 1 July 1 (1.99), not 3."""
    h = make_household(VILLAGE, status="poor")
    pair(h, "2025-01-01")
    visit(h, "2026-02-10", "2026-05-10", "2026-08-10")

    def row(period: Period, today: dt.date) -> Any:
        ranking = village_ranking(township, period, today=today)
        return ranking, next(r for r in ranking.rows if r.code == VILLAGE)

    ranking, december = row(Period(2026, 6), dt.date(2026, 12, 5))
    assert (ranking.time_share, december.expected, december.visited, december.behind) == (
        Decimal("92.9"),
        3,
        1,
        False,
    )
    _, year_end = row(Period(2026, 6), LATER)
    assert (year_end.expected, year_end.visited, year_end.behind) == (4, 0, True)
    _, july = row(Period(2026, 4), dt.date(2026, 7, 1))
    assert (july.expected, july.visited) == (1, 1)


def test_the_visit_minimum_is_the_one_setting_for_reads(personas: dict[str, User], township: Area) -> None:
    do_set_area_setting(township, "visits_per_year", "6", actor=SYSTEM)
    do_set_area_setting(Area.objects.get(code=VILLAGE), "visits_per_year", "12", actor=SYSTEM)
    villages = list(Area.objects.filter(parent=township))
    minimums = visit_minimums(township, villages)
    assert minimums == {v.code: setting_for(v.code, "visits_per_year") for v in villages}
    assert minimums[VILLAGE] == 12 and minimums[NEIGHBOUR_VILLAGE] == 6
    county = township.parent
    assert visit_minimums(county, villages)[NEIGHBOUR_VILLAGE] == 6


def test_a_county_ranks_every_village_in_its_townships(villages: dict[str, Any], county: Area) -> None:
    ranking = village_ranking(county, Period(2026, 3), today=LATER)
    assert [r.code for r in ranking.rows[:2]] == [NEIGHBOUR_VILLAGE, VILLAGE]
    assert len({r.code[:9] for r in ranking.rows}) > 1
    assert all(r.code.startswith(county.prefix) for r in ranking.rows)


def test_the_village_ranking_reads_by_aggregates_not_household_by_household(
    villages: dict[str, Any], township: Area
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        village_ranking(township, Period(2026, 3), today=LATER)
    for i in range(6):
        h = make_household(VILLAGE if i % 2 else NEIGHBOUR_VILLAGE, status="poor")
        pair(h, "2025-01-01")
        visit(h, "2026-03-01", "2026-04-01")
    with CaptureQueriesContext(connection) as many:
        ranking = village_ranking(township, Period(2026, 3), today=LATER)
    assert len(many) == len(few) <= 6
    assert sum(r.households for r in ranking.rows) == 6 + 6
