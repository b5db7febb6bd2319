"""The income formula of domain.md §1.3.

家庭总收入 = 工资性 + 生产经营性 + 财产性 + 转移性 (the sum of its kinds);
人均纯收入 = (家庭总收入 − 生产经营性支出) / 家庭人口, rounded to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TRANSFER_KINDS = (
    "transfer_family_planning",
    "transfer_dibao",
    "transfer_tekun",
    "transfer_pension",
    "transfer_eco",
    "transfer_other",
)
INPUT_FIELDS = ("wage", "business", "property", *TRANSFER_KINDS, "business_costs")
FEN = Decimal("0.01")


@dataclass(frozen=True)
class IncomeTotals:
    transfer: Decimal
    total: Decimal
    per_capita_net: Decimal


def compute(amounts: dict[str, Decimal], household_size: int) -> IncomeTotals:
    if household_size < 1:
        raise ValueError("household size must be at least 1")
    transfer = sum((amounts.get(k, Decimal(0)) for k in TRANSFER_KINDS), Decimal(0))
    total = (
        amounts.get("wage", Decimal(0))
        + amounts.get("business", Decimal(0))
        + amounts.get("property", Decimal(0))
        + transfer
    )
    net = (total - amounts.get("business_costs", Decimal(0))) / Decimal(household_size)
    return IncomeTotals(
        transfer.quantize(FEN), total.quantize(FEN), net.quantize(FEN, rounding=ROUND_HALF_UP)
    )
