"""The organisation department's work-team pages for every persona: reading needs VIEW_PARTY and
stays inside the user's area (404 outside, like a missing team); only the organisation department
writes, and a refused write changes nothing; each page shows what it is for."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, OTHER_TOWNSHIP_VILLAGE, VILLAGE
from fupin.party.models import Organisation, Rating, RatingClass, Unit
from fupin.teams.grading import attendance, check_recall_triggers
from fupin.teams.models import (
    Grade,
    LeaveRequest,
    LeaveStatus,
    RecallProposal,
    RecallStatus,
    SpotCheck,
    TeamMember,
    WorkTeam,
    YearlyAssessment,
)
from tests.teams.conftest import approved_leave, set_area_setting

YEAR = 2025
NO_PARTY = {"cadre", "dept_provider"}  # roles without VIEW_PARTY
OUTSIDE = {"outsider", "neighbour_clerk"}  # read, but 十八洞村 is not in their area
WRITER = "org_dept"


def reads(persona: str) -> int:
    return 403 if persona in NO_PARTY else 200


def reads_team(persona: str) -> int:
    return 403 if persona in NO_PARTY else 404 if persona in OUTSIDE else 200


def writes_team(persona: str, ok: int = 302) -> int:
    if persona == WRITER:
        return ok
    return 404 if persona in OUTSIDE else 403


def main_part(html: bytes) -> bytes:
    return html[html.index(b"<main") : html.index(b"</main>")]


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def proposal(secretary: TeamMember) -> RecallProposal:
    approved_leave(secretary, dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 18))
    approved_leave(secretary, dt.date(YEAR, 8, 1), dt.date(YEAR, 8, 18))  # 36 days
    return check_recall_triggers(secretary, YEAR)[0]


def state() -> tuple[Any, ...]:
    return (
        WorkTeam.objects.filter(ended_on__isnull=True).count(),
        TeamMember.objects.count(),
        TeamMember.objects.filter(left_on__isnull=False).count(),
        SpotCheck.objects.count(),
        list(YearlyAssessment.objects.values_list("member_id", "grade", "total")),
        list(RecallProposal.objects.values_list("pk", "status", "reason")),
        AuditEntry.objects.count(),
    )


# --- who sees what -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_pages_answer_as_role_and_area_allow(
    persona: str, team: WorkTeam, proposal: RecallProposal, client_for: Any
) -> None:
    client = client_for(persona)
    for url in (
        "/teams/",
        f"/teams/?year={YEAR}",
        "/teams/attendance/",
        f"/teams/attendance/?year={YEAR}&month=6",
        f"/teams/assessments/?year={YEAR}",
        "/teams/recalls/",
    ):
        assert client.get(url).status_code == reads(persona), (persona, url)
    detail = client.get(f"/teams/{team.pk}/")
    assert detail.status_code == reads_team(persona), persona
    missing = client.get(f"/teams/{team.pk + 1000}/")
    assert missing.status_code == (403 if persona in NO_PARTY else 404)
    if persona in OUTSIDE:
        assert main_part(detail.content) == main_part(missing.content)
    assert client.get("/teams/new/").status_code == (200 if persona == WRITER else 403)
    if persona in NO_PARTY:
        return
    # Lists hold the team, its members and the proposal only inside the area.
    inside = persona not in OUTSIDE
    home = client.get(f"/teams/?year={YEAR}").content.decode()
    assert (f'href="/teams/{team.pk}/"' in home) == inside, persona
    assessments = client.get(f"/teams/assessments/?year={YEAR}").content.decode()
    assert ("龙书记" in assessments) == inside
    recalls = client.get("/teams/recalls/").content.decode()
    assert ("龙书记" in recalls) == inside
    june = client.get(f"/teams/attendance/?year={YEAR}&month=6").content.decode()
    assert ("麻队员" in june) == inside
    # Forms only for who may use them.
    if inside:
        text = detail.content.decode()
        assert ('value="spot_check"' in text) == (persona == WRITER)
        assert ('value="add_member"' in text) == (persona == WRITER)
        assert ('name="decision"' in recalls) == (persona == WRITER)
        assert ('name="half_year_score"' in assessments) == (persona == WRITER)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_the_organisation_department_writes_and_a_refusal_changes_nothing(
    persona: str, team: WorkTeam, proposal: RecallProposal, unit: Unit, client_for: Any
) -> None:
    client = client_for(persona)
    member = team.members.get(name="吴队员")
    before = state()
    posts = [
        (
            f"/teams/{team.pk}/",
            {"action": "spot_check", "member": member.pk, "day": "2025-06-03", "present": "0"},
        ),
        (
            f"/teams/{team.pk}/",
            {
                "action": "add_member",
                "name": "新队员",
                "unit": unit.pk,
                "role": "member",
                "term_starts_on": "2025-03-01",
                "term_ends_on": "2027-03-01",
            },
        ),
        (f"/teams/{team.pk}/", {"action": "end_member", "member": member.pk, "left_on": "2026-01-01"}),
        (
            f"/teams/assessments/?year={YEAR}",
            {"member": member.pk, "half_year_score": "80", "year_end_score": "90", "grade": "competent"},
        ),
        ("/teams/recalls/", {"proposal": proposal.pk, "decision": "keep", "reason": "病假属实"}),
        (f"/teams/{team.pk}/", {"action": "end_team", "ended_on": "2026-01-01"}),
    ]
    for url, data in posts:
        answer = client.post(url, data)
        assert answer.status_code == writes_team(persona), (persona, url, data)
        if persona != WRITER:
            assert state() == before, (persona, url, data)
    created = client.post(
        "/teams/new/",
        {
            "village": OTHER_TOWNSHIP_VILLAGE,
            "lead_unit": unit.pk,
            "started_on": "2025-01-01",
            "term_ends_on": "2027-01-01",
        },
    )
    assert created.status_code == (302 if persona == WRITER else 403)
    if persona != WRITER:
        assert state() == before
        return
    member.refresh_from_db()
    assert member.left_on == dt.date(2026, 1, 1)
    assert SpotCheck.objects.filter(member=member, present=False).exists()
    assert YearlyAssessment.objects.get(member=member).total == 87
    assert RecallProposal.objects.get(pk=proposal.pk).status == RecallStatus.KEPT
    assert WorkTeam.objects.get(pk=team.pk).ended_on == dt.date(2026, 1, 1)
    assert WorkTeam.objects.filter(area_id=OTHER_TOWNSHIP_VILLAGE, ended_on__isnull=True).exists()


# --- the overview --------------------------------------------------------------------------


def test_the_overview_shows_warnings_leave_assessments_recalls_and_ratings(
    team: WorkTeam, neighbour_team: WorkTeam, proposal: RecallProposal, client_for: Any
) -> None:
    today = timezone.localdate()
    TeamMember.objects.filter(team=neighbour_team, name="彭队员").update(left_on=dt.date(2025, 12, 1))
    wu = team.members.get(name="吴队员")
    LeaveRequest.objects.create(
        member=wu,
        area_id=wu.area_id,
        first_day=today + dt.timedelta(days=10),
        last_day=today + dt.timedelta(days=14),
        days=5,
        reason="婚假",
        approver_level=3,
    )
    LeaveRequest.objects.create(  # the township's, not counted here
        member=wu,
        area_id=wu.area_id,
        first_day=today + dt.timedelta(days=20),
        last_day=today + dt.timedelta(days=21),
        days=2,
        reason="事假",
        approver_level=4,
    )
    set_area_setting(COUNTY, "excellent_cap_percent", 20)  # 6 members: one excellent allowed
    YearlyAssessment.objects.create(
        member=wu,
        area_id=wu.area_id,
        year=YEAR,
        half_year_score=95,
        year_end_score=95,
        total=95,
        grade=Grade.EXCELLENT,
    )
    village = Area.objects.get(code=VILLAGE)
    weak_org = Organisation.objects.create(area_id=OTHER_TOWNSHIP_VILLAGE, name="某村党支部")
    strong_org = Organisation.objects.create(area=village, name="十八洞村党支部")
    Rating.objects.create(
        organisation=strong_org, area=village, year=YEAR, stars=5, rating_class=RatingClass.ADVANCED
    )
    Rating.objects.create(
        organisation=weak_org,
        area_id=OTHER_TOWNSHIP_VILLAGE,
        year=YEAR,
        stars=1,
        rating_class=RatingClass.LAGGING,
        weak=True,
        rectification="整顿软弱涣散",
    )
    html = client_for(WRITER).get(f"/teams/?year={YEAR}").content.decode()
    teams = section(html, "teams")
    assert "丙池村" in teams and "十八洞村" in teams
    assert re.search(rf'<tr class="ta-short">\s*<td><a href="/teams/{neighbour_team.pk}/">丙池村', teams)
    assert not re.search(rf'<tr class="ta-short">\s*<td><a href="/teams/{team.pk}/">', teams)
    # One long leave waits for the county, with the link to teamsday's queue.
    leave = section(html, "leave")
    assert re.search(r"\b1\b", leave) and 'href="/teams/leave/"' in leave
    # The year's assessments: 1 of 6 done (the neighbour's third member left in December),
    # the excellent count against the county's cap.
    assessment = section(html, "assessment")
    assert "1 / 6" in html and "花垣县" in assessment and "20%" in assessment
    assert re.search(r"花垣县\D*1\D+1\D+20%\D+6", assessment)
    recall = section(html, "recall")
    assert "龙书记" in recall and "36" in recall and "30" in recall
    ratings = section(html, "ratings")
    assert "某村党支部" in ratings and "整顿软弱涣散" in ratings and "十八洞村党支部" not in ratings
    assert 'href="/party/"' in ratings
    # This month's shortfalls: whoever can no longer make up the month's days.
    expected = [
        r.member.name
        for r in attendance(Area.objects.get(code=COUNTY), today.year, today.month)
        if r.shortfall and r.unreachable
    ]
    shown = section(html, "attendance")
    for name in expected:
        assert name in shown


def test_the_township_sees_no_county_cap_and_not_the_county_leave_link(
    team: WorkTeam, client_for: Any
) -> None:
    html = client_for("township_officer").get(f"/teams/?year={YEAR}").content.decode()
    assert "20%" not in html and "10%" not in html
    assert 'href="/teams/leave/"' in html  # the township decides short leave on the same page
    supervisor = client_for("supervisor").get(f"/teams/?year={YEAR}").content.decode()
    assert 'href="/teams/leave/"' not in supervisor and "10%" in supervisor


# --- attendance ----------------------------------------------------------------------------


def test_the_attendance_page_marks_shortfalls_red(secretary: TeamMember, client_for: Any) -> None:
    from fupin.teams.models import CheckIn

    for d in range(1, 21):
        day = dt.date(YEAR, 6, d)
        CheckIn.objects.create(
            member=secretary,
            area_id=secretary.area_id,
            day=day,
            at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        )
    wu = TeamMember.objects.get(team=secretary.team, name="吴队员")
    approved_leave(wu, dt.date(YEAR, 6, 1), dt.date(YEAR, 6, 5))
    html = client_for("township_officer").get(f"/teams/attendance/?year={YEAR}&month=6").content.decode()
    rows = {
        m.group(2): m.group(1)
        for m in re.finditer(r"<tr( class=\"ta-short\")?>\s*<td><a [^>]+>([^<]+)</a>", html)
    }
    assert rows == {"龙书记": None, "吴队员": ' class="ta-short"', "麻队员": ' class="ta-short"'}
    wu_row = html[html.index(">吴队员<") :].split("</tr>")[0]
    assert re.findall(r'class="num">(?:<strong>)?(\d+)', wu_row) == ["0", "5", "15", "15"]


# --- forms through the pages ---------------------------------------------------------------


def test_creating_a_team_twice_is_refused_on_the_page(
    personas: dict[str, Any], unit: Unit, client_for: Any
) -> None:
    client = client_for(WRITER)
    form = client.get("/teams/new/").content.decode()
    assert "十八洞村" in form and unit.name in form
    data = {
        "village": VILLAGE,
        "lead_unit": unit.pk,
        "started_on": "2025-03-01",
        "term_ends_on": "2026-03-01",
    }
    # A one-year term is refused (the central rule, two years), the typed values kept.
    short = client.post("/teams/new/", data)
    assert short.status_code == 400 and "中央规定" in short.content.decode() and not WorkTeam.objects.exists()
    data["term_ends_on"] = "2027-03-01"
    made = client.post("/teams/new/", data)
    team = WorkTeam.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/teams/{team.pk}/"
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert page.count('class="ta-warn" role="status"') == 1  # no members yet
    again = client.post("/teams/new/", data)
    assert again.status_code == 400 and 'role="alert"' in again.content.decode()
    assert "十八洞村" in again.content.decode() and WorkTeam.objects.count() == 1
    outside = client.post("/teams/new/", {**data, "village": "433122102201"})
    assert outside.status_code == 404 and WorkTeam.objects.count() == 1


def test_adding_a_member_with_a_login_and_recording_a_spot_check(
    personas: dict[str, Any], unit: Unit, client_for: Any
) -> None:
    client = client_for(WRITER)
    team = WorkTeam.objects.create(
        area_id=VILLAGE, lead_unit=unit, started_on=dt.date(2025, 3, 1), term_ends_on=dt.date(2027, 3, 1)
    )
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert f'value="{personas["first_secretary"].pk}"' in page  # the village's free first-secretary login
    assert f'value="{personas["village_clerk"].pk}"' not in page
    added = client.post(
        f"/teams/{team.pk}/",
        {
            "action": "add_member",
            "name": "龙书记",
            "unit": unit.pk,
            "role": "first_secretary",
            "term_starts_on": "2025-03-01",
            "term_ends_on": "2027-03-01",
            "user": personas["first_secretary"].pk,
        },
    )
    assert added.status_code == 302
    member = TeamMember.objects.get()
    assert member.user == personas["first_secretary"]
    bad_login = client.post(
        f"/teams/{team.pk}/",
        {
            "action": "add_member",
            "name": "某某",
            "unit": unit.pk,
            "role": "member",
            "term_starts_on": "2025-03-01",
            "term_ends_on": "2027-03-01",
            "user": personas["village_clerk"].pk,
        },
    )
    assert bad_login.status_code == 400 and TeamMember.objects.count() == 1
    checked = client.post(
        f"/teams/{team.pk}/",
        {"action": "spot_check", "member": member.pk, "day": "2025-06-03", "present": "0", "note": "不在村"},
    )
    assert checked.status_code == 302
    twice = client.post(
        f"/teams/{team.pk}/",
        {"action": "spot_check", "member": member.pk, "day": "2025-06-03", "present": "1"},
    )
    assert twice.status_code == 400 and "2025-06-03" in twice.content.decode()
    assert SpotCheck.objects.get().present is False
    page = client.get(f"/teams/{team.pk}/?year=2025").content.decode()
    assert "不在村" in page
    # a member of another team cannot be named in this team's form
    other = TeamMember.objects.create(
        team=WorkTeam.objects.create(
            area_id=OTHER_TOWNSHIP_VILLAGE,
            lead_unit=unit,
            started_on=dt.date(2025, 3, 1),
            term_ends_on=dt.date(2027, 3, 1),
        ),
        area_id=OTHER_TOWNSHIP_VILLAGE,
        name="外队员",
        unit=unit,
        term_starts_on=dt.date(2025, 3, 1),
        term_ends_on=dt.date(2027, 3, 1),
    )
    wrong = client.post(f"/teams/{team.pk}/", {"action": "end_member", "member": other.pk})
    assert wrong.status_code == 404 and TeamMember.objects.get(pk=other.pk).left_on is None


def test_the_assessment_page_shows_the_cap_and_refuses_past_it(team: WorkTeam, client_for: Any) -> None:
    client = client_for(WRITER)
    set_area_setting(COUNTY, "excellent_cap_percent", 34)  # 3 members: one excellent
    html = client.get(f"/teams/assessments/?year={YEAR}").content.decode()
    assert re.search(r"花垣县\D*0\D+1\D+34%\D+3", html)
    assert "30%" in html and "70%" in html
    first, second, _ = team.members.order_by("pk")
    ok = client.post(
        f"/teams/assessments/?year={YEAR}",
        {"member": first.pk, "half_year_score": "90", "year_end_score": "96", "grade": "excellent"},
    )
    assert ok.status_code == 302 and YearlyAssessment.objects.get().total == Decimal("94.20")
    refused = client.post(
        f"/teams/assessments/?year={YEAR}",
        {"member": second.pk, "half_year_score": "91", "year_end_score": "97", "grade": "excellent"},
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'role="alert"' in text and "34" in text and 'value="97"' in text
    assert YearlyAssessment.objects.count() == 1


def test_deciding_a_recall_on_the_page(proposal: RecallProposal, client_for: Any) -> None:
    client = client_for(WRITER)
    page = client.get("/teams/recalls/").content.decode()
    assert "龙书记" in page and "36" in page
    no_reason = client.post("/teams/recalls/", {"proposal": proposal.pk, "decision": "recall", "reason": " "})
    assert no_reason.status_code == 400 and 'role="alert"' in no_reason.content.decode()
    assert RecallProposal.objects.get().status == RecallStatus.PROPOSED
    done = client.post(
        "/teams/recalls/", {"proposal": proposal.pk, "decision": "recall", "reason": "请假超限"}
    )
    assert done.status_code == 302
    member = TeamMember.objects.get(pk=proposal.member_id)
    assert member.recalled and member.left_on == timezone.localdate()
    again = client.post("/teams/recalls/", {"proposal": proposal.pk, "decision": "keep", "reason": "改判"})
    assert again.status_code == 409
    assert RecallProposal.objects.get().status == RecallStatus.RECALLED
    decided = client.get("/teams/recalls/").content.decode()
    assert "请假超限" in decided and 'name="decision"' not in decided
    # a made-up decision is not a form anyone can post
    assert (
        client.post(
            "/teams/recalls/", {"proposal": proposal.pk, "decision": "fire", "reason": "x"}
        ).status_code
        == 404
    )


def test_system_proposals_name_no_person(proposal: RecallProposal) -> None:
    entry = AuditEntry.objects.get(action="teams.propose_recall")
    assert entry.actor_name == SYSTEM.username
    assert LeaveRequest.objects.filter(status=LeaveStatus.APPROVED).count() == 2
