"""Party organisations around 十八洞村 for the tests, built with the ORM (the setup is not what
is under test): the county and township committees, the village branch and a cooperative's
branch in the village, a county unit and its branch, a branch in the neighbouring village and
one in another county; a party member, a village cadre and an active linkage in the village.

``build_world(village)`` builds the same village-level objects anywhere, so each action can be
tried on objects inside and outside an actor's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fupin.areas.models import Area, Level
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_COUNTY, TOWNSHIP, VILLAGE
from fupin.party.models import (
    Cadre,
    CadrePost,
    Linkage,
    LinkKind,
    Organisation,
    OrgKind,
    OrgSetting,
    PartyMember,
    Unit,
    UnitKind,
)

STARTED = dt.date(2023, 3, 1)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def other_county_village() -> str:
    return (
        Area.objects.filter(code__startswith=OTHER_COUNTY[:6], level=Level.VILLAGE).order_by("code")[0].code
    )


def build_world(village_code: str) -> dict[str, Any]:
    """A village's branch, a cooperative's branch, a unit, a member, a cadre and a linkage."""
    village = area(village_code)
    unit = Unit.objects.create(area=village, name=f"{village.name}茶叶合作社")
    branch = Organisation.objects.create(
        area=village, name=f"{village.name}党支部", founded_on=dt.date(1990, 7, 1)
    )
    coop = Organisation.objects.create(
        area=village,
        name=f"{village.name}合作社党支部",
        setting=OrgSetting.COOPERATIVE,
        founded_on=dt.date(2018, 5, 1),
    )
    member = PartyMember.objects.create(organisation=branch, area=village, name="龙老党员", birth_year=1960)
    cadre = Cadre.objects.create(
        area=village, name="施村主任", post=CadrePost.DIRECTOR, birth_year=1975, education="senior"
    )
    link = Linkage.objects.create(first=branch, second=coop, kind=LinkKind.CHAIN, started_on=STARTED)
    return {
        "village": village,
        "unit": unit,
        "branch": branch,
        "coop": coop,
        "member": member,
        "cadre": cadre,
        "link": link,
    }


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    w = build_world(VILLAGE)
    county_office = Unit.objects.create(
        area=area(COUNTY), name="中共花垣县委", kind=UnitKind.PARTY_GOVERNMENT
    )
    county_committee = Organisation.objects.create(
        area=area(COUNTY),
        name="中共花垣县委",
        kind=OrgKind.COMMITTEE,
        setting=OrgSetting.UNIT,
        unit=county_office,
    )
    county_unit = Unit.objects.create(area=area(COUNTY), name="县交通运输局")
    township = Organisation.objects.create(
        area=area(TOWNSHIP),
        name="双龙镇党委",
        kind=OrgKind.COMMITTEE,
        setting=OrgSetting.TOWNSHIP,
        parent=county_committee,
    )
    Organisation.objects.filter(pk=w["branch"].pk).update(parent=township)
    w["branch"].refresh_from_db()
    unit_branch = Organisation.objects.create(
        area=area(COUNTY), name="县交通运输局机关党支部", setting=OrgSetting.UNIT, unit=county_unit
    )
    neighbour = Organisation.objects.create(
        area=area(NEIGHBOUR_VILLAGE), name="丙池村党支部", parent=township
    )
    far = Organisation.objects.create(area=area(other_county_village()), name="外县村党支部")
    w.update(
        county_committee=county_committee,
        township=township,
        county_unit=county_unit,
        unit_branch=unit_branch,
        neighbour=neighbour,
        far=far,
    )
    return w
