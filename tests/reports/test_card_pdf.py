"""The household assistance card (明白卡): the household, its causes, the year's income
calculation with its formula, 两不愁三保障, the hooks for cadre and measures, signature lines;
ID numbers only masked and no phone or bank account of the household."""

from __future__ import annotations

from decimal import Decimal

from fupin.registry.income import TRANSFER_KINDS
from fupin.registry.models import Household
from fupin.reports.cards import TRANSFER_LINES, Cadre, Measure, render_household_card
from tests.conftest import make_household
from tests.reports.conftest import World, digits_only, pdf_text


def flat(pdf: bytes) -> str:
    return pdf_text(pdf).replace(" ", "").replace("\n", "")


def test_the_card_shows_the_household_and_the_income_calculation(world: World) -> None:
    household = world.households[0]
    text = flat(render_household_card(household))
    for expected in (
        "扶贫明白卡",
        "十八洞村",
        "竹子寨组",
        "龙先发",
        household.number,
        "4人",
        "一般贫困户",
        "主要原因：因病",
        "其他原因：缺技术",
        "2024年度家庭收入测算",
        "工资性收入24,000.00",
        "生产经营性收入9,000.00",
        "财产性收入600.00",
        "转移性收入其中：低保金3,000.00，养老保险金1,800.004,800.00",
        "家庭总收入38,400.00",
        "生产经营性支出4,200.00",
        "人均纯收入=（家庭总收入−生产经营性支出）÷家庭人口",
        "=（38,400.00−4,200.00）÷4",
        "=34,200.00÷4=8,550.00元",
        "两不愁三保障及饮水安全（2024年）",
        "饮水安全有保障未保障",
        "不愁吃已保障",
        "自来水管网明年入户",
        "户主（签字）",
        "村书记（签字）",
        "第一书记（签字）",
        "帮扶干部（签字）",
    ):
        assert expected in text, expected


def test_id_numbers_are_masked_and_household_phones_and_accounts_absent(world: World) -> None:
    household = world.households[0]
    pdf = render_household_card(household)
    text = flat(pdf)
    digits = digits_only(text)
    head = household.members.get(relation="head")
    assert head.id_number_masked in text
    assert head.id_number_masked[:6] + "********" + head.id_number_masked[-4:] == head.id_number_masked
    for secret in world.secrets:
        assert secret not in digits, "a full ID number, phone or account is on the card"
    # Not even masked: the card does not need the household's phone or account at all.
    assert household.phone_masked and household.phone_masked not in text
    assert household.bank_account_masked and household.bank_account_masked not in text
    assert "农业银行" not in text
    # Member health stays off the card (the cause of poverty is the card's business; health is not).
    assert "患有大病" not in text and "长期慢性病" not in text and "残疾" not in text


def test_without_pairings_and_measures_the_sections_say_so(world: World) -> None:
    text = flat(render_household_card(world.households[0], year=2024))
    assert "三、帮扶责任人姓名未登记联系电话未登记所在互助组：未加入" in text
    assert "四、2024年享受帮扶措施类别帮扶内容时间金额（元）暂无记录" in text
    assert "2024年入户走访0次（每年不少于4次）" in text


def test_the_hooks_print_the_cadre_and_the_measures(world: World) -> None:
    text = flat(
        render_household_card(
            world.households[0],
            cadres=[Cadre(name="彭学明", unit="花垣县农业农村局", position="副局长", phone="0743-7221234")],
            measures=[
                Measure("产业", "猕猴桃种植产业奖补", "2024年3月", Decimal("3000")),
                Measure("教育", "雨露计划补助"),
            ],
        )
    )
    for expected in (
        "彭学明",
        "副局长",
        "花垣县农业农村局",
        "074****1234",  # a full number passed in is masked all the same
        "猕猴桃种植产业奖补",
        "3,000.00",
        "雨露计划补助",
        "按类别：产业1项3,000.00元；教育1项0.00元。合计3,000.00元。",
    ):
        assert expected in text, expected
    assert "7221234" not in digits_only(text)
    assert "暂无记录" not in text


def test_a_household_without_records_still_prints(db: object) -> None:
    household: Household = make_household(head_name="石光明", members=1, main_cause="")
    text = flat(render_household_card(household))
    assert "暂无收入记录" in text and "暂无评估记录" in text and "二、致贫原因未登记" in text


def test_every_transfer_kind_has_a_label() -> None:
    assert set(TRANSFER_LINES) == set(TRANSFER_KINDS)
