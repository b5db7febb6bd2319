"""One notice period, stated the same way on the case page, the printed notice and the timeline
(issue 13, item 12): a 7-day notice posted on day D runs D to D+6 and may close from D+7.

The demo posts a notice today and then gives it earlier dates (its one calendar shortcut, as
``age_notice`` does here); the timeline used to keep the text written at posting, and the page
showed the first day it may close as the period's last day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.cases import actions
from fupin.cases.models import Notice, Step
from tests.api.helpers import Api
from tests.cases.helpers import advance_to, open_identification
from tests.reports.conftest import pdf_text


@pytest.fixture
def moved_notice(personas: dict[str, User]) -> Notice:
    case = advance_to(open_identification(personas), Step.FIRST_NOTICE, personas)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    start = timezone.localdate() - dt.timedelta(days=8)
    Notice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + dt.timedelta(days=7))
    notice.refresh_from_db()
    return notice


def _dates(text: str) -> list[str]:
    return re.findall(r"\d{4}-\d\d-\d\d", text)


def test_page_pdf_and_timeline_state_the_same_first_and_last_day(
    moved_notice: Notice, client_for: Any, api_as: Callable[[str], Api]
) -> None:
    notice = moved_notice
    first, last = notice.starts_on, notice.starts_on + dt.timedelta(days=6)
    assert (notice.first_day, notice.last_day, notice.days) == (first, last, 7)
    client = client_for("village_clerk")
    html = client.get(f"/cases/{notice.case_id}/").content.decode()

    period = f"{first.isoformat()} – {last.isoformat()}"
    notices_section = html.split("<h2>公示</h2>", 1)[1].split("</section>", 1)[0]
    assert period in notices_section
    assert notice.ends_on.isoformat() not in notices_section  # the closing day is not the last day
    assert "共 7 天" in notices_section or "7 天" in notices_section

    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    posted = [line for line in timeline.split("<li>") if "张贴公示" in line]
    assert len(posted) == 1 and period in posted[0]
    assert _dates(posted[0].split("张贴公示", 1)[1]) == [first.isoformat(), last.isoformat()]

    pdf = client.get(f"/cases/{notice.case_id}/notices/1.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content).replace(" ", "").replace("\n", "")
    said = f"{first:%Y}年{first.month}月{first.day}日至{last:%Y}年{last.month}月{last.day}日"
    assert said in text and "共7天" in text

    api = api_as("village_clerk").get(f"/cases/{notice.case_id}").json()
    assert api["notices"][0]["last_day"] == last.isoformat() and api["notices"][0]["days"] == 7
    assert [s["remarks"] for s in api["steps"] if s["decision"] == "posted"] == [period]


def test_closing_early_names_the_last_day_and_the_closing_day(personas: dict[str, User]) -> None:
    case = advance_to(open_identification(personas), Step.FIRST_NOTICE, personas)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    with pytest.raises(Exception) as early:
        actions.do_close_notice(case, actor=personas["village_clerk"])
    message = str(early.value.message)  # type: ignore[attr-defined]
    assert notice.last_day.isoformat() in message and notice.ends_on.isoformat() in message
