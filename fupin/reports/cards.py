"""The household assistance card (扶贫明白卡, domain.md §6) as a PDF.

The card is handed to the household and signed by its head, the village secretary, the first
secretary and the assigned cadre. It shows the household's own data, but ID numbers only
masked (first 6, last 4) and no phone or bank account of the household: the paper leaves the
office. Member health is left out too: the card does not need it.

Who answers for the household (帮扶责任人: its active pairings, name, post, unit and the phone
masked), its mutual-aid group (互助五兴) and the year's measures by kind with their amounts and
the count of home visits are read from the pairing, mutual-aid and assistance apps.
``render_household_card`` also takes them as arguments (``cadres``, ``measures``), for a card
printed from other data; a section with nothing recorded prints "未登记" or "暂无记录".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from fupin.areas.models import Area
from fupin.assistance.common import household_pairings, village_code
from fupin.assistance.models import MeasureKind
from fupin.assistance.visits import KEY as VISITS_KEY
from fupin.cases.area_settings import setting_for
from fupin.core.crypto import mask
from fupin.mutualaid.models import GroupHousehold
from fupin.registry.choices import Cause
from fupin.registry.income import TRANSFER_KINDS
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord
from fupin.reports.pdf import html_to_pdf

CARD_TEMPLATE = "reports/household_card.html"


@dataclass(frozen=True)
class Cadre:
    """One who answers for the household (帮扶责任人): an active pairing."""

    name: str
    unit: str = ""
    position: str = ""
    # The work phone, masked (138****5678): the card leaves the office, so a full number is
    # never printed; the household reaches the cadre through the village, which has it.
    phone: str = ""


@dataclass(frozen=True)
class Measure:
    """One assistance measure the household enjoys (产业, 就业, 教育, 健康 …)."""

    category: str
    content: str
    date: str = ""
    amount: Decimal | None = None


@dataclass(frozen=True)
class Group:
    """The household's mutual-aid group (互助五兴) and its leader."""

    name: str
    leader: str


# The card's Chinese name of each measure kind, as the local templates write them (domain.md §6).
KIND_LABELS: dict[str, str] = {
    MeasureKind.INDUSTRY: "产业",
    MeasureKind.EMPLOYMENT: "就业",
    MeasureKind.EDUCATION: "教育",
    MeasureKind.HEALTH: "健康",
    MeasureKind.HOUSING: "危房改造",
    MeasureKind.RELOCATION: "易地搬迁",
    MeasureKind.DIBAO: "低保",
    MeasureKind.TEKUN: "特困供养",
    MeasureKind.FINANCE: "金融",
    MeasureKind.PUBLIC_JOB: "公益岗位",
    MeasureKind.CONSUMPTION: "消费帮扶",
    MeasureKind.TRAINING: "技能培训",
    MeasureKind.ECOLOGICAL: "生态补偿",
    MeasureKind.WATER: "饮水安全",
    MeasureKind.OTHER: "其他",
}
assert set(KIND_LABELS) == set(MeasureKind.values)  # a new kind must get a label here


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


def masked_phone(phone: str) -> str:
    """The phone as the card may print it: kept when already masked, masked (first 3, last 4
    digits) when a full number was passed in, so no caller can put a full number on paper."""
    if "*" in phone:
        return phone
    digits = "".join(ch for ch in phone if ch.isdigit())
    return mask(digits, 3, 4) if digits else ""


def cadres_of(household: Household) -> list[Cadre]:
    """The household's active pairings (干部包户, 党员联户), longest-standing first."""
    pairings = household_pairings(household).select_related("unit").order_by("started_on", "pk")
    return [
        Cadre(
            name=p.helper_name or (p.unit.name if p.unit else ""),
            unit=p.unit.name if p.unit else "",
            position=p.helper_post,
            phone=p.helper_phone_masked,
        )
        for p in pairings
    ]


def group_of(household: Household) -> Group | None:
    membership = (
        GroupHousehold.objects.filter(household=household, left_on__isnull=True)
        .select_related("group")
        .first()
    )
    if membership is None:
        return None
    return Group(name=membership.group.name, leader=membership.group.leader_name)


def measures_of(household: Household, year: int) -> list[Measure]:
    """The year's measures, by kind in the order of the kinds, then by date."""
    order = {kind: i for i, kind in enumerate(MeasureKind.values)}
    rows = sorted(
        household.measures.filter(day__year=year),
        key=lambda m: (order.get(m.kind, len(order)), m.day, m.pk),
    )
    return [
        Measure(KIND_LABELS.get(m.kind, m.kind), m.description, m.day.isoformat(), m.amount) for m in rows
    ]


def _by_kind(measures: Sequence[Measure]) -> list[dict[str, Any]]:
    """Count and amount per category, in the order the categories first appear."""
    totals: dict[str, dict[str, Any]] = {}
    for m in measures:
        row = totals.setdefault(m.category, {"category": m.category, "count": 0, "amount": Decimal("0")})
        row["count"] += 1
        row["amount"] += m.amount or Decimal("0")
    return [{**row, "amount": yuan(row["amount"])} for row in totals.values()]


def card_context(
    household: Household,
    *,
    year: int | None = None,
    cadres: Sequence[Cadre] | None = None,
    measures: Sequence[Measure] | None = None,
    group: Group | None = None,
    visits: int | None = None,
) -> dict[str, Any]:
    """What the card shows, read from the registry and assistance. The caller has checked
    access. ``cadres`` and ``measures`` given replace what is recorded (and then the group
    and visit count are only what is passed)."""
    printed_on = timezone.localdate()
    year = year or printed_on.year
    if cadres is None and measures is None:
        cadres = cadres_of(household)
        measures = measures_of(household, year)
        group = group_of(household)
        visits = household.visits.filter(day__year=year).count()
    members = [m for m in household.members.all() if m.left_on is None]
    head = next((m for m in members if m.relation == "head"), None)
    causes = [household.get_main_cause_display()] if household.main_cause else []
    causes += [str(Cause(c).label) for c in household.other_causes if c in Cause.values]
    items = list(measures or [])
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
        "cadres": [
            Cadre(name=c.name, unit=c.unit, position=c.position, phone=masked_phone(c.phone))
            for c in cadres or []
        ],
        "group": group,
        "year": year,
        "measures": [
            {
                "category": m.category,
                "content": m.content,
                "date": m.date,
                "amount": yuan(m.amount) if m.amount is not None else "",
            }
            for m in items
        ],
        "by_kind": _by_kind(items),
        "measures_total": yuan(sum((m.amount or Decimal("0") for m in items), Decimal("0"))),
        "visits": visits,
        "visits_minimum": setting_for(village_code(household.area_id), VISITS_KEY),
        "printed_on": printed_on,
    }


def render_household_card(
    household: Household,
    *,
    year: int | None = None,
    cadres: Sequence[Cadre] | None = None,
    measures: Sequence[Measure] | None = None,
    group: Group | None = None,
    visits: int | None = None,
) -> bytes:
    """The card as A4 PDF bytes, in Chinese whatever the reader's interface language."""
    with translation.override("zh-hans"):
        context = card_context(
            household, year=year, cadres=cadres, measures=measures, group=group, visits=visits
        )
        html = render_to_string(CARD_TEMPLATE, context)
        return html_to_pdf(html, title=f"扶贫明白卡 {household.number}")
