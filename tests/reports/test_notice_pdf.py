"""The notice built from real households: the PDF holds the names, the village, the sizes and
the reasons, and none of the ID numbers, phones, accounts or health details they carry."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.personas import NEIGHBOUR_VILLAGE, TOWNSHIP
from fupin.registry import actions as registry
from fupin.registry.choices import Cause, Health
from fupin.reports.notices import (
    STANDARD_REASONS,
    BadNotice,
    NoticeKind,
    NoticeRow,
    build_public_notice,
    find_sensitive,
    notice_rows_from_households,
    render_public_notice,
)
from tests.conftest import make_household
from tests.reports.conftest import World, digits_only, pdf_text

START = dt.date(2026, 11, 23)


def test_rows_hold_the_head_the_group_the_current_size_and_the_reason(world: World) -> None:
    first, second = world.households
    leaver = first.members.get(name="龙小梅")
    registry.do_remove_member(leaver, left_on=dt.date(2025, 9, 1), reason="出嫁", actor=SYSTEM)
    rows = notice_rows_from_households([first, second, first], "经民主评议")
    assert rows == (
        NoticeRow(head_name="龙先发", group_name="竹子寨组", household_size=3, reason="经民主评议"),
        NoticeRow(head_name="施成富", group_name="", household_size=2, reason="经民主评议"),
    )


def test_the_notice_pdf_shows_what_it_should_and_nothing_personal(world: World) -> None:
    notice = build_public_notice(
        world.village, NoticeKind.IDENTIFICATION, world.households, period_start=START
    )
    pdf = render_public_notice(notice)
    text = pdf_text(pdf)
    flat = text.replace(" ", "").replace("\n", "")
    for expected in (
        "十八洞村贫困户识别纳入公示",
        "龙先发",
        "施成富",
        "竹子寨组",
        "4人",
        "2人",
        STANDARD_REASONS[NoticeKind.IDENTIFICATION],
        "2026年11月23日至2026年11月29日",
        "十八洞村村民委员会",
        "双龙镇人民政府",
        "12317",
    ):
        assert expected in flat, expected
    # No ID number, phone or account, whole or in part (the masked forms end in these 4 digits).
    # Each run of digits on its own: joined together, dates could spell any four digits.
    digits = digits_only(text)
    public = {notice.village_code, "12317", str(START.year), str(notice.period_end.year)}
    runs = [run for run in re.findall(r"\d+", text) if run not in public]
    for secret in world.secrets:
        assert secret not in digits
        assert not any(len(run) >= 4 and run.endswith(secret[-4:]) for run in runs), secret
    assert "*" not in text
    # No health status, no cause of poverty that names an illness or a disability.
    for choice in (Health.CHRONIC, Health.SERIOUS, Health.DISABLED, Cause.ILLNESS, Cause.DISABILITY):
        for language_label in ("长期慢性病", "患有大病", "残疾", "因病", "因残", str(choice.label)):
            assert language_label not in flat
    # And the guard itself, run over the extracted text, finds nothing but the village code.
    for line in text.splitlines():
        assert find_sensitive(line, allowed_numbers=[notice.village_code]) is None, line


def test_the_notice_is_a4_with_page_numbers_and_runs_onto_more_pages(world: World) -> None:
    many = [make_household(head_name=f"石{i:02d}", members=1) for i in range(60)]
    notice = build_public_notice(world.village, NoticeKind.EXIT, many, period_start=START)
    reader = pypdf.PdfReader(io.BytesIO(render_public_notice(notice)))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    last = reader.pages[-1].extract_text().replace(" ", "")
    assert f"第{len(reader.pages)}页，共{len(reader.pages)}页" in last
    assert "户主姓名" in reader.pages[1].extract_text()  # the table header repeats


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_every_kind_has_its_title_and_standard_reason(world: World, kind: str) -> None:
    notice = build_public_notice(world.village, kind, world.households[:1], period_start=START)
    assert notice.rows[0].reason == STANDARD_REASONS[kind]
    assert notice.period_end == START + dt.timedelta(days=6)


def test_households_of_another_village_are_refused(world: World) -> None:
    stranger = make_household(NEIGHBOUR_VILLAGE, head_name="杨二")
    with pytest.raises(BadNotice):
        build_public_notice(world.village, NoticeKind.EXIT, [stranger], period_start=START)


def test_only_a_village_posts_a_notice(world: World) -> None:
    with pytest.raises(FupinError):
        build_public_notice(Area.objects.get(code=TOWNSHIP), NoticeKind.EXIT, [], period_start=START)
    with pytest.raises(FupinError):
        build_public_notice(world.village, "party", world.households, period_start=START)
