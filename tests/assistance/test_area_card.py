"""Journey 1: the village's home page counts the households behind on their home visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fupin.assistance.models import Visit
from fupin.assistance.visits import expected_so_far, months_elapsed
from fupin.core.personas import VILLAGE
from tests.conftest import make_household


def _behind_card(client: Any, code: str) -> str:
    html = client.get(f"/areas/{code}/").content.decode()
    start = html.index('href="/assistance/visits/?area=')
    return html[start : html.index("</a>", start)]


def test_the_village_page_counts_households_behind_on_visits(client_for: Any) -> None:
    today = timezone.localdate()
    expected = expected_so_far(4, months_elapsed(today.year, today))
    never = make_household(VILLAGE, status="poor", head_name="龙未访")
    visited = make_household(VILLAGE, status="poor", head_name="石已访")
    for i in range(expected):
        Visit.objects.create(
            household=visited,
            area_id=visited.area_id,
            day=dt.date(today.year, 1, 1) + dt.timedelta(days=i),
            visitor_name="彭学明",
            discussed="收入和看病情况",
        )
    card = _behind_card(client_for("village_clerk"), VILLAGE)
    # Only the household never visited is behind (none is, before a month of the year is over).
    assert f"<strong>{1 if expected else 0}</strong>" in card
    assert never.pk != visited.pk


def test_the_county_page_does_not_count_visits(client_for: Any) -> None:
    html = client_for("county_admin").get("/").content.decode()
    assert 'href="/assistance/visits/?area=' not in html
