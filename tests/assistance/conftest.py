"""Households in 十八洞村 (one paired to the ``cadre`` persona, one not), in the neighbouring
village and in another township; pairings are made with the ORM, as the pairing app is
another's: the code under test is what assistance does with them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, VILLAGE
from fupin.pairing.models import Pairing, PairingKind
from fupin.registry.models import Household
from tests.conftest import make_household

PAIRED_SINCE = dt.date(2024, 3, 1)


def pair(
    household: Household,
    *,
    user: User | None = None,
    name: str = "彭学明",
    post: str = "县农业农村局副局长",
    phone_masked: str = "138****5678",
    kind: str = PairingKind.CADRE_HOUSEHOLD,
    started_on: dt.date = PAIRED_SINCE,
    ended_on: dt.date | None = None,
) -> Pairing:
    return Pairing.objects.create(
        kind=kind,
        area_id=household.area_id,
        household=household,
        helper_name=name,
        helper_post=post,
        helper_phone_masked=phone_masked,
        helper_user=user,
        started_on=started_on,
        ended_on=ended_on,
    )


@dataclass
class World:
    home: Household  # poor, 十八洞村, paired to the cadre persona
    unpaired: Household  # poor, 十八洞村, paired to nobody
    neighbour: Household  # poor, 丙池村 (same township)
    far: Household  # poor, a village of another township
    pairing: Pairing  # the cadre persona's pairing with ``home``
    personas: dict[str, User]


@pytest.fixture
def world(personas: dict[str, User]) -> World:
    home = make_household(VILLAGE, status="poor", head_name="龙先发")
    return World(
        home=home,
        unpaired=make_household(VILLAGE, status="poor", head_name="施成富"),
        neighbour=make_household(NEIGHBOUR_VILLAGE, status="poor", head_name="杨秀清"),
        far=make_household(OTHER_TOWNSHIP_VILLAGE, status="poor", head_name="麻老三"),
        pairing=pair(home, user=personas["cadre"]),
        personas=personas,
    )


def village() -> Area:
    return Area.objects.get(code=VILLAGE)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


# Who holds what, for the persona matrices (fupin.accounts.permissions).
READERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
RECORDERS = {"county_admin", "township_officer", "village_clerk", "first_secretary", "cadre"}
MANAGERS = {"county_admin", "township_officer", "village_clerk"}
OUTSIDE = {"outsider", "neighbour_clerk"}  # their areas do not hold 十八洞村


@dataclass
class Stuff:
    """One of everything in 十八洞村, recorded through the actions."""

    project: Any
    workshop: Any
    worker: Any
    job: Any
    training: Any
    flag: Any
    measure: Any
    visit: Any


@pytest.fixture
def stuff(world: World) -> Stuff:
    from fupin.assistance import actions
    from fupin.core.access import SYSTEM

    today = dt.date.today().isoformat()  # noqa: DTZ011 - a date in the past is all that matters
    here = village()
    member = world.home.members.exclude(relation="head").first()
    assert member is not None
    project = actions.do_create_project(
        here,
        {"name": "猕猴桃基地", "kind": "industry", "year": 2024, "budget": "300000", "allocated": "200000"},
        actor=SYSTEM,
    )
    workshop = actions.do_create_workshop(
        here, {"name": "苗绣车间", "kind": "home", "opened_on": "2024-05-01"}, actor=SYSTEM
    )
    training = actions.do_create_training(
        here, {"title": "猕猴桃修剪培训", "day": "2024-04-10", "hours": "6"}, actor=SYSTEM
    )
    actions.do_add_attendance(training, member, actor=SYSTEM)
    return Stuff(
        project=project,
        workshop=workshop,
        worker=actions.do_add_worker(
            workshop, member, {"started_on": "2024-06-01", "monthly_wage": "2400"}, actor=SYSTEM
        ),
        job=actions.do_add_transfer_job(
            member,
            {
                "place": "浙江宁波",
                "employer": "宁波某电子厂",
                "started_on": "2024-02-20",
                "monthly_income": "5200",
            },
            actor=SYSTEM,
        ),
        training=training,
        flag=actions.do_flag_member(
            member,
            {"category": "child", "since": "2024-01-01", "followed_by": "儿童督导员龙妹"},
            actor=SYSTEM,
        ),
        measure=actions.do_record_measure(
            world.home,
            {
                "kind": "industry",
                "day": today,
                "amount": "3000",
                "description": "猕猴桃苗补助",
                "project": project.pk,
            },
            actor=SYSTEM,
        ),
        visit=actions.do_record_visit(world.home, {"day": today, "discussed": "猕猴桃长势"}, actor=SYSTEM),
    )
