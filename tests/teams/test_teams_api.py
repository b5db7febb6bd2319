"""/api/v1/teams/check-in, /api/v1/teams/me and /api/v1/my/households for every persona: exact
status codes, one check-in a day (409 the second time), the location's rules, nothing written
by a refused call, and each helper sees only the households paired to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.teams.models import CheckIn, TeamMember, WorkTeam
from fupin.teams.queries import quarter_start
from tests.api.helpers import FORBIDDEN_BODY, Api
from tests.conftest import make_household
from tests.teams.conftest import pair, visited

# Who holds teams.check_in or assistance.record (the outsiders by their roles).
HELPERS = {
    "county_admin",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "outsider",
    "neighbour_clerk",
}


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_each_endpoint_answers_as_the_role_allows(
    persona: str, personas: dict[str, User], secretary: TeamMember, api_as: Callable[[str], Api]
) -> None:
    api = api_as(persona)
    home = make_household(VILLAGE, head_name="施成富")
    pair(personas[persona], home)
    before = (CheckIn.objects.count(), AuditEntry.objects.count())
    made = api.post("/teams/check-in")
    me = api.get("/teams/me")
    mine = api.get("/my/households")
    if persona == "first_secretary":
        assert made.status_code == 201, made.content
        assert me.status_code == 200 and me.json()["today"]["id"] == made.json()["id"]
    else:
        assert (made.status_code, made.json()) == (403, FORBIDDEN_BODY)
        assert (me.status_code, me.json()) == (403, FORBIDDEN_BODY)
        assert (CheckIn.objects.count(), AuditEntry.objects.count()) == before
    assert mine.status_code == (200 if persona in HELPERS else 403)
    if mine.status_code == 200:
        assert [h["head_name"] for h in mine.json()] == ["施成富"]


def test_checking_in_once_a_day(
    personas: dict[str, User], secretary: TeamMember, api_as: Callable[[str], Api]
) -> None:
    api = api_as("first_secretary")
    made = api.post("/teams/check-in", {"latitude": 28.3741, "longitude": 109.5311})
    assert made.status_code == 201
    body = made.json()
    row = CheckIn.objects.get()
    assert (
        body["id"] == row.pk
        and body["day"] == timezone.localdate().isoformat()
        and body["village_code"] == VILLAGE
    )
    assert (body["latitude"], body["longitude"]) == (28.3741, 109.5311)
    again = api.post("/teams/check-in")
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_CHECKED_IN"
    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action="teams.check_in", actor=personas["first_secretary"]).count() == 1


def test_the_body_is_optional(secretary: TeamMember, api_as: Callable[[str], Api]) -> None:
    api = api_as("first_secretary")
    answer = api.call("POST", "/teams/check-in", "")  # no body at all
    assert answer.status_code == 201 and answer.json()["latitude"] is None


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"latitude": 28.37}, "LOCATION_INCOMPLETE", "longitude"),
        ({"longitude": 109.5}, "LOCATION_INCOMPLETE", "latitude"),
        ({"latitude": 95, "longitude": 109.5}, "LATITUDE_INVALID", "latitude"),
        ({"latitude": 28.37, "longitude": -190}, "LONGITUDE_INVALID", "longitude"),
    ],
)
def test_a_bad_location_is_refused(
    secretary: TeamMember, api_as: Callable[[str], Api], body: dict[str, Any], code: str, field: str
) -> None:
    answer = api_as("first_secretary").post("/teams/check-in", body)
    assert answer.status_code == 400 and (answer.json()["code"], answer.json()["field"]) == (code, field)
    assert not CheckIn.objects.exists()


def test_a_location_that_is_not_a_number_does_not_fit_the_schema(
    secretary: TeamMember, api_as: Callable[[str], Api]
) -> None:
    answer = api_as("first_secretary").post("/teams/check-in", {"latitude": "north", "longitude": 1})
    assert answer.status_code == 422 and not CheckIn.objects.exists()


def test_me_tells_the_team_and_the_months_attendance(
    personas: dict[str, User], secretary: TeamMember, api_as: Callable[[str], Api]
) -> None:
    api = api_as("first_secretary")
    before = api.get("/teams/me").json()
    assert before["today"] is None and before["problem"] is None
    membership = before["membership"]
    assert (membership["id"], membership["role"], membership["village_code"], membership["village_name"]) == (
        secretary.pk,
        "first_secretary",
        VILLAGE,
        "十八洞村",
    )
    assert membership["unit"] == "县交通运输局" and membership["term_ends_on"] == "2027-03-01"
    today = timezone.localdate()
    first = today.replace(day=1)
    left = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - today  # today included
    assert before["attendance"] == {
        "month": first.isoformat(),
        "days": 0,
        "required": 20,
        "short": 20,
        "days_left": left.days,
        "behind": left.days < 20,
    }
    api.post("/teams/check-in")
    after = api.get("/teams/me").json()
    assert after["today"]["day"] == timezone.localdate().isoformat()
    assert (after["attendance"]["days"], after["attendance"]["short"]) == (1, 19)
    assert after["attendance"]["days_left"] == left.days - 1  # today is done


def test_not_a_member_is_told_so(personas: dict[str, User], api_as: Callable[[str], Api]) -> None:
    api = api_as("first_secretary")
    me = api.get("/teams/me")
    assert me.status_code == 200
    assert me.json()["membership"] is None and me.json()["problem"] and me.json()["attendance"] is None
    made = api.post("/teams/check-in")
    assert made.status_code == 400 and made.json()["code"] == "NOT_A_TEAM_MEMBER"


def test_a_login_on_another_villages_team(
    personas: dict[str, User], neighbour_team: WorkTeam, api_as: Callable[[str], Api]
) -> None:
    member = neighbour_team.members.first()
    assert member is not None
    member.user = personas["first_secretary"]
    member.save()
    api = api_as("first_secretary")
    me = api.get("/teams/me").json()
    assert me["membership"]["village_name"] == "丙池村" and "丙池村" in me["problem"]
    assert me["today"] is None and me["attendance"] is None
    made = api.post("/teams/check-in")
    assert made.status_code == 400 and made.json()["code"] == "TEAM_OUTSIDE_AREA"
    assert not CheckIn.objects.exists()


def test_my_households_with_the_last_visit_overdue_first(
    personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    cadre = personas["cadre"]
    today = timezone.localdate()
    fresh = make_household(VILLAGE, head_name="施成富")
    pair(cadre, fresh)
    visited(fresh, today)
    stale = make_household(VILLAGE, head_name="麻阿婆")
    pair(cadre, stale, kind="member_household")
    visited(stale, quarter_start(today) - dt.timedelta(days=1))
    visited(stale, quarter_start(today) - dt.timedelta(days=40))
    pair(cadre, make_household(VILLAGE, head_name="吴已脱"), ended_on=dt.date(2024, 12, 31))
    pair(personas["village_clerk"], make_household(VILLAGE, head_name="别人的"))
    rows = api_as("cadre").get("/my/households").json()
    assert [(r["head_name"], r["overdue"]) for r in rows] == [("麻阿婆", True), ("施成富", False)]
    assert rows[0]["last_visit"] == (quarter_start(today) - dt.timedelta(days=1)).isoformat()
    assert rows[0]["pairing_kind"] == "member_household" and rows[1]["household_id"] == fresh.pk
    assert rows[1]["last_visit"] == today.isoformat() and rows[1]["area_name"] == "十八洞村"


def test_the_endpoints_are_documented(api_as: Callable[[str], Api]) -> None:
    paths = api_as("first_secretary").get("/openapi.json").json()["paths"]
    assert {"/api/v1/teams/check-in", "/api/v1/teams/me", "/api/v1/my/households"} <= set(paths)
    assert "409" in paths["/api/v1/teams/check-in"]["post"]["responses"]
