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


# --- teamsadmin: local settings and approved leave as test setup ----------------------------


def set_area_setting(area_code: str, key: str, value: Any) -> None:
    """Set a local value for an area the way the county administrator would (as the system)."""
    from fupin.cases.area_settings import do_set_area_setting
    from fupin.core.access import SYSTEM

    do_set_area_setting(Area.objects.get(code=area_code), key, value, actor=SYSTEM)


def approved_leave(member: TeamMember, first: dt.date, last: dt.date, *, days: int | None = None) -> Any:
    """An approved leave row, written with the ORM (the leave actions are another helper's)."""
    from fupin.teams.models import LeaveRequest, LeaveStatus

    return LeaveRequest.objects.create(
        member=member,
        area_id=member.area_id,
        first_day=first,
        last_day=last,
        days=days if days is not None else (last - first).days + 1,
        reason="探亲",
        approver_level=3,
        status=LeaveStatus.APPROVED,
    )


# --- teamsday: pairings and home visits for "my households", a team in another township -----


def pair(user: Any, household: Any, *, kind: str = "cadre_household", ended_on: dt.date | None = None) -> Any:
    """A household pairing (干部包户) with ``user`` as the helper, written with the ORM: pairing
    is another app's; here it is only what "my households" reads."""
    from fupin.pairing.models import Pairing

    return Pairing.objects.create(
        kind=kind,
        area_id=household.area_id,
        household=household,
        helper_name=getattr(user, "username", ""),
        helper_user=user,
        started_on=dt.date(2024, 1, 1),
        ended_on=ended_on,
    )


def visited(household: Any, day: dt.date) -> Any:
    """A home visit (走访) on ``day``, written with the ORM like ``pair``."""
    from fupin.assistance.models import Visit

    return Visit.objects.create(
        household=household, area_id=household.area_id, day=day, visitor_name="帮扶干部", discussed="产业"
    )


@pytest.fixture
def far_team(personas: dict[str, Any], unit: Unit) -> WorkTeam:
    """A team in a village of 龙潭镇: inside the county, outside the township officer's area."""
    from fupin.core.personas import OTHER_TOWNSHIP_VILLAGE

    return build_team(OTHER_TOWNSHIP_VILLAGE, unit, names=("石书记", "龙队员", "吴二队员"))


# The API's token fixtures, for tests/teams/test_teams_api.py (teamsday).
from tests.api.conftest import api_as, tokens  # noqa: E402, F401  fixtures, found by name
