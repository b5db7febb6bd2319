"""一周一总结、一月一计划: a member writes their own, for the current period or an earlier one,
and may rewrite it until someone reviews it; reviewing needs the role and the area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.teams.actions import TeamConflict, do_review_report, do_write_report
from fupin.teams.errors import TeamError
from fupin.teams.models import TeamMember, WorkReport, WorkTeam
from fupin.teams.queries import access_report_by_id, review_queue

TODAY = dt.date(2025, 6, 18)  # a Wednesday
WEEK = "week"
MONTH = "month"
REVIEWERS = {"org_dept", "township_officer"}
OUTSIDE = {"outsider", "neighbour_clerk"}


def write(user: User, kind: str = WEEK, day: Any = TODAY, text: str = "走访农户 12 户") -> WorkReport:
    return do_write_report(user, kind, day, text, today=TODAY)


def report_of(team: WorkTeam, kind: str = WEEK, start: dt.date = dt.date(2025, 6, 16)) -> WorkReport:
    """A report by a member of ``team`` written with the ORM: set-up for reviewing."""
    member = team.members.first()
    assert member is not None
    return WorkReport.objects.create(
        member=member, area_id=team.area_id, kind=kind, period_start=start, text="总结"
    )


def test_the_period_is_the_weeks_monday_or_the_months_first(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    me = personas["first_secretary"]
    week = write(me, WEEK, TODAY)
    month = write(me, MONTH, "2025-06-18", "计划：产业项目验收")
    assert (week.kind, week.period_start, week.member, week.area_id) == (
        WEEK,
        dt.date(2025, 6, 16),
        secretary,
        VILLAGE,
    )
    assert (month.kind, month.period_start) == (MONTH, dt.date(2025, 6, 1))
    # a Sunday belongs to the week that began the Monday before
    assert write(me, WEEK, dt.date(2025, 6, 15)).period_start == dt.date(2025, 6, 9)


def test_rewriting_updates_the_same_report_until_it_is_reviewed(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    me = personas["first_secretary"]
    first = write(me, text="初稿")
    again = write(me, day=dt.date(2025, 6, 20), text="定稿")
    assert again.pk == first.pk and WorkReport.objects.get().text == "定稿"
    entries = AuditEntry.objects.filter(action="teams.write_report").order_by("id")
    assert entries.count() == 2
    assert (
        entries[0].before is None
        and entries[1].before["text"] == "初稿"
        and entries[1].after["text"] == "定稿"
    )
    do_review_report(personas["township_officer"], first, "已阅")
    with pytest.raises(TeamConflict) as caught:
        write(me, text="改稿")
    assert caught.value.code == TeamError.REPORT_REVIEWED
    fresh = WorkReport.objects.get()
    assert fresh.text == "定稿" and fresh.review_note == "已阅"
    assert AuditEntry.objects.filter(action="teams.write_report").count() == 2
    # the month's plan, not reviewed, is still open
    write(me, MONTH, text="计划")
    assert WorkReport.objects.count() == 2


def test_no_report_for_a_period_after_the_current_one(
    personas: dict[str, User], secretary: TeamMember
) -> None:
    me = personas["first_secretary"]
    for kind, day in ((WEEK, dt.date(2025, 6, 23)), (MONTH, dt.date(2025, 7, 1))):
        with pytest.raises(FupinError) as caught:
            write(me, kind, day)
        assert (caught.value.code, caught.value.field) == (TeamError.REPORT_PERIOD_FUTURE, "period_start")
    # the current and earlier periods are fine
    write(me, WEEK, dt.date(2025, 6, 22))
    write(me, WEEK, dt.date(2025, 6, 9))
    write(me, MONTH, dt.date(2025, 6, 30))
    write(me, MONTH, dt.date(2025, 5, 2))
    assert WorkReport.objects.count() == 4


@pytest.mark.parametrize(
    ("kind", "day", "text", "code"),
    [
        (WEEK, TODAY, "", "REPORT_TEXT_REQUIRED"),
        (WEEK, TODAY, "   \n ", "REPORT_TEXT_REQUIRED"),
        (WEEK, TODAY, "字" * 5001, "TOO_LONG"),
        ("year", TODAY, "总结", "REPORT_KIND_UNKNOWN"),
        (WEEK, "2025-13-01", "总结", "BAD_DATE"),
        (WEEK, "", "总结", "BAD_DATE"),
    ],
)
def test_bad_input_is_refused(
    personas: dict[str, User], secretary: TeamMember, kind: str, day: Any, text: str, code: str
) -> None:
    with pytest.raises(FupinError) as caught:
        write(personas["first_secretary"], kind, day, text)
    assert caught.value.code.name == code
    assert not WorkReport.objects.exists()


def test_not_a_member_writes_nothing(personas: dict[str, User], neighbour_team: WorkTeam) -> None:
    with pytest.raises(FupinError) as caught:
        write(personas["first_secretary"])
    assert caught.value.code == TeamError.NOT_A_TEAM_MEMBER
    # on another village's team: refused as well, naming the village
    member = neighbour_team.members.first()
    assert member is not None
    member.user = personas["first_secretary"]
    member.save()
    with pytest.raises(FupinError) as outside:
        write(personas["first_secretary"])
    assert outside.value.code == TeamError.TEAM_OUTSIDE_AREA
    assert not WorkReport.objects.exists()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_writing_needs_the_work_team_role(persona: str, personas: dict[str, User], team: WorkTeam) -> None:
    if persona == "first_secretary":
        assert write(personas[persona]).member.user == personas[persona]
        return
    with pytest.raises(PermissionDenied):
        write(personas[persona])
    assert not WorkReport.objects.exists()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_reviewing_needs_the_role_and_the_area(
    persona: str, personas: dict[str, User], team: WorkTeam
) -> None:
    report = report_of(team)
    user = personas[persona]
    if persona in REVIEWERS:
        reviewed = do_review_report(user, report, "内容翔实")
        assert reviewed.reviewed_by == user and reviewed.review_note == "内容翔实" and reviewed.reviewed_at
        entry = AuditEntry.objects.get(action="teams.review_report")
        assert entry.actor == user and entry.area_code == VILLAGE
        return
    with pytest.raises(NotFound if persona in OUTSIDE else PermissionDenied):
        do_review_report(user, report, "看过")
    fresh = WorkReport.objects.get(pk=report.pk)
    assert fresh.reviewed_at is None and fresh.reviewed_by is None
    assert not AuditEntry.objects.filter(action="teams.review_report").exists()


def test_a_township_reviews_only_inside_its_township(
    personas: dict[str, User], team: WorkTeam, far_team: WorkTeam
) -> None:
    near, far = report_of(team), report_of(far_team)
    township = personas["township_officer"]
    with pytest.raises(NotFound):
        do_review_report(township, far, "")
    with pytest.raises(NotFound):
        access_report_by_id(township, far.pk)
    assert list(review_queue(township)) == [near]
    # the county organisation department reviews both
    assert set(review_queue(personas["org_dept"])) == {near, far}
    do_review_report(personas["org_dept"], far, "")
    assert WorkReport.objects.get(pk=far.pk).reviewed_by == personas["org_dept"]
    assert list(review_queue(personas["org_dept"])) == [near]
    assert list(review_queue(personas["org_dept"], waiting_only=False)) != []


def test_a_report_is_reviewed_once(personas: dict[str, User], team: WorkTeam) -> None:
    report = report_of(team)
    stale = WorkReport.objects.get(pk=report.pk)
    do_review_report(personas["township_officer"], report, "已阅")
    with pytest.raises(TeamConflict) as caught:
        do_review_report(personas["org_dept"], stale, "再阅")
    assert caught.value.code == TeamError.REPORT_REVIEWED and caught.value.status == 409
    fresh = WorkReport.objects.get(pk=report.pk)
    assert fresh.review_note == "已阅" and fresh.reviewed_by == personas["township_officer"]


def test_a_review_note_has_a_length_limit(personas: dict[str, User], team: WorkTeam) -> None:
    report = report_of(team)
    with pytest.raises(FupinError) as caught:
        do_review_report(personas["township_officer"], report, "好" * 301)
    assert caught.value.code.name == "TOO_LONG"
    assert WorkReport.objects.get(pk=report.pk).reviewed_at is None
