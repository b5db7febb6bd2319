"""A work team in 十八洞村 whose first secretary is the ``first_secretary`` persona, and one in
the neighbouring village for wrong-area checks. Built with the ORM: the roster is test setup
here, the code under test is what the team does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, VILLAGE
from fupin.party.models import Unit
from fupin.teams.models import TeamMember, TeamRole, WorkTeam

TERM_START = dt.date(2025, 3, 1)
TERM_END = dt.date(2027, 3, 1)


def build_team(
    village_code: str, unit: Unit, *, secretary_user: Any = None, names: tuple[str, ...] = ()
) -> WorkTeam:
    village = Area.objects.get(code=village_code)
    team = WorkTeam.objects.create(area=village, lead_unit=unit, started_on=TERM_START, term_ends_on=TERM_END)
    people = names or ("龙书记", "吴队员", "麻队员")
    for i, name in enumerate(people):
        TeamMember.objects.create(
            team=team,
            area=village,
            user=secretary_user if i == 0 else None,
            name=name,
            unit=unit,
            role=TeamRole.FIRST_SECRETARY if i == 0 else TeamRole.MEMBER,
            term_starts_on=TERM_START,
            term_ends_on=TERM_END,
        )
    return team


@pytest.fixture
def unit(db: Any) -> Unit:
    return Unit.objects.create(area=Area.objects.get(code=COUNTY), name="县交通运输局")


@pytest.fixture
def team(personas: dict[str, Any], unit: Unit) -> WorkTeam:
    return build_team(VILLAGE, unit, secretary_user=personas["first_secretary"])


@pytest.fixture
def secretary(team: WorkTeam) -> TeamMember:
    return team.members.get(role=TeamRole.FIRST_SECRETARY)


@pytest.fixture
def neighbour_team(personas: dict[str, Any], unit: Unit) -> WorkTeam:
    return build_team(NEIGHBOUR_VILLAGE, unit, names=("田书记", "杨队员", "彭队员"))
