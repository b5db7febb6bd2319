"""A village with households that hold every kind of personal data a notice must not show:
ID numbers, phones, a bank account, members with a serious illness, a disability."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pypdf
import pytest

from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household, HouseholdCondition
from tests.conftest import new_id_number


@dataclass
class World:
    village: Area
    households: list[Household]
    secrets: list[str] = field(default_factory=list)  # every ID number, phone and account typed in


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.fixture
def world(db: Any) -> World:
    village = Area.objects.get(code=VILLAGE)
    group = do_add_village_group(village, "001", "竹子寨组", actor=SYSTEM)
    secrets: list[str] = []

    def person(name: str, relation: str, born: dt.date, *, female: bool = False, **extra: Any) -> dict:
        number = new_id_number(born, female=female)
        secrets.append(number)
        return {"name": name, "relation": relation, "id_number": number, **extra}

    first = registry.do_create_household(
        group,
        {
            "head_name": "龙先发",
            "main_cause": "illness",
            "other_causes": ["skills"],
            "household_type": "general",
            "phone": "13807431234",
            "bank_account": "6228480402564890018",
            "bank_name": "农业银行",
        },
        actor=SYSTEM,
        members=[
            person("龙先发", "head", dt.date(1968, 3, 2), health="serious", phone="13907435678"),
            person("石秀英", "spouse", dt.date(1970, 8, 9), female=True, health="disabled"),
            person("龙小军", "son", dt.date(2001, 1, 5), health="chronic"),
            person("龙小梅", "daughter", dt.date(2006, 6, 6), female=True),
        ],
    )
    secrets += ["13807431234", "6228480402564890018", "13907435678"]
    registry.do_change_status(first, "poor", year=2014, reason="test", actor=SYSTEM)
    registry.do_record_income(
        first,
        2024,
        {
            "wage": Decimal("24000"),
            "business": Decimal("9000"),
            "property": Decimal("600"),
            "transfer_dibao": Decimal("3000"),
            "transfer_pension": Decimal("1800"),
            "business_costs": Decimal("4200"),
        },
        actor=SYSTEM,
    )  # total 38,400.00; (38,400 − 4,200) ÷ 4 = 8,550.00
    checks = {name: True for name in HouseholdCondition.CHECKS} | {"water_secured": False}
    registry.do_record_conditions(first, 2024, checks, actor=SYSTEM, notes="自来水管网明年入户")

    second = registry.do_create_household(
        village,
        {"head_name": "施成富", "main_cause": "disability", "phone": "0743-8123456"},
        actor=SYSTEM,
        members=[
            person("施成富", "head", dt.date(1955, 12, 1), health="disabled"),
            person("施小花", "daughter", dt.date(1990, 2, 3), female=True),
        ],
    )
    secrets.append("07438123456")
    registry.do_change_status(second, "poor", year=2014, reason="test", actor=SYSTEM)
    return World(village=village, households=[first, second], secrets=secrets)
