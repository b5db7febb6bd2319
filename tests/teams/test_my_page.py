"""The phone page /my/ and the review and leave queues, for every persona: who may open them,
what each sees, and that every form posts through the actions — a refused post shows its
message on the page and changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from fupin.accounts.models import User
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, NEIGHBOUR_VILLAGE, VILLAGE
from fupin.teams.errors import TeamError
from fupin.teams.models import CheckIn, LeaveRequest, LeaveStatus, TeamMember, WorkReport, WorkTeam
from fupin.teams.queries import period_start, quarter_start
from tests.conftest import make_household
from tests.teams.conftest import pair, visited

# Who holds teams.check_in or assistance.record, and so opens /my/ (outsiders by their roles).
MY_PAGE = {
    "county_admin",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "outsider",
    "neighbour_clerk",
}
REVIEWERS = {"org_dept", "township_officer"}
OUTSIDE = {"outsider", "neighbour_clerk"}
CHECK_IN_FORM = 'action="/my/check-in/"'


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def main_part(html: bytes) -> str:
    text = html.decode()
    return text[text.index("<main") : text.index("</main>")]


def state() -> tuple[Any, ...]:
    return (
        CheckIn.objects.count(),
        WorkReport.objects.count(),
        list(LeaveRequest.objects.order_by("id").values_list("status", flat=True)),
        list(WorkReport.objects.order_by("id").values_list("reviewed_at", flat=True)),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def world(personas: dict[str, User], secretary: TeamMember) -> dict[str, Any]:
    home = make_household(VILLAGE, head_name="施成富")
    pair(personas["first_secretary"], home)
    pair(personas["cadre"], make_household(VILLAGE, head_name="龙老汉"))
    report = WorkReport.objects.create(
        member=secretary, area_id=VILLAGE, kind="week", period_start=dt.date(2025, 6, 16), text="走访 8 户"
    )
    short = LeaveRequest.objects.create(
        member=secretary,
        area_id=VILLAGE,
        first_day=dt.date(2030, 7, 1),
        last_day=dt.date(2030, 7, 2),
        days=2,
        reason="探亲",
        approver_level=4,
    )
    long = LeaveRequest.objects.create(
        member=secretary,
        area_id=VILLAGE,
        first_day=dt.date(2030, 8, 1),
        last_day=dt.date(2030, 8, 10),
        days=10,
        reason="培训",
        approver_level=3,
    )
    return {"home": home, "report": report, "short": short, "long": long}


# --- who opens what ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_every_page_answers_as_the_role_allows(persona: str, world: dict[str, Any], client_for: Any) -> None:
    client = english(client_for(persona))
    my = client.get("/my/")
    assert my.status_code == (200 if persona in MY_PAGE else 403), persona
    if my.status_code == 200:
        page = main_part(my.content)
        assert (CHECK_IN_FORM in page) == (persona == "first_secretary")
        assert ('action="/my/leave/"' in page) == (persona == "first_secretary")
        assert ('action="/my/reports/"' in page) == (persona == "first_secretary")
        # each sees only the households paired to them
        assert ("施成富" in page) == (persona == "first_secretary")
        assert ("龙老汉" in page) == (persona == "cadre")
    reports = client.get("/teams/reports/")
    assert reports.status_code == (200 if persona in REVIEWERS else 403)
    if reports.status_code == 200:
        assert "走访 8 户" in reports.content.decode()
    leave = client.get("/teams/leave/")
    assert leave.status_code == (200 if persona in REVIEWERS else 403)
    if leave.status_code == 200:
        text = leave.content.decode()
        # each level sees only the requests it decides
        assert ("2030-07-01" in text) == (persona == "township_officer")
        assert ("2030-08-01" in text) == (persona == "org_dept")
    for url in ("/teams/reports/?show=reviewed", "/teams/leave/?show=decided"):
        assert client.get(url).status_code == (200 if persona in REVIEWERS else 403)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_members_forms_post_only_for_the_member(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    before = state()
    today = timezone.localdate()
    posts = [
        ("/my/check-in/", {}),
        ("/my/reports/", {"kind": "month", "period_start": today.isoformat(), "text": "计划"}),
        ("/my/leave/", {"first_day": "2030-09-01", "last_day": "2030-09-01", "reason": "事假"}),
        (f"/my/leave/{world['short'].pk}/cancel/", {}),
    ]
    for url, data in posts:
        answer = client.post(url, data)
        assert answer.status_code == (302 if persona == "first_secretary" else 403), (persona, url)
        if answer.status_code == 302:
            assert answer["Location"] == "/my/"
    if persona != "first_secretary":
        assert state() == before
        return
    assert CheckIn.objects.count() == 1
    assert WorkReport.objects.filter(kind="month", period_start=today.replace(day=1)).exists()
    assert LeaveRequest.objects.filter(first_day=dt.date(2030, 9, 1), status=LeaveStatus.PENDING).exists()
    assert LeaveRequest.objects.get(pk=world["short"].pk).status == LeaveStatus.CANCELLED


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_reviewing_through_the_page_needs_the_role_and_the_area(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    report = world["report"]
    before = state()
    answer = client_for(persona).post(f"/teams/reports/{report.pk}/review/", {"note": "已阅"})
    # Neither outsider holds the reviewing role, which is checked first (it leaks nothing);
    # the area is tested with a reviewer outside it below.
    expected = 302 if persona in REVIEWERS else 403
    assert answer.status_code == expected, persona
    fresh = WorkReport.objects.get(pk=report.pk)
    if expected == 302:
        assert answer["Location"] == "/teams/reports/"
        assert (
            fresh.reviewed_by is not None
            and fresh.reviewed_by.username == persona
            and fresh.review_note == "已阅"
        )
    else:
        assert fresh.reviewed_at is None and state() == before
    missing = client_for(persona).post(f"/teams/reports/{report.pk + 1000}/review/", {"note": "已阅"})
    assert missing.status_code == (404 if persona in REVIEWERS else 403)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_deciding_leave_through_the_page_needs_the_role_the_area_and_the_level(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = english(client_for(persona))
    short = world["short"]
    before = state()
    answer = client.post(f"/teams/leave/{short.pk}/decide/", {"decision": "approve"})
    if persona == "township_officer":
        assert answer.status_code == 302 and answer["Location"] == "/teams/leave/"
        assert LeaveRequest.objects.get(pk=short.pk).status == LeaveStatus.APPROVED
        return
    if persona == "org_dept":
        # the other level: the page says who decides
        assert answer.status_code == 400
        assert "approved by the township party committee" in answer.content.decode()
    else:
        assert answer.status_code == 403, persona
    assert state() == before


def test_a_township_cannot_review_or_decide_outside_its_township(
    personas: dict[str, User], far_team: WorkTeam, client_for: Any
) -> None:
    member = far_team.members.first()
    assert member is not None
    report = WorkReport.objects.create(
        member=member, area_id=member.area_id, kind="week", period_start=dt.date(2025, 6, 16), text="远村总结"
    )
    leave = LeaveRequest.objects.create(
        member=member,
        area_id=member.area_id,
        first_day=dt.date(2030, 7, 1),
        last_day=dt.date(2030, 7, 1),
        days=1,
        reason="病假",
        approver_level=4,
    )
    township = client_for("township_officer")
    assert "远村总结" not in township.get("/teams/reports/").content.decode()
    assert "病假" not in township.get("/teams/leave/").content.decode()
    before = state()
    assert township.post(f"/teams/reports/{report.pk}/review/", {"note": "已阅"}).status_code == 404
    assert township.post(f"/teams/leave/{leave.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert state() == before
    # the county organisation department reviews it (the leave is the township's to decide)
    assert "远村总结" in client_for("org_dept").get("/teams/reports/").content.decode()
    assert client_for("org_dept").post(f"/teams/reports/{report.pk}/review/", {}).status_code == 302


def test_refusing_without_a_note_shows_the_message_and_changes_nothing(
    world: dict[str, Any], client_for: Any
) -> None:
    org = english(client_for("org_dept"))
    long = world["long"]
    empty = org.post(f"/teams/leave/{long.pk}/decide/", {"decision": "refuse", "note": " "})
    assert empty.status_code == 400 and "Give the reason for refusing the leave." in empty.content.decode()
    assert LeaveRequest.objects.get(pk=long.pk).status == LeaveStatus.PENDING
    odd = org.post(f"/teams/leave/{long.pk}/decide/", {"decision": "maybe"})
    assert odd.status_code == 404
    refused = org.post(f"/teams/leave/{long.pk}/decide/", {"decision": "refuse", "note": "脱贫攻坚关键期"})
    assert refused.status_code == 302
    fresh = LeaveRequest.objects.get(pk=long.pk)
    assert (fresh.status, fresh.decision_note) == (LeaveStatus.REFUSED, "脱贫攻坚关键期")
    decided = org.get("/teams/leave/?show=decided").content.decode()
    assert "脱贫攻坚关键期" in decided and 'name="decision"' not in decided
    again = org.post(f"/teams/leave/{long.pk}/decide/", {"decision": "approve"})
    assert again.status_code == 409 and LeaveRequest.objects.get(pk=long.pk).status == LeaveStatus.REFUSED


# --- the member's day ----------------------------------------------------------------------


def test_checking_in_on_the_page_once_a_day(world: dict[str, Any], client_for: Any) -> None:
    client = client_for("first_secretary")
    whole = client.get("/my/").content.decode()
    before = main_part(whole.encode())
    assert "data-checked-in" not in before
    # The place is asked for by a static script (the Content-Security-Policy refuses inline
    # script): the page loads it, and it is that script which asks the phone for the place.
    script_url = static("fupin/check_in.js")
    assert f'<script src="{script_url}"' in whole
    found = finders.find("fupin/check_in.js")
    assert isinstance(found, str)
    with open(found, encoding="utf-8") as script:
        assert "navigator.geolocation.getCurrentPosition" in script.read()
    done = client.post("/my/check-in/", {"latitude": "28.374100", "longitude": "109.531100"})
    assert done.status_code == 302
    row = CheckIn.objects.get()
    hhmm = timezone.localtime(row.at).strftime("%H:%M")
    page = main_part(client.get("/my/").content)
    with translation.override("zh-hans"):
        shown = gettext("Checked in today %(time)s") % {"time": hhmm}
    assert page.count("data-checked-in") == 1 and shown in page
    assert "28.374100" in page
    # a second tap the same day says so, and adds nothing
    again = client.post("/my/check-in/", {})
    assert again.status_code == 409
    with translation.override("zh-hans"):
        assert TeamError.ALREADY_CHECKED_IN.message() in again.content.decode()
    assert CheckIn.objects.count() == 1 and shown in main_part(again.content)


def test_a_half_location_is_refused_on_the_page(world: dict[str, Any], client_for: Any) -> None:
    answer = english(client_for("first_secretary")).post(
        "/my/check-in/", {"latitude": "28.3", "longitude": ""}
    )
    assert (
        answer.status_code == 400
        and "Give both latitude and longitude, or neither." in answer.content.decode()
    )
    assert not CheckIn.objects.exists()
    # without any location (the phone did not tell, or the user did not allow it) it works
    assert (
        english(client_for("first_secretary"))
        .post("/my/check-in/", {"latitude": "", "longitude": ""})
        .status_code
        == 302
    )


def test_the_months_attendance_is_shown_against_the_requirement(
    world: dict[str, Any], client_for: Any
) -> None:
    client = english(client_for("first_secretary"))
    assert "This month: 0 of 20 days in the village" in client.get("/my/").content.decode()
    client.post("/my/check-in/")
    assert "This month: 1 of 20 days in the village" in client.get("/my/").content.decode()


def test_the_summary_and_plan_are_edited_until_reviewed(
    personas: dict[str, User], world: dict[str, Any], client_for: Any
) -> None:
    client = english(client_for("first_secretary"))
    today = timezone.localdate()
    monday = period_start("week", today)
    empty = client.post("/my/reports/", {"kind": "week", "period_start": monday.isoformat(), "text": ""})
    assert empty.status_code == 400 and "Write the summary or plan." in empty.content.decode()
    client.post("/my/reports/", {"kind": "week", "period_start": monday.isoformat(), "text": "本周走访 5 户"})
    week = WorkReport.objects.get(kind="week", period_start=monday)
    page = main_part(client.get("/my/").content)
    assert "本周走访 5 户</textarea>" in page
    WorkReport.objects.filter(pk=week.pk).update(
        reviewed_at=timezone.now(), reviewed_by=personas["township_officer"], review_note="请补充产业进展"
    )
    page = main_part(client.get("/my/").content)
    week_part = page[page.index('id="report-week"') : page.index('id="report-month"')]
    assert "本周走访 5 户" in week_part and "<textarea" not in week_part and "请补充产业进展" in week_part
    assert "<textarea" in page[page.index('id="report-month"') :]
    refused = client.post("/my/reports/", {"kind": "week", "period_start": monday.isoformat(), "text": "改"})
    assert refused.status_code == 409 and "This report has been reviewed" in refused.content.decode()
    assert WorkReport.objects.get(pk=week.pk).text == "本周走访 5 户"


def test_requesting_and_cancelling_leave_on_the_page(world: dict[str, Any], client_for: Any) -> None:
    client = english(client_for("first_secretary"))
    overlap = client.post(
        "/my/leave/", {"first_day": "2030-07-02", "last_day": "2030-07-03", "reason": "事假"}
    )
    assert overlap.status_code == 400 and "2030-07-01" in main_part(overlap.content)
    # what was typed stays in the form
    assert 'value="事假"' in main_part(overlap.content)
    made = client.post(
        "/my/leave/", {"first_day": "2030-10-01", "last_day": "2030-10-05", "reason": "陪护老人"}
    )
    assert made.status_code == 302
    leave = LeaveRequest.objects.get(first_day=dt.date(2030, 10, 1))
    assert (leave.days, leave.approver_level) == (5, 3)
    page = main_part(client.get("/my/").content)
    assert "陪护老人" in page and f'action="/my/leave/{leave.pk}/cancel/"' in page
    # a request decided already cannot be cancelled
    LeaveRequest.objects.filter(pk=leave.pk).update(status=LeaveStatus.APPROVED)
    late = client.post(f"/my/leave/{leave.pk}/cancel/")
    assert late.status_code == 409 and LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.APPROVED
    assert client.post(f"/my/leave/{leave.pk + 1000}/cancel/").status_code == 404


def test_my_households_show_the_last_visit_and_the_overdue_ones_in_red(
    personas: dict[str, User], world: dict[str, Any], client_for: Any
) -> None:
    me = personas["first_secretary"]
    today = timezone.localdate()
    this_quarter = quarter_start(today)
    fresh = world["home"]
    visited(fresh, this_quarter)
    old = make_household(VILLAGE, head_name="麻阿婆")
    pair(me, old)
    visited(old, this_quarter - dt.timedelta(days=1))
    never = make_household(VILLAGE, head_name="隆大叔")
    pair(me, never, kind="member_household")
    ended = make_household(VILLAGE, head_name="吴已脱")
    pair(me, ended, ended_on=dt.date(2024, 12, 31))
    page = main_part(english(client_for("first_secretary")).get("/my/").content)
    items = re.findall(r"<li( class=\"overdue\")?>(.*?)</li>", page[page.index('id="households"') :], re.S)
    rows = {
        re.sub(r"<.*?>", "", body).split()[0]: bool(red)
        for red, body in items
        if "Last home visit" in body or "No home visit yet" in body
    }
    assert rows == {"施成富": False, "麻阿婆": True, "隆大叔": True}
    assert f'href="/households/{old.pk}/"' in page and f'href="/households/{fresh.pk}/"' in page
    assert (this_quarter - dt.timedelta(days=1)).isoformat() in page
    # the overdue ones come first
    assert page.index("麻阿婆") < page.index("施成富") and page.index("隆大叔") < page.index("施成富")


def test_a_paired_household_outside_the_helpers_area_is_listed_without_a_link(
    personas: dict[str, User], world: dict[str, Any], client_for: Any
) -> None:
    away = make_household(NEIGHBOUR_VILLAGE, head_name="杨远亲")
    pair(personas["cadre"], away)
    page = main_part(client_for("cadre").get("/my/").content)
    assert "杨远亲" in page and f'href="/households/{away.pk}/"' not in page


def test_a_cadre_sees_only_their_households(world: dict[str, Any], client_for: Any) -> None:
    page = main_part(client_for("cadre").get("/my/").content)
    assert (
        "龙老汉" in page
        and CHECK_IN_FORM not in page
        and 'id="reports"' not in page
        and 'id="leave"' not in page
    )


def test_a_first_secretary_not_on_a_team_is_told_so(
    personas: dict[str, User], world: dict[str, Any], client_for: Any
) -> None:
    TeamMember.objects.filter(user=personas["first_secretary"]).update(left_on=dt.date(2025, 1, 1))
    page = main_part(english(client_for("first_secretary")).get("/my/").content)
    assert "You are not a member of an active work team." in page and CHECK_IN_FORM not in page
    assert "施成富" in page  # the households are still theirs


def test_a_login_on_another_villages_team_is_told_so(
    personas: dict[str, User], neighbour_team: WorkTeam, client_for: Any
) -> None:
    member = neighbour_team.members.first()
    assert member is not None
    member.user = personas["first_secretary"]
    member.save()
    client = english(client_for("first_secretary"))
    page = main_part(client.get("/my/").content)
    assert "丙池村" in page and "outside your own area" in page and CHECK_IN_FORM not in page
    assert client.post("/my/check-in/").status_code == 400 and not CheckIn.objects.exists()
