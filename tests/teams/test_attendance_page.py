"""The attendance page (/teams/attendance/) on a day inside the month: the month is judged pro
rata, so on 5 December a member owes the days the four days gone stand for (20 × 4 ÷ 31, rounded
down: 2), not the whole month's 20 — the page used to call every member short. With the filter
"only those short", an order, and pages of FUPIN_PAGE_SIZE rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from fupin.core.personas import VILLAGE
from fupin.teams.grading import attendance
from fupin.teams.models import CheckIn, TeamMember, WorkTeam

TODAY = dt.date(2025, 12, 5)


def check_in(member: TeamMember, *days: int) -> None:
    for d in days:
        day = dt.date(2025, 12, d)
        CheckIn.objects.create(
            member=member,
            area_id=member.area_id,
            day=day,
            at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        )


def names(html: str) -> list[str]:
    return re.findall(r"<tr(?: class=\"ta-short\")?>\s*<td><a [^>]+>([^<]+)</a>", html)


def red(html: str) -> list[str]:
    return re.findall(r"<tr class=\"ta-short\">\s*<td><a [^>]+>([^<]+)</a>", html)


@pytest.fixture
def december(team: WorkTeam, monkeypatch: pytest.MonkeyPatch) -> dict[str, TeamMember]:
    # The page takes "today" from the clock; the day is fixed so the month is four days gone.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    people = {m.name: m for m in TeamMember.objects.filter(team=team)}
    check_in(people["龙书记"], 1, 2, 3, 4)
    check_in(people["吴队员"], 2)  # one day of the two due
    check_in(people["麻队员"], 1, 2)
    return people


def test_a_running_month_is_judged_pro_rata(december: dict[str, TeamMember], client_for: Any) -> None:
    rows = {r.member.name: r for r in attendance(december["龙书记"].team, 2025, 12, today=TODAY)}
    assert {name: (r.required, r.due, r.present, r.short) for name, r in rows.items()} == {
        "龙书记": (20, 2, 4, 0),
        "吴队员": (20, 2, 1, 1),
        "麻队员": (20, 2, 2, 0),
    }
    html = client_for("org_dept").get("/teams/attendance/").content.decode()
    assert "2025-12" in html
    assert "按比例" in html  # the page says how a running month is judged
    assert "3 名队员中 1 名未达标" in html
    assert red(html) == ["吴队员"]
    row = html[html.index(">吴队员<") :].split("</tr>")[0]
    # days in the village, leave, the month's requirement, due by today, short
    assert re.findall(r'class="num">(?:<strong>)?(\d+)', row) == ["1", "0", "20", "2", "1"]
    # Once the month is over, the whole requirement is due: everyone is short.
    after = attendance(december["龙书记"].team, 2025, 12, today=dt.date(2026, 1, 2))
    assert sorted(r.short for r in after) == [16, 18, 19]


def test_only_those_short_sorting_and_pages(
    december: dict[str, TeamMember], client_for: Any, settings: Any
) -> None:
    client = client_for("org_dept")
    html = client.get("/teams/attendance/?year=2025&month=12&short=1").content.decode()
    assert names(html) == ["吴队员"] and "只看未达标" in html
    by_days = client.get("/teams/attendance/?year=2025&month=12&sort=present").content.decode()
    assert names(by_days) == ["吴队员", "麻队员", "龙书记"]
    by_short = client.get("/teams/attendance/?year=2025&month=12&sort=short").content.decode()
    assert names(by_short)[0] == "吴队员"
    by_name = client.get("/teams/attendance/?year=2025&month=12&sort=name").content.decode()
    assert names(by_name) == sorted(december)
    settings.FUPIN_PAGE_SIZE = 2
    first = client.get("/teams/attendance/?year=2025&month=12&sort=present").content.decode()
    assert names(first) == ["吴队员", "麻队员"]
    assert "sort=present&amp;page=2" in first or "sort=present&page=2" in first
    second = client.get("/teams/attendance/?year=2025&month=12&sort=present&page=2").content.decode()
    assert names(second) == ["龙书记"]
    # The count is of the whole month, not of the page shown.
    assert "3 名队员中 1 名" in second
    # A village officer of another area sees none of them.
    assert names(client_for("outsider").get("/teams/attendance/?year=2025&month=12").content.decode()) == []
    assert VILLAGE.startswith(december["龙书记"].area_id[:6])
