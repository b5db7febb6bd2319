"""The assistance card (明白卡) with what assistance recorded: the responsible cadres (name,
post, unit, the phone masked), the household's mutual-aid group, the year's measures by kind
with their amounts and the count of home visits; still no phone or ID number in full."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fupin.assistance import actions
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.mutualaid.models import AidGroup, GroupHousehold, LeaderKind
from fupin.pairing.models import Pairing, PairingKind
from fupin.party.models import Unit
from fupin.reports.cards import KIND_LABELS, render_household_card
from tests.reports.conftest import World, digits_only, pdf_text

CADRE_PHONE = "13907431111"
OTHER_PHONE = "0743-8527777"


def flat(pdf: bytes) -> str:
    return pdf_text(pdf).replace(" ", "").replace("\n", "")


def recorded(world: World) -> dict[str, Any]:
    household = world.households[0]
    today = timezone.localdate()
    year = today.year
    unit = Unit.objects.create(area=world.village.parent.parent, name="花垣县农业农村局")  # type: ignore[union-attr]
    for name, post, phone, started, kind in (
        ("彭学明", "副局长", CADRE_PHONE, dt.date(2020, 3, 1), PairingKind.CADRE_HOUSEHOLD),
        ("龙大姐", "村党支部委员", OTHER_PHONE, dt.date(2022, 3, 1), PairingKind.MEMBER_HOUSEHOLD),
    ):
        digits = digits_only(phone)
        Pairing.objects.create(
            kind=kind,
            area_id=household.area_id,
            household=household,
            unit=unit if kind == PairingKind.CADRE_HOUSEHOLD else None,
            helper_name=name,
            helper_post=post,
            helper_phone_enc=crypto.encrypt(digits),
            helper_phone_masked=crypto.mask(digits, 3, 4),
            started_on=started,
        )
    Pairing.objects.create(  # ended: not on the card
        kind=PairingKind.CADRE_HOUSEHOLD,
        area_id=household.area_id,
        household=household,
        helper_name="石前任",
        started_on=dt.date(2016, 1, 1),
        ended_on=dt.date(2019, 12, 31),
    )
    group = AidGroup.objects.create(
        area=world.village,
        name="竹子寨第一互助组",
        leader_name="龙老党员",
        leader_kind=LeaderKind.PARTY_MEMBER,
        formed_on=dt.date(2019, 1, 1),
    )
    GroupHousehold.objects.create(group=group, household=household, joined_on=dt.date(2019, 2, 1))
    first_of_year = dt.date(year, 1, 1)
    for kind, day, amount, text in (
        ("education", today, "1500", "雨露计划补助"),
        ("industry", first_of_year, "3000", "猕猴桃种植产业奖补"),
        ("industry", today, "2000.50", "养牛补助"),
        ("health", first_of_year - dt.timedelta(days=1), "800", "去年的医疗救助"),
    ):
        actions.do_record_measure(
            household, {"kind": kind, "day": day, "amount": amount, "description": text}, actor=SYSTEM
        )
    for day in (first_of_year, today, first_of_year - dt.timedelta(days=3)):
        actions.do_record_visit(household, {"day": day, "discussed": "x"}, actor=SYSTEM)
    return {"household": household, "year": year}


def test_the_card_lists_the_cadres_the_group_the_measures_and_the_visits(world: World) -> None:
    data = recorded(world)
    text = flat(render_household_card(data["household"]))
    year = data["year"]
    for expected in (
        "彭学明",
        "副局长",
        "花垣县农业农村局",
        "139****1111",
        "龙大姐",
        "村党支部委员",
        "074****7777",
        "所在互助组：竹子寨第一互助组（组长龙老党员）",
        f"四、{year}年享受帮扶措施",
        "产业猕猴桃种植产业奖补",
        "3,000.00",
        "产业养牛补助",
        "2,000.50",
        "教育雨露计划补助",
        "1,500.00",
        "按类别：产业2项5,000.50元；教育1项1,500.00元。合计6,500.50元。",
        f"{year}年入户走访2次（每年不少于4次）",
    ):
        assert expected in text, expected
    assert "石前任" not in text and "去年的医疗救助" not in text
    # By kind, in the order of the kinds: industry before education.
    assert text.index("猕猴桃种植产业奖补") < text.index("养牛补助") < text.index("雨露计划补助")
    digits = digits_only(text)
    for secret in [*world.secrets, CADRE_PHONE, digits_only(OTHER_PHONE)]:
        assert secret not in digits, "a full ID number or phone is on the card"


def test_a_past_year_can_be_printed(world: World) -> None:
    data = recorded(world)
    text = flat(render_household_card(data["household"], year=data["year"] - 1))
    assert "去年的医疗救助" in text and "健康" in text and "养牛补助" not in text
    assert f"{data['year'] - 1}年入户走访1次" in text


def test_the_downloaded_card_carries_them_too(world: World, client_for: Any) -> None:
    data = recorded(world)
    response = client_for("village_clerk").get(f"/households/{data['household'].pk}/card.pdf")
    assert response.status_code == 200
    text = flat(response.content)
    assert "彭学明" in text and "养牛补助" in text and "139****1111" in text
    digits = digits_only(text)
    assert CADRE_PHONE not in digits and all(s not in digits for s in world.secrets)


def test_every_measure_kind_has_a_card_label() -> None:
    from fupin.assistance.models import MeasureKind

    assert set(KIND_LABELS) == set(MeasureKind.values) and all(KIND_LABELS.values())
