"""The income formula of domain.md §1.3, through do_record_income.

家庭总收入 = 工资性 + 生产经营性 + 财产性 + 转移性 (six kinds);
人均纯收入 = (家庭总收入 − 生产经营性支出) / current members, half-up to the fen.
The oracle below works in exact fractions and rounds by hand, independent of Decimal contexts.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core import audit
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.registry import actions, income
from fupin.registry.models import Household, IncomeRecord
from tests.conftest import make_household
from tests.registry.helpers import error_codes, error_fields, registry_fingerprint

TRANSFERS = {
    "transfer_family_planning": "100",
    "transfer_dibao": "2400",
    "transfer_tekun": "0",
    "transfer_pension": "1200",
    "transfer_eco": "150.25",
    "transfer_other": "80",
}


def _half_up_to_fen(value: Fraction) -> Decimal:
    fen = math.floor(abs(value) * 100 + Fraction(1, 2))
    return (Decimal(fen) / 100 * (1 if value >= 0 else -1)).quantize(Decimal("0.01"))


def _oracle(amounts: dict[str, str], size: int) -> tuple[Decimal, Decimal, Decimal]:
    f = {k: Fraction(v) for k, v in amounts.items()}
    transfer = sum((f.get(k, Fraction(0)) for k in TRANSFERS), Fraction(0))
    total = f.get("wage", 0) + f.get("business", 0) + f.get("property", 0) + transfer
    net = (total - f.get("business_costs", 0)) / size
    return (
        _half_up_to_fen(transfer),
        _half_up_to_fen(total),
        _half_up_to_fen(net),
    )


# --- the formula ---------------------------------------------------------------------------


def test_total_is_wage_plus_business_plus_property_plus_the_six_transfers(household: Household) -> None:
    amounts = {
        "wage": "12000",
        "business": "8000.50",
        "property": "300",
        **TRANSFERS,
        "business_costs": "3000.10",
    }
    record = actions.do_record_income(household, 2023, amounts, actor=SYSTEM)
    assert record.transfer == Decimal("3930.25")  # 100 + 2400 + 0 + 1200 + 150.25 + 80
    assert record.total == Decimal("24230.75")  # 12000 + 8000.50 + 300 + 3930.25
    assert record.household_size == 3
    # (24230.75 - 3000.10) / 3 = 7076.883…
    assert record.per_capita_net == Decimal("7076.88")
    assert (record.transfer, record.total, record.per_capita_net) == _oracle(amounts, 3)


@pytest.mark.parametrize(
    ("members", "amounts", "expected"),
    [
        (2, {"wage": "10000.01"}, "5000.01"),  # 5000.005: half-up, where half-even gives 5000.00
        (2, {"wage": "0.05"}, "0.03"),  # 0.025
        (4, {"wage": "10000.02"}, "2500.01"),  # 2500.005
        (3, {"wage": "200"}, "66.67"),  # 66.666…
        (3, {"wage": "100"}, "33.33"),  # 33.333…
        (1, {"wage": "2736", "business_costs": "0"}, "2736.00"),
        (4, {"business": "3000", "business_costs": "1000.06"}, "499.99"),  # 1999.94 / 4 = 499.985
    ],
)
def test_per_capita_net_is_rounded_half_up_to_the_fen(
    db: Any, members: int, amounts: dict[str, str], expected: str
) -> None:
    household = make_household(members=members)
    record = actions.do_record_income(household, 2022, amounts, actor=SYSTEM)
    assert record.per_capita_net == Decimal(expected)
    assert record.per_capita_net == _oracle(amounts, members)[2]


def test_the_formula_agrees_with_the_oracle_on_many_mixed_amounts() -> None:
    import random

    rng = random.Random(2736)
    for _ in range(500):
        amounts = {
            k: f"{rng.randint(0, 5_000_000) / 100:.2f}" for k in (*income.INPUT_FIELDS,) if rng.random() < 0.8
        }
        size = rng.randint(1, 12)
        got = income.compute({k: Decimal(v) for k, v in amounts.items()}, size)
        assert (got.transfer, got.total, got.per_capita_net) == _oracle(amounts, size), (amounts, size)


def test_business_costs_above_income_give_a_negative_per_capita_net(household: Household) -> None:
    # Domain §1.3 does not floor net income at zero; a failed harvest shows as a loss.
    record = actions.do_record_income(
        household, 2021, {"business": "1000", "business_costs": "1600"}, actor=SYSTEM
    )
    assert record.per_capita_net == Decimal("-200.00")


def test_amounts_left_out_or_blank_count_as_zero(household: Household) -> None:
    record = actions.do_record_income(household, 2023, {"wage": "3000", "property": ""}, actor=SYSTEM)
    assert record.property == Decimal(0)
    assert record.transfer_dibao == Decimal(0)
    assert record.total == Decimal("3000.00")


def test_thousands_separators_and_numbers_are_accepted(household: Household) -> None:
    record = actions.do_record_income(
        household, 2023, {"wage": "12,345.60", "property": 500, "transfer_eco": 12.5}, actor=SYSTEM
    )
    assert (record.wage, record.property, record.transfer_eco) == (
        Decimal("12345.60"),
        Decimal("500"),
        Decimal("12.50"),
    )


def test_the_year_may_be_given_as_text(household: Household) -> None:
    assert actions.do_record_income(household, " 2020 ", {"wage": "1"}, actor=SYSTEM).year == 2020


# --- household size ------------------------------------------------------------------------


def test_household_size_counts_only_members_who_have_not_left(db: Any) -> None:
    household = make_household(members=4)
    leaving = household.members.exclude(relation="head").first()
    assert leaving is not None
    actions.do_remove_member(leaving, left_on=dt.date(2023, 6, 1), reason="出嫁", actor=SYSTEM)
    record = actions.do_record_income(household, 2023, {"wage": "9000"}, actor=SYSTEM)
    assert record.household_size == 3
    assert record.per_capita_net == Decimal("3000.00")


def test_a_household_with_no_members_cannot_record_income(db: Any) -> None:
    household = actions.do_create_household(
        Area.objects.get(code=VILLAGE), {"head_name": "空户"}, actor=SYSTEM
    )
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_record_income(household, 2023, {"wage": "1000"}, actor=SYSTEM)
    assert error_codes(caught.value) == ["NO_MEMBERS"]
    assert registry_fingerprint() == before


def test_a_household_whose_members_all_left_cannot_record_income(db: Any) -> None:
    household = make_household(members=1)
    actions.do_remove_member(
        household.members.get(), left_on=dt.date(2023, 1, 2), reason="去世", actor=SYSTEM
    )
    with pytest.raises(FupinError) as caught:
        actions.do_record_income(household, 2023, {"wage": "1000"}, actor=SYSTEM)
    assert error_codes(caught.value) == ["NO_MEMBERS"]
    assert not IncomeRecord.objects.filter(household=household).exists()


def test_the_formula_refuses_an_empty_household() -> None:
    with pytest.raises(ValueError):
        income.compute({"wage": Decimal(1)}, 0)


# --- re-recording --------------------------------------------------------------------------


def test_recording_a_year_again_updates_the_one_row_and_audits_before_and_after(
    personas: dict[str, User], household: Household
) -> None:
    clerk = personas["village_clerk"]
    first = actions.do_record_income(household, 2023, {"wage": "6000"}, actor=clerk)
    second = actions.do_record_income(household, 2023, {"wage": "9000", "property": "30"}, actor=clerk)
    assert second.pk == first.pk
    assert IncomeRecord.objects.filter(household=household, year=2023).count() == 1
    stored = IncomeRecord.objects.get(pk=first.pk)
    assert (stored.wage, stored.property, stored.total) == (Decimal("9000"), Decimal("30"), Decimal("9030"))

    entries = list(AuditEntry.objects.filter(action="registry.record_income").order_by("id"))
    assert len(entries) == 2
    created, corrected = entries
    assert created.before is None
    assert created.after["wage"] == "6000.00"
    assert corrected.before["wage"] == "6000.00"
    assert corrected.after["wage"] == "9000.00"
    assert corrected.after["total"] == "9030.00"
    assert (corrected.actor, corrected.object_id, corrected.area_code) == (clerk, str(first.pk), VILLAGE)


def test_re_recording_resets_amounts_left_out_to_zero(household: Household) -> None:
    # A re-record is the whole year's statement, not a patch: a kind left out is no income.
    actions.do_record_income(household, 2023, {"wage": "6000", "property": "500"}, actor=SYSTEM)
    record = actions.do_record_income(household, 2023, {"wage": "6000"}, actor=SYSTEM)
    assert record.property == Decimal(0)


def test_different_years_are_different_rows(household: Household) -> None:
    actions.do_record_income(household, 2022, {"wage": "1"}, actor=SYSTEM)
    actions.do_record_income(household, 2023, {"wage": "2"}, actor=SYSTEM)
    assert list(household.incomes.values_list("year", flat=True)) == [2023, 2022]


# --- refused input stores nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "code", "field"),
    [
        ({"wage": "-1"}, "NEGATIVE_AMOUNT", "wage"),
        ({"transfer_dibao": "-0.01"}, "NEGATIVE_AMOUNT", "transfer_dibao"),
        ({"business_costs": "-500"}, "NEGATIVE_AMOUNT", "business_costs"),
        ({"wage": "abc"}, "BAD_AMOUNT", "wage"),
        ({"wage": "一千"}, "BAD_AMOUNT", "wage"),
        ({"property": "12.345"}, "BAD_AMOUNT", "property"),
        ({"wage": "NaN"}, "BAD_AMOUNT", "wage"),
        ({"wage": "Infinity"}, "BAD_AMOUNT", "wage"),
        ({"wage": "100000000"}, "AMOUNT_RANGE", "wage"),  # the range is said, not the format
        ({"wage": "1e12"}, "AMOUNT_RANGE", "wage"),
        ({"wage": True}, "BAD_AMOUNT", "wage"),
    ],
)
def test_a_bad_amount_is_refused_and_stores_nothing(
    household: Household, amounts: dict[str, Any], code: str, field: str
) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_record_income(household, 2023, {"wage": "1000", **amounts}, actor=SYSTEM)
    assert error_codes(caught.value) == [code]
    assert error_fields(caught.value) == [field]
    assert registry_fingerprint() == before


def test_every_bad_amount_is_reported_at_once(household: Household) -> None:
    with pytest.raises(FupinError) as caught:
        actions.do_record_income(household, 2023, {"wage": "-1", "property": "x"}, actor=SYSTEM)
    assert sorted(error_fields(caught.value)) == ["property", "wage"]


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (timezone.localdate().year + 1, "BAD_YEAR"),
        (1989, "BAD_YEAR"),
        ("twenty", "BAD_NUMBER"),
        ("", "BAD_YEAR"),
        (None, "BAD_YEAR"),
    ],
)
def test_a_year_in_the_future_or_not_a_year_is_refused_and_stores_nothing(
    household: Household, year: Any, code: str
) -> None:
    before = registry_fingerprint()
    with pytest.raises(FupinError) as caught:
        actions.do_record_income(household, year, {"wage": "1000"}, actor=SYSTEM)
    assert error_codes(caught.value) == [code]
    assert error_fields(caught.value) == ["year"]
    assert registry_fingerprint() == before


def test_the_current_year_may_be_recorded(household: Household) -> None:
    # Some counties count income from October to September, so the year in progress is open.
    year = timezone.localdate().year
    assert actions.do_record_income(household, year, {"wage": "1"}, actor=SYSTEM).year == year


def test_re_recording_the_same_amounts_shows_no_change_in_the_audit(household: Household) -> None:
    actions.do_record_income(household, 2023, {"wage": "6000", "transfer_eco": "12.5"}, actor=SYSTEM)
    actions.do_record_income(household, 2023, {"wage": "6000.00", "transfer_eco": "12.50"}, actor=SYSTEM)
    latest = AuditEntry.objects.filter(action="registry.record_income").order_by("-id").first()
    assert latest is not None
    assert set(audit.changed(latest.before, latest.after)) <= {"recorded_at"}
