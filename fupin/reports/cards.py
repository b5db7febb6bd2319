"""The household assistance card (扶贫明白卡, domain.md §6) as a PDF.

The card is handed to the household and signed by its head, the village secretary, the first
secretary and the assigned cadre. It shows the household's own data, but ID numbers only
masked (first 6, last 4) and no phone or bank account of the household: the paper leaves the
office. Member health is left out too: the card does not need it.

Pairings (帮扶责任人) and assistance measures belong to the ``assistance`` app, which does not
exist yet. ``render_household_card`` therefore takes them as optional arguments (``cadre``,
``measures``): until that app passes them, the card prints the sections with "未登记" and
"暂无记录", so the layout and the signature lines are already final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from fupin.areas.models import Area
from fupin.registry.choices import Cause
from fupin.registry.income import TRANSFER_KINDS
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord
from fupin.reports.pdf import html_to_pdf

CARD_TEMPLATE = "reports/household_card.html"


@dataclass(frozen=True)
class Cadre:
    """The assigned cadre (帮扶责任人), from the assistance app's pairing once it exists."""

    name: str
    unit: str = ""
    position: str = ""
    phone: str = ""  # the cadre's work phone: the household is meant to be able to call


@dataclass(frozen=True)
class Measure:
    """One assistance measure the household enjoys (产业, 就业, 教育, 健康 …)."""

    category: str
    content: str
    date: str = ""
    amount: Decimal | None = None


# Chinese labels of the income lines, in the order of the national form (domain.md §1.3).
INCOME_LINES: tuple[tuple[str, str], ...] = (
    ("wage", "工资性收入"),
    ("business", "生产经营性收入"),
    ("property", "财产性收入"),
    ("transfer", "转移性收入"),
)
TRANSFER_LINES: dict[str, str] = {
    "transfer_family_planning": "计划生育金",
    "transfer_dibao": "低保金",
    "transfer_tekun": "特困供养金",
    "transfer_pension": "养老保险金",
    "transfer_eco": "生态补偿金",
    "transfer_other": "其他转移性收入",
}
assert set(TRANSFER_LINES) == set(TRANSFER_KINDS)  # a new transfer kind must get a label here

CONDITION_LINES: tuple[tuple[str, str], ...] = (
    ("food_secure", "不愁吃"),
    ("clothing_secure", "不愁穿"),
    ("education_secured", "义务教育有保障"),
    ("medical_secured", "基本医疗有保障"),
    ("housing_secured", "住房安全有保障"),
    ("water_secured", "饮水安全有保障"),
)


def yuan(value: Decimal) -> str:
    """12,345.67: fixed here rather than by locale, so the card reads the same for everyone."""
    return f"{value:,.2f}"


def _area_path(area: Area) -> str:
    names = []
    node: Area | None = area
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names))


def _income(record: IncomeRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "year": record.year,
        "lines": [(label, yuan(getattr(record, name))) for name, label in INCOME_LINES],
        # Only the kinds the household received: six lines of 0.00 would push the card onto a third page.
        "transfers": [
            (label, yuan(getattr(record, name)))
            for name, label in TRANSFER_LINES.items()
            if getattr(record, name)
        ],
        "total": yuan(record.total),
        "costs": yuan(record.business_costs),
        "size": record.household_size,
        "net_total": yuan(record.total - record.business_costs),
        "per_capita_net": yuan(record.per_capita_net),
    }


def _conditions(row: HouseholdCondition | None) -> dict[str, Any] | None:
    if row is None:
        return None
    lines = [(label, getattr(row, name)) for name, label in CONDITION_LINES]
    return {
        "year": row.year,
        "pairs": [lines[i : i + 2] for i in range(0, len(lines), 2)],  # two checks per table row
        "all_met": row.all_met,
        "notes": row.notes,
    }


def card_context(
    household: Household,
    *,
    cadre: Cadre | None = None,
    measures: Sequence[Measure] | None = None,
) -> dict[str, Any]:
    """What the card shows, read from the registry. The caller has checked access."""
    members = [m for m in household.members.all() if m.left_on is None]
    head = next((m for m in members if m.relation == "head"), None)
    causes = [household.get_main_cause_display()] if household.main_cause else []
    causes += [str(Cause(c).label) for c in household.other_causes if c in Cause.values]
    return {
        "household": household,
        "area_path": _area_path(household.area),
        "head_id_masked": head.id_number_masked if head else "",
        "members": [
            {
                "name": m.name,
                "relation": m.get_relation_display(),
                "gender": m.get_gender_display(),
                "id_masked": m.id_number_masked,
            }
            for m in members
        ],
        "causes": causes,
        "income": _income(household.incomes.order_by("-year").first()),
        "conditions": _conditions(household.conditions.order_by("-year").first()),
        "cadre": cadre,
        "measures": list(measures or []),
        "printed_on": timezone.localdate(),
    }


def render_household_card(
    household: Household,
    *,
    cadre: Cadre | None = None,
    measures: Sequence[Measure] | None = None,
) -> bytes:
    """The card as A4 PDF bytes, in Chinese whatever the reader's interface language."""
    with translation.override("zh-hans"):
        context = card_context(household, cadre=cadre, measures=measures)
        html = render_to_string(CARD_TEMPLATE, context)
        return html_to_pdf(html, title=f"扶贫明白卡 {household.number}")
