"""The yearly assessment page (/teams/assessments/) for a county of many members: a page of
FUPIN_PAGE_SIZE members at a time, filtered by village, by graded or not and by name, with the
counts above the table over all of them; and a grade saved in place — the htmx answer is the
member's rows and the counts, not the page (it was 1.27 MB and 4–8 s for 889 members, again
after every save)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.core.personas import VILLAGE
from fupin.party.models import Unit
from fupin.teams.models import TeamMember, WorkTeam, YearlyAssessment

YEAR = 2025
URL = f"/teams/assessments/?year={YEAR}"
HTMX = {"HTTP_HX_REQUEST": "true"}


def shown(html: str) -> list[str]:
    """The members listed, in order."""
    return re.findall(r'<tbody id="m\d+">\s*<tr[^>]*>\s*<td><a [^>]+>([^<]+)</a>', html)


def many(team: WorkTeam, unit: Unit, n: int) -> None:
    TeamMember.objects.bulk_create(
        TeamMember(
            team=team,
            area_id=team.area_id,
            name=f"队员{i:03d}",
            unit=unit,
            term_starts_on=dt.date(2025, 3, 1),
            term_ends_on=dt.date(2027, 3, 1),
        )
        for i in range(n)
    )


@pytest.fixture
def teams(team: WorkTeam, neighbour_team: WorkTeam, settings: Any) -> dict[str, WorkTeam]:
    settings.FUPIN_PAGE_SIZE = 4
    return {"home": team, "neighbour": neighbour_team}


def summary(html: str) -> str:
    start = html.index('id="assess-summary"')
    part = html[start : html.index("</section>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_a_page_at_a_time_with_filters_and_counts_over_all(
    teams: dict[str, WorkTeam], client_for: Any
) -> None:
    client = client_for("org_dept")
    first = client.get(URL).content.decode()
    # 6 members (three a team), 4 a page, in village order.
    assert len(shown(first)) == 4 and "第 1 页，共 2 页" in first
    second = client.get(f"{URL}&page=2").content.decode()
    assert len(shown(second)) == 2 and not set(shown(first)) & set(shown(second))
    assert "当年在队 6 人" in summary(first) and "已考核 0 人" in summary(first)
    home = client.get(f"{URL}&village={VILLAGE}").content.decode()
    assert sorted(shown(home)) == sorted(teams["home"].members.values_list("name", flat=True))
    named = client.get(f"{URL}&q=吴").content.decode()
    assert shown(named) == ["吴队员"]
    member = teams["neighbour"].members.get(name="杨队员")
    data = {"member": member.pk, "half_year_score": "80", "year_end_score": "90", "grade": "competent"}
    client.post(URL, data)
    assert shown(client.get(f"{URL}&status=done").content.decode()) == ["杨队员"]
    todo = shown(client.get(f"{URL}&status=todo").content.decode())
    assert "杨队员" not in todo and len(todo) == 4  # five to do, four on the first page
    # The counts are of the whole year, whatever the page or filter shows.
    for html in (client.get(URL).content.decode(), client.get(f"{URL}&q=吴&page=1").content.decode()):
        assert "已考核 1 人" in summary(html) and "当年在队 6 人" in summary(html)
    # Another county's village is no filter away.
    assert shown(client.get(f"{URL}&village=433122102201").content.decode()) == []


def test_the_page_reads_the_same_few_queries_for_many_members(
    teams: dict[str, WorkTeam], unit: Unit, client_for: Any
) -> None:
    client = client_for("org_dept")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        small = client.get(URL)
    many(teams["home"], unit, 120)
    with CaptureQueriesContext(connection) as lots:
        large = client.get(URL)
    assert len(shown(large.content.decode())) == 4
    assert len(lots) == len(few)
    assert len(large.content) < 2 * len(small.content)


def test_a_grade_is_saved_in_place(teams: dict[str, WorkTeam], client_for: Any) -> None:
    client = client_for("org_dept")
    member = teams["home"].members.get(name="龙书记")
    data = {"member": member.pk, "half_year_score": "90", "year_end_score": "96", "grade": "competent"}
    answer = client.post(f"{URL}&village={VILLAGE}&page=1", data, **HTMX)
    assert answer.status_code == 200
    html = answer.content.decode()
    # Only the member's rows and the counts: no page around them.
    assert "<html" not in html and "<nav" not in html
    assert html.lstrip().startswith(f'<tbody id="m{member.pk}">') and html.count("<tbody") == 1
    assert shown(html) == ["龙书记"] and "94.20" in html and 'role="status"' in html
    assert 'id="assess-summary" hx-swap-oob="true"' in html
    assert "已考核 1 人" in summary(html)
    # The form in the new rows posts back to the same filtered page, in place again.
    assert f'hx-post="?year={YEAR}&amp;village={VILLAGE}&amp;page=1"' in html
    assert YearlyAssessment.objects.get(member=member).total == Decimal("94.20")
    # A refused grade comes back in place too, with its message and what was typed.
    bad = client.post(URL, {**data, "year_end_score": "101"}, **HTMX)
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "<html" not in text and 'role="alert"' in text and 'value="101"' in text
    assert "data-swap-errors" in text  # the page's script swaps a refusal from such a form
    assert YearlyAssessment.objects.get(member=member).year_end_score == Decimal("96")
    # Without htmx the same post redirects back to the page it came from.
    plain = client.post(f"{URL}&village={VILLAGE}", data)
    assert plain.status_code == 302 and plain["Location"].endswith(f"village={VILLAGE}#m{member.pk}")


def test_in_place_saving_keeps_the_area_rules(teams: dict[str, WorkTeam], client_for: Any) -> None:
    member = teams["home"].members.get(name="龙书记")
    data = {"member": member.pk, "half_year_score": "90", "year_end_score": "96", "grade": "competent"}
    assert client_for("outsider").post(URL, data, **HTMX).status_code == 404
    assert client_for("supervisor").post(URL, data, **HTMX).status_code == 403
    assert not YearlyAssessment.objects.exists()
