"""The guard of the public notice: what looks like an ID number, phone, bank account or health
status is refused, at construction and again at rendering; ordinary notice text passes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from fupin.core.personas import VILLAGE
from fupin.reports import notices
from fupin.reports.notices import (
    BadNotice,
    NoticeRow,
    PublicNotice,
    UnsafeNotice,
    check_html_text,
    find_sensitive,
    render_public_notice,
)
from tests.conftest import new_id_number

# The shared session fixture loads areas into the test database, which pytest-django creates
# only for a test that asks for it; the first test of a run must therefore be a database test.
pytestmark = pytest.mark.django_db

ROW = NoticeRow(
    head_name="龙先发", group_name="竹子寨组", household_size=4, reason="经民主评议，拟识别为贫困户"
)


def notice(**changes: Any) -> PublicNotice:
    values: dict[str, Any] = {
        "title": "贫困户识别纳入公示",
        "village_name": "十八洞村",
        "village_code": VILLAGE,
        "period_start": dt.date(2026, 11, 23),
        "period_end": dt.date(2026, 11, 29),
        "issuer": "十八洞村村民委员会",
        "rows": (ROW,),
        "contact": "十八洞村村民委员会办公室",
    }
    values.update(changes)
    return PublicNotice(**values)


# Generated, never a literal: a number shaped like an ID number is personal data in waiting.
ID = new_id_number()
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (ID, "id_number"),
        (f"身份证 {ID[:17]}x", "id_number"),
        (" ".join(f"{ID[:17]}X"[i : i + 4] for i in range(0, 18, 4)), "id_number"),
        (ID.translate(FULL_WIDTH), "id_number"),  # full-width, as typed on a phone
        ("433124800517001", "id_number"),  # the old 15-digit number
        ("电话13807431234", "mobile"),
        ("138 0743 1234", "mobile"),
        ("138-0743-1234", "mobile"),
        ("+86 138 0743 1234", "mobile"),
        ("0743-8123456", "landline"),
        ("（0743）8123456", "landline"),
        ("8123456", "landline"),
        ("6228480402564890018", "bank_account"),
        ("6228 4804 0256 4890", "bank_account"),
        ("账号 622848040256", "bank_account"),
        ("433124********0011", "masked_number"),
        ("138****1234", "masked_number"),
        ("6228 **** **** 0018", "masked_number"),
        ("户主患有大病", "health"),
        ("长期慢性病", "health"),
        ("妻子残疾", "health"),
        ("因病致贫", "health"),
        ("因残", "health"),
        ("尿毒症透析", "health"),
        ("Serious illness", "health"),
        ("123456789012345678901", "long_number"),
    ],
)
def test_what_the_guard_finds(text: str, kind: str) -> None:
    assert find_sensitive(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "经农户申请、入户核实、民主评议，拟识别为建档立卡贫困户",
        "人均纯收入稳定超过当年标准，两不愁三保障及饮水安全有保障",
        "2024年人均纯收入 8,550.00 元，12345.67 元",
        "公示期：2026年11月23日至2026年11月29日（共 7 天）",
        "2026-11-23 至 2026-11-29",
        "2026/11/23",
        "热线 12317",
        "家庭人口 4 人，竹子寨组",
        "龙先发",
    ],
)
def test_ordinary_notice_text_passes(text: str) -> None:
    assert find_sensitive(text) is None


def test_the_village_code_is_the_one_long_number_allowed() -> None:
    assert find_sensitive(f"村代码 {VILLAGE}") == "bank_account"  # 12 digits, anywhere else
    assert find_sensitive(f"村代码 {VILLAGE}", allowed_numbers=[VILLAGE]) is None


def test_a_well_formed_notice_passes() -> None:
    assert notice().rows == (ROW,)


@pytest.mark.parametrize(
    ("changes", "field", "kind"),
    [
        (
            {"rows": (dataclasses.replace(ROW, reason=f"身份证{ID}"),)},
            "rows.1.reason",
            "id_number",
        ),
        ({"rows": (dataclasses.replace(ROW, reason="户主患有大病"),)}, "rows.1.reason", "health"),
        ({"rows": (dataclasses.replace(ROW, reason="因病致贫"),)}, "rows.1.reason", "health"),
        ({"rows": (dataclasses.replace(ROW, head_name="龙先发13807431234"),)}, "rows.1.head_name", "mobile"),
        ({"rows": (ROW, dataclasses.replace(ROW, group_name="残疾"))}, "rows.2.group_name", "health"),
        ({"contact": "龙先发 138 0743 1234"}, "contact", "mobile"),
        ({"contact": "村委会 0743-8123456"}, "contact", "landline"),
        ({"issuer": "账户6228480402564890018"}, "issuer", "bank_account"),
        ({"title": "公示 433124********0011"}, "title", "masked_number"),
        ({"village_name": "十八洞村 长期慢性病"}, "village_name", "health"),
    ],
)
def test_the_guard_refuses_personal_data_anywhere(changes: dict[str, Any], field: str, kind: str) -> None:
    with pytest.raises(UnsafeNotice) as caught:
        notice(**changes)
    assert (caught.value.field, caught.value.kind) == (field, kind)


def test_the_refusal_names_the_field_but_never_repeats_the_value() -> None:
    with pytest.raises(UnsafeNotice) as caught:
        notice(rows=(dataclasses.replace(ROW, reason=f"身份证{ID}"),))
    with translation.override("zh-hans"):
        message = caught.value.message
    assert message.startswith("公示未打印：第 1 行的公示事由疑似含有身份证号。")
    assert "433124198005170011" not in message and "4331241980" not in message
    assert caught.value.status == 400


def test_rendering_checks_again_even_if_the_frozen_notice_was_forced() -> None:
    safe = notice()
    object.__setattr__(safe, "rows", (dataclasses.replace(ROW, reason="电话 13807431234"),))
    with pytest.raises(UnsafeNotice) as caught:
        render_public_notice(safe)
    assert caught.value.field == "rows.1.reason"


def test_rendering_scans_the_printed_text_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if someone later edited the template to print a number from somewhere else.
    monkeypatch.setattr(notices, "render_to_string", lambda *a, **k: "<p>联系 13807431234</p>")
    with pytest.raises(UnsafeNotice) as caught:
        render_public_notice(notice())
    assert (caught.value.field, caught.value.kind) == ("html", "mobile")


def test_the_html_scan_ignores_styles_but_reads_every_text_node() -> None:
    check_html_text(f"<style>td {{ width: 12345678px }}</style><p>{VILLAGE}</p>", allowed_numbers=[VILLAGE])
    with pytest.raises(UnsafeNotice):
        check_html_text("<td>3</td><td>患有大病</td>")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rows": [ROW]}, "rows"),  # a list could be changed after the check
        ({"rows": ()}, "rows"),
        ({"village_code": "433124110000"}, "village_code"),  # a township, not a village
        ({"village_code": "43312411022"}, "village_code"),
        ({"period_end": dt.date(2026, 11, 22)}, "period_end"),
        ({"rows": (dataclasses.replace(ROW, household_size=0),)}, "rows.1.household_size"),
        ({"rows": (dataclasses.replace(ROW, head_name=" "),)}, "rows.1.head_name"),
        ({"contact": ""}, "contact"),
    ],
)
def test_malformed_notices_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(BadNotice) as caught:
        notice(**changes)
    assert caught.value.field == field


def test_a_sample_may_have_no_rows() -> None:
    assert notice(rows=(), sample=True).rows == ()


def test_only_a_public_notice_renders() -> None:
    with pytest.raises(BadNotice):
        render_public_notice({"title": "x"})  # type: ignore[arg-type]
